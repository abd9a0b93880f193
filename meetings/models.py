"""Meetings of the committee (R8–R13): agenda, attendees and their replies, attendance, motions
and named votes, the record (会议记录) and the minutes (会议纪要), resolutions and follow-up tasks."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee, Post, Unit
from common.models import TimeStampedModel
from common.validators import validate_mobile

PORTAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")  # the portal's day, quarter and year (R8)
NOTICE_LEAD = datetime.timedelta(hours=48)  # R12.2: topic, time and place announced 2 days ahead


class Meeting(TimeStampedModel):
    class Kind(models.TextChoices):
        WORK = "work", _("工作会议")
        JOINT = "joint", _("党建联席会")
        EXTRAORDINARY = "extraordinary", _("临时会议")
        YEAR_END = "year_end", _("年终报告工作会议")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        NOTIFIED = "notified", _("已通知")
        HELD = "held", _("已召开")
        MINUTES_APPROVED = "minutes_approved", _("纪要已审定")
        CANCELLED = "cancelled", _("已取消")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("大党委")
    )
    kind = models.CharField(_("会议类型"), max_length=16, choices=Kind.choices, default=Kind.WORK)
    title = models.CharField(_("会议名称"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), default=120)
    place = models.CharField(_("地点"), max_length=120)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # R9 急事共商: a meeting less than 48 hours ahead needs a reason and is notified at once.
    urgency_reason = models.CharField(_("紧急召开理由"), max_length=200, blank=True)
    # Bumped by every change of time or place: one notice per attendee per version (R12.2).
    version = models.PositiveIntegerField(_("通知版本"), default=1)
    chair_name = models.CharField(_("主持人"), max_length=40, blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    # R8/R12: a meeting held offline and entered afterwards (补录): no notice, a reason, held at once.
    entered_afterwards = models.BooleanField(_("会后补录"), default=False)
    entered_reason = models.CharField(_("补录原因"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="meeting_duration_positive"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="meeting_cancel_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(entered_afterwards=False) | ~Q(entered_reason=""),
                name="meeting_entered_afterwards_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(entered_afterwards=False) | Q(status__in=["held", "minutes_approved"]),
                name="meeting_entered_afterwards_held",
            ),
            # Two people entering the same offline meeting at once make one meeting.
            models.UniqueConstraint(
                fields=["committee", "starts_at"],
                condition=Q(entered_afterwards=True),
                name="meeting_entered_afterwards_once",
                violation_error_message=_("本大党委在该时间已有会议，不能重复登记。"),
            ),
        ]
        indexes = [models.Index(fields=["committee", "starts_at"], name="meeting_committee_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def quarter(self) -> int:
        """R8: the quarter of the meeting's day in Asia/Shanghai, whatever timezone is active."""
        return (self.starts_at.astimezone(PORTAL_TZ).month - 1) // 3 + 1


