"""Session timeouts, the second factor and forced password changes (issue #14 items 6 and 9).

- Idle for ``SESSION_IDLE_TIMEOUT`` seconds, or logged in for longer than
  ``SESSION_ABSOLUTE_LIFETIME``: logged out, with a word on the log-in page.
- A user with a confirmed TOTP device (required for the three officers, optional for others) is
  sent to the verification page until the code is given.
- A password issued by an administrator (``must_change_password``) or an administrator's
  password older than ``PASSWORD_MAX_AGE_DAYS`` must be changed before anything else.
- An officer without a device enrols one (after any forced password change, so that nobody
  enrols on a password an administrator knows).

Only the log-out, password and second-factor pages (and static files) are open meanwhile. One
session write a minute at most; no query per request for users without a second factor.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .roles import otp_required
from .validators import password_expired

LOGIN_AT = "_login_at"
LAST_SEEN = "_last_seen"
OTP_PENDING = "_otp_pending"
TOUCH_EVERY = 60  # seconds between writes of LAST_SEEN

OPEN_WHILE_PENDING = ("accounts:logout", "accounts:otp_verify", "accounts:otp_setup")
OPEN_FOR_PASSWORD = (*OPEN_WHILE_PENDING, "accounts:password_change", "accounts:password_change_done")


def _go(request, url: str) -> HttpResponse:
    """A redirect; for an htmx request, a whole-page one (not the log-in page inside a fragment)."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def has_confirmed_device(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response = self._expired(request, user) or self._gate(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _expired(self, request, user):
        session = request.session
        now = time.time()
        started = session.get(LOGIN_AT)
        last = session.get(LAST_SEEN)
        idle = last is not None and now - last > settings.SESSION_IDLE_TIMEOUT
        too_long = started is not None and now - started > settings.SESSION_ABSOLUTE_LIFETIME
        if idle or too_long:
            audit_record(
                event=AuditEvent.Event.SESSION_EXPIRED,
                request=request,
                user=user,
                detail=_("长时间未操作") if idle else _("超过登录有效期"),
            )
            request._audit_logout_recorded = True
            logout(request)
            messages.info(
                request,
                _("您已长时间未操作，系统已自动退出，请重新登录。") if idle else _("登录已过有效期，请重新登录。"),
            )
            return _go(request, redirect_to_login(request.get_full_path())["Location"])
        if started is None:
            session[LOGIN_AT] = now
        if last is None or now - last > TOUCH_EVERY:
            session[LAST_SEEN] = now
        return None

    @staticmethod
    def _open(request, names) -> bool:
        return any(request.path == reverse(name) for name in names)

    def _gate(self, request, user):
        if self._open(request, OPEN_WHILE_PENDING):
            return None
        verified = user.is_verified() if hasattr(user, "is_verified") else False
        required = otp_required(user)
        pending = not verified and (request.session.get(OTP_PENDING) or (required and has_confirmed_device(user)))
        if pending:
            return _go(request, f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        if self._open(request, OPEN_FOR_PASSWORD):
            return None
        if user.must_change_password or password_expired(user):
            if user.must_change_password:
                messages.warning(request, _("这是管理员为您设置的初始密码，请先修改密码。"))
            else:
                messages.warning(
                    request,
                    _("您的密码已使用超过 %(days)s 天，请修改密码。") % {"days": settings.PASSWORD_MAX_AGE_DAYS},
                )
            return _go(request, reverse("accounts:password_change"))
        if required and not verified:
            return _go(request, reverse("accounts:otp_setup"))
        return None
