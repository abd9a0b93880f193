"""A durable outbox that is also the in-portal inbox.

Every notice (meeting notices and updates, reminders, results) is one ``Message`` row with a
unique ``key`` (e.g. ``meeting:12:v3:notice:attendee:45``): enqueueing twice records it once.
The sweep claims due rows under row locks and sends each e-mail; ``sent_at`` records delivery.
A worker that dies mid-send leaves a claim that expires, so at most that one message repeats.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("已撤销")
        # Issue #13: after a restore from backup, a notice whose moment had passed is not sent.
        EXPIRED = "expired", _("已过期未发送")

    class Channel(models.TextChoices):
        # Issue #15 item 7: how the notice leaves the portal (the in-portal inbox always has it
        # when there is a recipient account). PHONE is the secretary's record of a phone call.
        EMAIL = "email", _("邮件")
        SMS = "sms", _("短信")
        WEBHOOK = "webhook", _("群机器人")
        PHONE = "phone", _("电话")

    key = models.CharField(_("去重键"), max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("收件人"),
    )
    email = models.EmailField(_("邮箱"), blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # The phone number (SMS) or the robot's URL (webhook); e-mail keeps its own field.
    address = models.CharField(_("地址"), max_length=300, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    due_at = models.DateTimeField(_("发送时间"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    claimed_until = models.DateTimeField(_("发送锁定至"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-due_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="message_due"),
            models.Index(fields=["recipient", "read_at"], name="message_unread"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False), name="message_sent_dated"),
        ]

    def __str__(self):
        return self.subject


class CalendarToken(models.Model):
    """The secret of a user's iCalendar feed URL (issue #3 item 8): whoever holds the URL reads
    the feed, so it can be replaced at any time (the old URL then stops working)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token", verbose_name=_("用户")
    )
    token = models.CharField(_("密钥"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历订阅密钥")
        verbose_name_plural = _("日历订阅密钥")

    def __str__(self):
        return str(self.user)


class CommitteeRobot(models.Model):
    """A committee's group robot (企业微信/政务微信/钉钉 style, issue #15 item 7): meeting notices
    are also posted to the group as JSON to this URL."""

    committee = models.OneToOneField(
        "committees.Committee", on_delete=models.CASCADE, related_name="robot", verbose_name=_("大党委")
    )
    url = models.URLField(_("机器人地址"), max_length=300)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self):
        return str(self.committee)