class AgendaItem(models.Model):
    class Category(models.TextChoices):
        # R11 (a)–(d)
        PARTY_BUILDING = "a", _("区域党建、文明创建、社会管理和稳定等需共同推进的事项")
        AWARDS = "b", _("评先奖优、行风评议")
        COMMUNITY = "c", _("和谐社区建设、居民诉求、区域性活动")
        OTHER = "d", _("其他事项")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("会议"))
    order = models.PositiveIntegerField(_("序号"), default=1)
    category = models.CharField(_("议题类别"), max_length=1, choices=Category.choices)
    title = models.CharField(_("议题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    proposer = models.CharField(_("提出人/单位"), max_length=60, blank=True)
    presenter = models.CharField(_("汇报人"), max_length=40, blank=True)
    planned_minutes = models.PositiveIntegerField(_("计划时长（分钟）"), default=15)

    SCOPE_COMMUNITY = "meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_minutes__gt=0), name="agenda_item_minutes_positive"),
        ]

    def __str__(self):
        return self.title


def attachment_path(instance, filename):
    return f"meetings/{instance.item.meeting_id}/{filename}"


class AgendaAttachment(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("议题"))
    file = models.FileField(_("附件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    SCOPE_COMMUNITY = "item__meeting__committee__community"

    class Meta:
        verbose_name = _("议题附件")
        verbose_name_plural = _("议题附件")

    def __str__(self):
        return self.name


class Attendee(models.Model):
    """Who is asked to a meeting (chosen by topic, R10) and how they replied and attended."""

    class Role(models.TextChoices):
        MEMBER = "member", _("委员（有表决权）")
        UNIT_REP = "unit_rep", _("驻区单位代表（列席）")
        GUEST = "guest", _("特邀人员（列席）")

    class Reply(models.TextChoices):
        NONE = "none", _("未回复")
        CONFIRMED = "confirmed", _("确认参加")
        LEAVE = "leave", _("请假")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("未登记")
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")
        LEAVE = "leave", _("请假")
        DELEGATE = "delegate", _("委托出席")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("会议"))
    # Only a post in force on the meeting day makes a voter (R8/R12.3); everyone else attends (列席).
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices, default=Role.GUEST)
    name = models.CharField(_("姓名"), max_length=40)
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("职务")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("平台账号"),
    )
    email = models.EmailField(_("邮箱"), blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True, validators=[validate_mobile])
    reply = models.CharField(_("回执"), max_length=10, choices=Reply.choices, default=Reply.NONE)
    reply_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    attendance = models.CharField(_("出席情况"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN)
    attendance_note = models.CharField(_("缺席/请假事由或受托人"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "post"], condition=Q(post__isnull=False), name="attendee_once_per_post"
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="attendee_once_per_user"
            ),
            models.CheckConstraint(condition=~Q(reply="leave") | ~Q(reply_reason=""), name="attendee_leave_has_reason"),
            # R12.3: a voter holds a post; a guest or unit representative never does.
            models.CheckConstraint(
                condition=Q(role="member", post__isnull=False) | (~Q(role="member") & Q(post__isnull=True)),
                name="attendee_voter_has_post",
                violation_error_message=_("有表决权的委员须有会议当天在任的职务；列席人员不占职务。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_voter(self) -> bool:
        return self.role == self.Role.MEMBER


class Motion(TimeStampedModel):
    """R12.3: a poll on an agenda item. Settings freeze when it opens; the entitled voters are
    snapshotted when it closes; the minority obeys the majority."""

    class Rule(models.TextChoices):
        MAJORITY_ENTITLED = "majority_entitled", _("赞成票超过应到会委员半数")
        MAJORITY_CAST = "majority_cast", _("赞成票超过投票人数半数")
        TWO_THIRDS_ENTITLED = "two_thirds_entitled", _("赞成票达到应到会委员三分之二")

    class Status(models.TextChoices):
        CREATED = "created", _("未开始")
        OPEN = "open", _("表决中")
        CLOSED = "closed", _("已结束")
        PUBLISHED = "published", _("已公布")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions", verbose_name=_("会议"))
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="motions", verbose_name=_("议题")
    )
    title = models.CharField(_("表决事项"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    rule = models.CharField(_("通过规则"), max_length=24, choices=Rule.choices, default=Rule.MAJORITY_ENTITLED)
    # A motion that concerns one unit alone (its assessment, its dues): that unit's people are recused.
    concerns_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("涉及单位（回避）")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CREATED)
    opened_at = models.DateTimeField(_("开始表决"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束表决"), null=True, blank=True)
    entitled_count = models.PositiveIntegerField(_("应到会（有表决权）"), null=True, blank=True)
    present_count = models.PositiveIntegerField(_("实到（有表决权）"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)

    SCOPE_COMMUNITY = "meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["created", "open"]) | Q(passed__isnull=False, entitled_count__isnull=False),
                name="motion_closed_has_result",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:motion_detail", args=[self.pk])

    @property
    def counting_sentence(self) -> str:
        """R12.3: one sentence saying how abstentions, non-votes and recusals count under the rule."""
        return str(COUNTING_SENTENCES.get(self.rule, ""))


COUNTING_SENTENCES = {
    Motion.Rule.MAJORITY_ENTITLED: _(
        "赞成票须超过应到会委员人数的一半；弃权、出席未投票和缺席都不算赞成票；"
        "回避的委员不参加表决，也不计入应到会人数。"
    ),
    Motion.Rule.MAJORITY_CAST: _(
        "赞成票须超过实际投票人数的一半；弃权票计入投票人数但不算赞成，出席未投票和缺席的委员不计入投票人数；"
        "回避的委员不参加表决，也不计入应到会人数。"
    ),
    Motion.Rule.TWO_THIRDS_ENTITLED: _(
        "赞成票须达到应到会委员人数的三分之二；弃权、出席未投票和缺席都不算赞成票；"
        "回避的委员不参加表决，也不计入应到会人数。"
    ),
}


class MotionVoter(models.Model):
    """The entitled voters of a motion, snapshotted when it closes."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="voters")
    attendee = models.ForeignKey(Attendee, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=40)
    recused = models.BooleanField(default=False)
    present = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "attendee"], name="motion_voter_once")]

    def __str__(self):
        return self.name


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("赞成")
        AGAINST = "against", _("反对")
        ABSTAIN = "abstain", _("弃权")

    class Method(models.TextChoices):
        HANDS = "hands", _("举手（书记登记）")
        DEVICE = "device", _("本人在线表决")

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="votes", verbose_name=_("表决事项"))
    attendee = models.ForeignKey(Attendee, on_delete=models.PROTECT, related_name="votes", verbose_name=_("表决人"))
    choice = models.CharField(_("意见"), max_length=8, choices=Choice.choices)
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices)
    cast_at = models.DateTimeField(_("表决时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    SCOPE_COMMUNITY = "motion__meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [models.UniqueConstraint(fields=["motion", "attendee"], name="vote_once_per_voter")]

    def __str__(self):
        return f"{self.attendee}：{self.get_choice_display()}"


class MeetingRecord(TimeStampedModel):
    """会议记录: the full record of what was said and decided."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="record", verbose_name=_("会议"))
    speeches = models.TextField(_("发言情况"), blank=True)
    decisions = models.TextField(_("议定事项"), blank=True)

    SCOPE_COMMUNITY = "meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")

    def __str__(self):
        return f"{self.meeting}记录"


class Minutes(TimeStampedModel):
    """会议纪要, numbered per committee and year (期号). Draft → circulated → approved → locked;
    a locked minute changes only through a recorded amendment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        CIRCULATED = "circulated", _("征求意见中")
        APPROVED = "approved", _("已审定")
        LOCKED = "locked", _("已归档锁定")

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("会议"))
    year = models.PositiveIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("期号"))
    body = models.TextField(_("正文"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    approved_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审定会议")
    )
    approved_on = models.DateField(_("审定日期"), null=True, blank=True)
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")

    SCOPE_COMMUNITY = "meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "number"], name="minutes_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "circulated"]) | Q(approved_on__isnull=False),
                name="minutes_approved_dated",
            ),
        ]

    def __str__(self):
        return _("%(year)s年第%(number)s期") % {"year": self.year, "number": self.number}


class MinutesAmendment(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField(_("更正内容"))
    reason = models.CharField(_("更正原因"), max_length=200)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    SCOPE_COMMUNITY = "minutes__meeting__committee__community"

    class Meta:
        verbose_name = _("纪要更正")
        verbose_name_plural = _("纪要更正")
        ordering = ["made_at"]

    def __str__(self):
        return self.reason


class MinutesCorrection(models.Model):
    """A correction proposed while the minutes are circulated (征求意见): by an attendee or staff."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="corrections")
    text = models.TextField(_("修改意见"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    SCOPE_COMMUNITY = "minutes__meeting__committee__community"

    class Meta:
        verbose_name = _("纪要修改意见")
        verbose_name_plural = _("纪要修改意见")
        ordering = ["made_at", "pk"]

    def __str__(self):
        return self.text[:40]


class Resolution(TimeStampedModel):
    """决议: an agreed item of a meeting, usually from a passed motion (R12.4)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("会议"))
    motion = models.OneToOneField(
        Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="resolution", verbose_name=_("表决事项")
    )
    text = models.TextField(_("决议内容"))
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任单位")
    )
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    # R12.3/R12.4: without a passed motion, a resolution records the meeting's consensus (协商一致)
    # and the quorum it had then (entitled members, those present).
    consensus_entitled = models.PositiveIntegerField(_("协商一致时应到会"), null=True, blank=True)
    consensus_present = models.PositiveIntegerField(_("协商一致时实到"), null=True, blank=True)

    SCOPE_COMMUNITY = "meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["meeting", "pk"]
        constraints = [
            # A recorded consensus had a quorum: more than half of the entitled present.
            models.CheckConstraint(
                condition=Q(consensus_entitled__isnull=True, consensus_present__isnull=True)
                | Q(
                    motion__isnull=True,
                    consensus_entitled__gt=0,
                    consensus_present__lte=models.F("consensus_entitled"),
                    consensus_present__gt=models.F("consensus_entitled") / 2,
                ),
                name="resolution_consensus_quorum",
            ),
        ]

    @property
    def is_consensus(self) -> bool:
        return self.motion_id is None and self.consensus_entitled is not None

    @property
    def lacks_basis(self) -> bool:
        """Recorded before the rule: neither a passed motion nor a consensus (shown as 待核实)."""
        return self.motion_id is None and self.consensus_entitled is None

    def __str__(self):
        return self.text[:40]


class FollowUpTask(TimeStampedModel):
    """R13: a task that carries out a resolution; closed, never deleted."""

    class Status(models.TextChoices):
        OPEN = "open", _("推进中")
        DONE = "done", _("已完成")

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("决议"))
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("大党委"))
    title = models.CharField(_("任务"), max_length=200)
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="followup_tasks", verbose_name=_("责任单位")
    )
    owner_name = models.CharField(_("责任人"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人账号"),
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)

    SCOPE_COMMUNITY = "committee__community"
    SCOPE_UNIT = "responsible_unit"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督办任务")
        verbose_name_plural = _("督办任务")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_max_100"),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True) | Q(status="done", closed_on__isnull=False),
                name="task_closed_dated",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:task_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class TaskUpdate(models.Model):
    task = models.ForeignKey(FollowUpTask, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("进展"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    SCOPE_COMMUNITY = "task__committee__community"
    SCOPE_UNIT = "task__responsible_unit"

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["made_at"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="task_update_progress_max_100")]

    def __str__(self):
        return self.text[:40]


class ChangeNotice(TimeStampedModel):
    """One batch of changes to a notified meeting (time, place, agenda) and the update notice
    (会议通知变更) it sends, R9/R12.2. ``baseline`` is what the attendees were last told (the state
    before the batch's first change); every later edit before ``due_at`` rewrites the same pending
    messages, so one batch sends one notice per attendee, exactly once."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="change_notices", verbose_name=_("会议")
    )
    batch = models.PositiveIntegerField(_("批次"))
    baseline = models.JSONField(_("变更前的安排"), default=dict)
    summary = models.TextField(_("变更内容"), blank=True)
    due_at = models.DateTimeField(_("发送时间"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)

    SCOPE_COMMUNITY = "meeting__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议通知变更")
        verbose_name_plural = _("会议通知变更")
        ordering = ["meeting", "-batch"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "batch"], name="change_notice_once_per_batch"),
            models.CheckConstraint(condition=Q(batch__gte=1), name="change_notice_batch_positive"),
        ]

    def __str__(self):
        return f"{self.meeting} #{self.batch}"
