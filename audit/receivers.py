"""Log-in, failed log-in, log-out and lock-out go to the audit log (item 8)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .services import audit_record


def _real(request) -> bool:
    # Client.force_login in tests passes a bare HttpRequest without a path: nothing happened on
    # the wire, so nothing is recorded.
    return request is not None and bool(getattr(request, "path", ""))


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    if _real(request):
        audit_record(event=AuditEvent.Event.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if _real(request) and user is not None and not getattr(request, "_audit_logout_recorded", False):
        audit_record(event=AuditEvent.Event.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    if _real(request):
        audit_record(
            event=AuditEvent.Event.LOGIN_FAILED,
            outcome=AuditEvent.Outcome.FAILURE,
            request=request,
            username=credentials.get("username", ""),
        )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    if _real(request):
        audit_record(
            event=AuditEvent.Event.LOCKED_OUT,
            outcome=AuditEvent.Outcome.REFUSED,
            request=request,
            username=username or "",
            detail="连续登录失败，该用户名在此地址已锁定",
        )
