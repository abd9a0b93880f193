"""The security audit log (issue #14 item 8; 等保 2.0 §8.1.4.3 安全审计).

One row per security event: log-in, failed log-in, log-out, lock-out, permission refusal, export
and the administrators' actions on accounts. Rows are written once and never changed: ``save``
refuses an update and ``delete`` refuses; only :func:`audit.services.audit_prune` removes rows,
and only those older than the retention period (at least 180 days). Changes to business records
keep their own history (django-simple-history) beside this log.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Event(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账户锁定")
        LOGOUT = "logout", _("退出登录")
        SESSION_EXPIRED = "session_expired", _("会话超时退出")
        DENIED = "denied", _("拒绝访问")
        EXPORT = "export", _("导出下载")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        PASSWORD_RESET = "password_reset", _("重置密码")
        USER_CREATED = "user_created", _("新建账号")
        USER_CHANGED = "user_changed", _("修改账号")
        UNLOCKED = "unlocked", _("解除锁定")
        SESSIONS_ENDED = "sessions_ended", _("强制下线")
        OTP_ENROLLED = "otp_enrolled", _("启用两步验证")
        OTP_VERIFIED = "otp_verified", _("两步验证通过")
        OTP_FAILED = "otp_failed", _("两步验证失败")
        OTP_RESET = "otp_reset", _("重置两步验证")
        LINK_REVOKED = "link_revoked", _("撤销回执链接")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")
        REFUSED = "refused", _("拒绝")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    event = models.CharField(_("事件"), max_length=20, choices=Event.choices)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    path = models.CharField(_("页面"), max_length=300, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["event", "at"], name="audit_event_at"),
            models.Index(fields=["username", "at"], name="audit_username_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_event_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计记录不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不能删除。")
