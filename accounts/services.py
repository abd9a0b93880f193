"""Writes of the three officers (issue #14 item 7) and of a user's own password and second
factor (items 6 and 9). Every write is recorded in the audit log."""

import datetime
import secrets
import string

from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .models import User, UserSession
from .roles import OFFICER_ROLES, SECADMIN, SYSADMIN

RECOVERY_CODES = 10
USER_FIELDS = (
    "username",
    "full_name",
    "phone",
    "email",
    "role",
    "county_body",
    "county",
    "township",
    "community",
    "unit",
)


def _require(actor, role: str) -> None:
    if actor.is_superuser or actor.role != role:
        raise PermissionDenied


def _require_manageable(actor, user: User) -> None:
    """The system administrator manages the business accounts: not the superuser, not the other
    officers and not their own (三员 keep each other in check)."""
    _require(actor, SYSADMIN)
    if user.is_superuser or user.role in OFFICER_ROLES or user.pk == actor.pk:
        raise PermissionDenied


def issue_password() -> str:
    """A random 12-character password with all four character classes."""
    alphabet = string.ascii_letters + string.digits + "!@#$%&*?"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(12))
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


@transaction.atomic
def user_create(*, actor, request=None, **fields) -> tuple[User, str]:
    """A business account with an issued password, to be changed at the first log-in."""
    _require(actor, SYSADMIN)
    if fields.get("role") in OFFICER_ROLES or fields.get("role") is None:
        raise PermissionDenied
    user = User(**{k: v for k, v in fields.items() if k in USER_FIELDS}, must_change_password=True)
    password = issue_password()
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        event=AuditEvent.Event.USER_CREATED,
        request=request,
        user=actor,
        detail=_("新建账号 %(u)s（%(r)s）") % {"u": user.username, "r": user.get_role_display()},
    )
    return user, password


@transaction.atomic
def user_update(*, actor, user: User, request=None, **fields) -> User:
    _require_manageable(actor, user)
    if fields.get("role") in OFFICER_ROLES:
        raise PermissionDenied
    allowed = (*USER_FIELDS, "is_active")
    changed = [k for k, v in fields.items() if k in allowed and getattr(user, k) != v]
    for key in changed:
        setattr(user, key, fields[key])
    user.full_clean()
    if changed:
        user.save(update_fields=changed)
    if "is_active" in changed and not user.is_active:
        _end_sessions(user)
    audit_record(
        event=AuditEvent.Event.USER_CHANGED,
        request=request,
        user=actor,
        detail=_("修改账号 %(u)s：%(f)s") % {"u": user.username, "f": "、".join(changed) or _("无变化")},
    )
    return user


def _end_sessions(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def password_reset(*, actor, user: User, request=None) -> str:
    """安全管理员: issue a new password (changed at the next log-in) and end the user's sessions."""
    _require(actor, SECADMIN)
    if user.is_superuser or user.pk == actor.pk:
        raise PermissionDenied
    password = issue_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _end_sessions(user)
    audit_record(
        event=AuditEvent.Event.PASSWORD_RESET,
        request=request,
        user=actor,
        detail=_("重置 %(u)s 的密码") % {"u": user.username},
    )
    return password


@transaction.atomic
def sessions_end(*, actor, user: User, request=None) -> int:
    _require(actor, SECADMIN)
    if user.pk == actor.pk:
        raise PermissionDenied
    ended = _end_sessions(user)
    audit_record(
        event=AuditEvent.Event.SESSIONS_ENDED,
        request=request,
        user=actor,
        detail=_("%(u)s 的 %(n)s 个登录会话已结束") % {"u": user.username, "n": ended},
    )
    return ended


@transaction.atomic
def lockout_clear(*, actor, attempt: AccessAttempt, request=None) -> None:
    _require(actor, SECADMIN)
    detail = _("解除 %(u)s 在 %(a)s 的锁定") % {"u": attempt.username, "a": attempt.ip_address}
    attempt.delete()
    audit_record(event=AuditEvent.Event.UNLOCKED, request=request, user=actor, detail=detail)


@transaction.atomic
def otp_reset(*, actor, user: User, request=None) -> None:
    """安全管理员: remove a user's second factor (a lost phone); they enrol again at the next log-in."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require(actor, SECADMIN)
    if user.pk == actor.pk:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    audit_record(
        event=AuditEvent.Event.OTP_RESET,
        request=request,
        user=actor,
        detail=_("重置 %(u)s 的两步验证") % {"u": user.username},
    )


@transaction.atomic
def password_changed(*, user: User, request=None, old_session_key: str | None = None) -> None:
    """After the user changed their own password: the forced change is done, and the session
    kept under its new key is still known as theirs."""
    if request is not None and old_session_key:
        UserSession.objects.filter(session_key=old_session_key).update(session_key=request.session.session_key)
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(event=AuditEvent.Event.PASSWORD_CHANGED, request=request, user=user)


def totp_device_for_enrolment(*, user: User, key: str):
    """An unsaved TOTP device with the key kept in the enrolling session (a GET writes nothing)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice(user=user, key=key, name=_("手机验证器"), confirmed=False)


@transaction.atomic
def totp_confirm(*, user: User, device, token: str, request=None) -> list[str]:
    """Confirm the enrolment with a first code from the phone: the device replaces any earlier
    one; returns new recovery codes (shown once)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if device.user_id != user.pk or not token.isdigit() or not totp.verify(int(token), device.tolerance):
        audit_record(
            event=AuditEvent.Event.OTP_FAILED,
            outcome=AuditEvent.Outcome.FAILURE,
            request=request,
            user=user,
            detail=_("启用时验证码错误"),
        )
        raise ValueError("bad token")
    TOTPDevice.objects.filter(user=user).delete()
    device.last_t = totp.t()
    device.confirmed = True
    device.save()
    audit_record(event=AuditEvent.Event.OTP_ENROLLED, request=request, user=user)
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten one-time recovery codes replace any earlier ones."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def link_revoked(*, kind: str, object_id: int, issued_at: float) -> bool:
    """Whether a signed link of ``kind`` for ``object_id`` issued at ``issued_at`` (a Unix time)
    was revoked after it was issued (item 10)."""
    from .models import RevokedLink

    issued = datetime.datetime.fromtimestamp(issued_at, tz=datetime.UTC)
    return RevokedLink.objects.filter(kind=kind, object_id=object_id, revoked_at__gte=issued).exists()


@transaction.atomic
def link_revoke(*, actor, kind: str, object_id: int, request=None):
    """Revoke every link of ``kind`` for ``object_id`` sent so far; later ones work again."""
    from .models import RevokedLink

    revocation = RevokedLink.objects.create(kind=kind, object_id=object_id, revoked_by=actor)
    audit_record(
        event=AuditEvent.Event.LINK_REVOKED,
        request=request,
        user=actor,
        detail=_("撤销链接 %(kind)s #%(id)s") % {"kind": kind, "id": object_id},
    )
    return revocation
