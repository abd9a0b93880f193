"""Pages of the three officers (issue #14 item 7), the second factor (item 9) and the own
password change (item 6). Thin: the services write, the audit log records."""

import base64

import qrcode
import qrcode.image.svg
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.util import random_hex

from audit.models import AuditEvent
from audit.services import audit_record
from common.views import add_service_errors

from . import services
from .forms import TokenForm, UserForm
from .models import User
from .roles import OFFICER_ROLES, SECADMIN, SYSADMIN, officer_only

PER_PAGE = 50
ENROL_KEY = "_otp_enrol_key"  # the key being enrolled, kept in the session until confirmed


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # keeps this session under a new key
        services.password_changed(user=self.request.user, request=self.request, old_session_key=old_key)
        return response


# --- 系统管理员: accounts ---------------------------------------------------------------------------


def _user_page(request, users):
    text = request.GET.get("q", "").strip()
    if text:
        users = users.filter(Q(username__icontains=text) | Q(full_name__icontains=text))
    return Paginator(users.order_by("username"), PER_PAGE).get_page(request.GET.get("page")), text


@officer_only(SYSADMIN)
def user_list(request):
    users = User.objects.select_related("county", "township", "community", "unit")
    page, text = _user_page(request, users)
    context = {"page": page, "q": text, "officers": OFFICER_ROLES, "settings_in_force": _security_settings()}
    return render(request, "accounts/user_list.html", context)


def _security_settings() -> list[tuple[str, object]]:
    """The security settings in force, for the system administrator to read (they are changed in
    the deployment's environment, see README 安全配置)."""
    from django.conf import settings

    from audit.services import retention_days

    return [
        (_("无操作自动退出（分钟）"), settings.SESSION_IDLE_TIMEOUT // 60),
        (_("登录有效期（小时）"), settings.SESSION_ABSOLUTE_LIFETIME // 3600),
        (_("管理员密码有效期（天）"), settings.PASSWORD_MAX_AGE_DAYS or _("不限")),
        (_("不得重复使用的最近密码（个）"), settings.PASSWORD_HISTORY_COUNT),
        (_("连续登录失败锁定（次 / 分钟）"), f"{settings.AXES_FAILURE_LIMIT} / {int(settings.AXES_COOLOFF_TIME * 60)}"),
        (_("审计记录保存（天）"), retention_days()),
        (_("客户端地址来源"), settings.PROXY_CLIENT_IP_HEADER or "REMOTE_ADDR"),
        (_("可信代理层数"), settings.TRUSTED_PROXY_COUNT),
        (_("超级用户须两步验证"), _("是") if settings.OTP_REQUIRED_FOR_SUPERUSER else _("否")),
        (_("回执链接最长有效（天）"), settings.REPLY_LINK_MAX_AGE_DAYS),
    ]


@officer_only(SYSADMIN)
def user_create(request):
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.user_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "accounts/password_issued.html", {"account": user, "password": password})
    return render(request, "accounts/user_form.html", {"form": form})


@officer_only(SYSADMIN)
def user_update(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    if user.is_superuser or user.role in OFFICER_ROLES or user.pk == request.user.pk:
        raise PermissionDenied
    form = UserForm(request.POST or None, instance=user, with_active=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("账号已保存。"))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": user})


# --- 安全管理员: lock-outs, passwords, sessions, second factors ----------------------------------------


@officer_only(SECADMIN)
def security_home(request):
    now = timezone.now()
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    users = User.objects.annotate(
        sessions=Count("login_sessions", filter=Q(login_sessions__session_key__in=live), distinct=True),
        devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True),
    ).filter(is_superuser=False)
    page, text = _user_page(request, users)
    attempts = AccessAttempt.objects.order_by("-attempt_time")[:100]
    context = {"page": page, "q": text, "attempts": attempts}
    return render(request, "accounts/security_home.html", context)


def _target(request, pk):
    return get_object_or_404(User.objects.filter(is_superuser=False), pk=pk)


@officer_only(SECADMIN)
@require_POST
def lockout_clear(request, pk: int):
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    services.lockout_clear(actor=request.user, attempt=attempt, request=request)
    messages.success(request, _("已解除锁定。"))
    return redirect("accounts:security_home")


@officer_only(SECADMIN)
@require_POST
def password_reset(request, pk: int):
    user = _target(request, pk)
    password = services.password_reset(actor=request.user, user=user, request=request)
    return render(request, "accounts/password_issued.html", {"account": user, "password": password, "reset": True})


@officer_only(SECADMIN)
@require_POST
def sessions_end(request, pk: int):
    user = _target(request, pk)
    ended = services.sessions_end(actor=request.user, user=user, request=request)
    messages.success(request, _("已结束 %(name)s 的 %(n)s 个登录会话。") % {"name": user.display_name, "n": ended})
    return redirect("accounts:security_home")


@officer_only(SECADMIN)
@require_POST
def otp_reset(request, pk: int):
    user = _target(request, pk)
    services.otp_reset(actor=request.user, user=user, request=request)
    messages.success(request, _("已重置 %(name)s 的两步验证，其下次登录时重新绑定。") % {"name": user.display_name})
    return redirect("accounts:security_home")


@officer_only(SECADMIN)
@require_POST
def reply_link_revoke(request):
    """Revoke a forwarded or leaked meeting reply link (issue #14 item 10): the officer pastes the
    link the attendee reports; that attendee's links sent so far stop working."""
    from django.core import signing

    from meetings.services.notices import REPLY_SALT

    link = request.POST.get("link", "").strip().rstrip("/")
    token = link.rsplit("/reply/", 1)[-1]
    try:
        attendee_id = int(signing.loads(token, salt=REPLY_SALT)["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        messages.error(request, _("无法识别这个回执链接，请复制邮件中的完整链接。"))
    else:
        services.link_revoke(actor=request.user, kind=REPLY_SALT, object_id=attendee_id, request=request)
        messages.success(request, _("该回执链接已撤销；此前发给同一参会人的回执链接都已失效。"))
    return redirect("accounts:security_home")


# --- the second factor (everyone; required of the three officers) ------------------------------------


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse_lazy(default)


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@login_required
def otp_setup(request):
    """Bind a phone authenticator: scan the QR code (or type the key), confirm with a first code;
    the recovery codes are shown once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if has_device and not user.is_verified():
        return redirect("accounts:otp_verify")
    key = request.session.get(ENROL_KEY) or random_hex(20)
    request.session[ENROL_KEY] = key
    device = services.totp_device_for_enrolment(user=user, key=key)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_confirm(user=user, device=device, token=form.cleaned_data["token"], request=request)
        except ValueError:
            form.add_error("token", _("验证码不正确，请核对手机时间后重试。"))
        else:
            del request.session[ENROL_KEY]
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "enrolled": True})
    secret = device.bin_key
    context = {
        "form": form,
        "qr": _qr_svg(device.config_url),
        "key": base64.b32encode(secret).decode().rstrip("="),
        "has_device": has_device,
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is None:
            audit_record(
                event=AuditEvent.Event.OTP_FAILED, outcome=AuditEvent.Outcome.FAILURE, request=request, user=user
            )
            form.add_error("token", _("验证码不正确或已用过。"))
        else:
            otp_login(request, device)
            audit_record(event=AuditEvent.Event.OTP_VERIFIED, request=request, user=user, detail=device.name)
            return redirect(_next(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
@require_POST
def otp_codes(request):
    """New recovery codes (the old ones stop working); only after the second factor was given."""
    if not request.user.is_verified():
        raise PermissionDenied
    codes = services.recovery_codes_issue(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})
