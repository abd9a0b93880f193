"""Member reviews (R22, issue #6 item 4): the yearly satisfaction survey of the committee's
part-time members by party members, people's congress deputies and residents' representatives.

Who is reviewed (R3–R5): the committee's posts **in force** that are **part-time** — the
secretary when held concurrently by a unit's party-org head (P1, ``is_part_time``), the deputy
secretaries and the members (委员). The full-time deputy (专职副书记, the community party-org
secretary) is never part-time (``committees.services.post_nominate`` forces it), nor is the P3
secretary. The list is snapshotted into ``ReviewSubject`` rows when the campaign opens, so a
post that ends later does not change a running or closed review.

Anonymity with countability: a reviewer holds a one-time ``BallotCode``; a ``Ballot`` row stores
only (subject, category, choice) with a random UUID key and no time, so nothing — no column, no
row order, no timestamp — leads from a ballot back to a code. ``BallotReceipt`` (code, subject)
is unique: one ballot per code per member, guaranteed by the database.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee, Post, Unit
from common.models import TimeStampedModel


class Category(models.TextChoices):
    """R22: the three kinds of reviewers."""

    PARTY_MEMBER = "party_member", _("党员")
    DEPUTY = "deputy", _("人大代表")
    RESIDENT = "resident", _("居民代表")


class Choice(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("比较满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


CHOICE_FIELDS = {
    Choice.SATISFIED: "satisfied",
    Choice.FAIRLY: "fairly",
    Choice.BASIC: "basic",
    Choice.UNSATISFIED: "unsatisfied",
}


class Period(models.IntegerChoices):
    """R22 (issue #11 item 15): a committee reviews yearly, or — its setting — half-yearly."""

    YEAR = 0, _("全年")
    FIRST_HALF = 1, _("上半年")
    SECOND_HALF = 2, _("下半年")


class Campaign(TimeStampedModel):
    """One committee's review of one year (or half-year). Its settings (the P2 rule, counting only
    consecutive reviews, reviewing 列席人员, the electorate) freeze when it opens.

    Issue #11 item 15: ``period`` lets a committee hold its reviews half-yearly; ``consecutive``
    makes the P2 "twice" mean twice in a row; ``include_attendees`` (default for a P3 “1+X”
    committee) reviews the 列席人员 too; the electorate (应参评人数) of each category bounds what
    can be counted: codes issued plus a member's paper ballots never exceed it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("测评中")
        CLOSED = "closed", _("已结束")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="review_campaigns", verbose_name=_("大党委")
    )
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    p2_rule = models.BooleanField(
        _("适用罢免建议办法"),
        default=True,
        help_text=_("不满意票超过半数：第一次给予批评帮助，第二次提出罢免建议并列入下次会议议程。"),
    )
    period = models.PositiveSmallIntegerField(_("测评周期"), choices=Period.choices, default=Period.YEAR)
    consecutive = models.BooleanField(
        _("“两次”须为连续两次测评"),
        default=True,
        help_text=_("勾选：只有连续两次测评不满意票超过半数才提出罢免建议；不勾选：累计两次即提出。"),
    )
    include_attendees = models.BooleanField(
        _("同时测评列席人员"),
        default=False,
        help_text=_("“1+X”模式的大党委对兼职委员和列席人员的履职情况一并测评。"),
    )
    electorate_party_member = models.PositiveIntegerField(_("应参评党员人数"), default=0)
    electorate_deputy = models.PositiveIntegerField(_("应参评人大代表人数"), default=0)
    electorate_resident = models.PositiveIntegerField(_("应参评居民代表人数"), default=0)
    opened_at = models.DateTimeField(_("开始测评时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束测评时间"), null=True, blank=True)

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("委员测评")
        verbose_name_plural = _("委员测评")
        ordering = ["-year", "-period", "committee__name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "period"], name="review_campaign_once_a_period"),
            models.CheckConstraint(condition=Q(period__lte=2), name="review_campaign_period_range"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="review_campaign_dates_ordered"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reviews:campaign_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def electorate(self, category: str) -> int:
        """R22 (issue #11 item 15): how many reviewers of ``category`` there are (应参评人数)."""
        return getattr(self, f"electorate_{category}", 0)

    @property
    def period_label(self) -> str:
        if self.period == Period.YEAR:
            return _("%(year)s年度") % {"year": self.year}
        return _("%(year)s年%(half)s") % {"year": self.year, "half": self.get_period_display()}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


ATTENDEE_KIND = "attendee"
SUBJECT_KINDS = [*Post.Kind.choices, (ATTENDEE_KIND, _("列席人员"))]


class Subject(models.Model):
    """A part-time member under review (snapshot of the post when the campaign opened) — or, where
    the campaign reviews them (P3), a 列席人员 of the period's meetings, without a post — and, once
    the campaign is closed, the result."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("测评"))
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="review_subjects", verbose_name=_("职务")
    )
    order = models.PositiveIntegerField(_("序号"), default=0)
    holder_name = models.CharField(_("姓名"), max_length=40)
    kind = models.CharField(_("职务"), max_length=16, choices=SUBJECT_KINDS)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所在单位")
    )
    holder_title = models.CharField(_("单位职务"), max_length=60, blank=True)
    # The result (R22), written when the campaign closes: online ballots plus paper tallies.
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    fairly = models.PositiveIntegerField(_("比较满意"), default=0)
    basic = models.PositiveIntegerField(_("基本满意"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意"), default=0)
    by_category = models.JSONField(_("分类票数"), default=dict, blank=True)
    flagged = models.BooleanField(_("不满意票超过半数"), default=False)

    SCOPE_COMMUNITY = "campaign__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("测评对象")
        verbose_name_plural = _("测评对象")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "post"], name="review_subject_once_per_post"),
            # A member under review holds a post; a 列席人员 holds none (issue #11 item 15).
            models.CheckConstraint(
                condition=Q(kind="attendee", post__isnull=True) | (~Q(kind="attendee") & Q(post__isnull=False)),
                name="review_subject_post_unless_attendee",
            ),
            # "more than half" (R22/P2): 不满意 > total / 2  ⟺  不满意 > 满意 + 比较满意 + 基本满意.
            models.CheckConstraint(
                condition=Q(flagged=False) | Q(unsatisfied__gt=F("satisfied") + F("fairly") + F("basic")),
                name="review_subject_flag_means_majority",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.holder_name}"

    @property
    def total(self) -> int:
        return self.satisfied + self.fairly + self.basic + self.unsatisfied

    @property
    def unsatisfied_share(self) -> float:
        return self.unsatisfied / self.total if self.total else 0.0

    def counts(self) -> list[tuple[str, str, int]]:
        """(choice value, label, count) in ballot order."""
        return [(value, label, getattr(self, CHOICE_FIELDS[value])) for value, label in Choice.choices]


class BallotCode(models.Model):
    """A one-time credential of one reviewer of one category. It records whether it was used,
    never how."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes", verbose_name=_("测评"))
    category = models.CharField(_("测评人类别"), max_length=16, choices=Category.choices)
    code = models.CharField(_("测评码"), max_length=16, unique=True)
    batch = models.PositiveIntegerField(_("批次"), default=1)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    used = models.BooleanField(_("已使用"), default=False)

    SCOPE_COMMUNITY = "campaign__committee__community"

    class Meta:
        verbose_name = _("测评码")
        verbose_name_plural = _("测评码")
        ordering = ["campaign", "category", "pk"]

    def __str__(self):
        return self.display_code

    def get_absolute_url(self):
        return reverse("reviews:ballot", args=[self.code])

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class BallotReceipt(models.Model):
    """That a code has voted on a member (not how): one ballot per code per member (R22)."""

    code = models.ForeignKey(BallotCode, on_delete=models.CASCADE, related_name="receipts")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")

    SCOPE_COMMUNITY = "subject__campaign__committee__community"

    class Meta:
        verbose_name = _("投票回执")
        verbose_name_plural = _("投票回执")
        constraints = [models.UniqueConstraint(fields=["code", "subject"], name="review_one_ballot_per_code_member")]

    def __str__(self):
        return f"{self.code_id} → {self.subject_id}"


class Ballot(models.Model):
    """One anonymous ballot on one member: no link to a code or a person, a random key (so the
    row order says nothing) and no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("测评对象"))
    category = models.CharField(_("测评人类别"), max_length=16, choices=Category.choices)
    choice = models.CharField(_("测评意见"), max_length=12, choices=Choice.choices)

    SCOPE_COMMUNITY = "subject__campaign__committee__community"

    class Meta:
        verbose_name = _("测评票")
        verbose_name_plural = _("测评票")

    def __str__(self):
        return self.get_choice_display()


class PaperTally(models.Model):
    """Counts from paper ballots of one category for one member, entered by the secretary;
    every change is kept in the history."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("测评对象"))
    category = models.CharField(_("测评人类别"), max_length=16, choices=Category.choices)
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    fairly = models.PositiveIntegerField(_("比较满意"), default=0)
    basic = models.PositiveIntegerField(_("基本满意"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    SCOPE_COMMUNITY = "subject__campaign__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("纸质票汇总")
        verbose_name_plural = _("纸质票汇总")
        ordering = ["subject", "category"]
        constraints = [models.UniqueConstraint(fields=["subject", "category"], name="review_tally_once_per_category")]

    def __str__(self):
        return f"{self.subject} · {self.get_category_display()}"

    @property
    def total(self) -> int:
        return self.satisfied + self.fairly + self.basic + self.unsatisfied


class Outcome(models.Model):
    """What the P2 rule decided for a flagged member: criticism and help the first time, a
    removal proposal the second time — put on the committee's next meeting's agenda, or pending
    until the next meeting is scheduled."""

    class Kind(models.TextChoices):
        CRITICISM = "criticism", _("批评帮助")
        REMOVAL = "removal", _("建议罢免")

    subject = models.OneToOneField(
        Subject, on_delete=models.CASCADE, related_name="outcome", verbose_name=_("测评对象")
    )
    kind = models.CharField(_("处理意见"), max_length=10, choices=Kind.choices)
    flagged_times = models.PositiveIntegerField(_("不满意超过半数次数"), default=1)
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("列入议题"),
    )
    created_at = models.DateTimeField(_("形成时间"), auto_now_add=True)

    SCOPE_COMMUNITY = "subject__campaign__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("测评处理意见")
        verbose_name_plural = _("测评处理意见")
        ordering = ["subject"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="removal") | Q(agenda_item__isnull=True), name="review_outcome_only_removal_on_agenda"
            ),
        ]

    def __str__(self):
        return f"{self.subject.holder_name}：{self.get_kind_display()}"

    @property
    def is_pending(self) -> bool:
        return self.kind == self.Kind.REMOVAL and self.agenda_item_id is None
