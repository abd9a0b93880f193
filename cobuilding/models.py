"""Co-building (共驻共建, R15–R20): agreements with member units, pledges in the eight kinds and
their fulfilment, public-benefit projects claimed by units, dedication days, in-service party
members and two-way service commitments.

Unit-owned rows name the path to their unit in ``SCOPE_UNIT`` so that a liaison sees only their
own unit; rows a liaison fills in are ``LIAISON_EDITABLE``. Actions reserved to the community
(accept, return, confirm) check the role in the service as well (``services.require_reviewer``).
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee, Grid, Unit
from common.models import TimeStampedModel
from meetings.models import FollowUpTask, Resolution

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")

SCAN_TYPES = ("pdf", "png", "jpg", "jpeg")
PHOTO_TYPES = ("png", "jpg", "jpeg")
ROSTER_TYPES = ("xlsx", "pdf", "png", "jpg", "jpeg")


@deconstructible
class PrivateUploadTo:
    """Files live under MEDIA_ROOT (outside the web root); the stored name keeps nothing the user
    typed except the extension, so a crafted file name cannot traverse folders."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        return f"cobuilding/{self.folder}/{uuid.uuid4().hex}.{ext}"

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and other.folder == self.folder


agreement_upload_to = PrivateUploadTo("agreements")
photo_upload_to = PrivateUploadTo("photos")
evidence_upload_to = PrivateUploadTo("evidence")
roster_upload_to = PrivateUploadTo("rosters")


# --- agreements (R15, R16) --------------------------------------------------------------


class Agreement(TimeStampedModel):
    """R16: the co-building agreement (共驻共建协议书) binding one member unit for one period,
    with the unit's concrete commitment under each of the six joint principles (R15)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已送达单位")
        SIGNED = "signed", _("已签订")
        EXPIRED = "expired", _("已到期")

    PRINCIPLES = (
        ("org_joint", _("组织联建")),
        ("member_joint", _("党员联管")),
        ("activity_joint", _("活动联办")),
        ("resource_joint", _("资源联用")),
        ("service_joint", _("服务联动")),
        ("support_joint", _("保障联筹")),
    )

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("大党委")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("单位"))
    community_party = models.CharField(_("甲方"), max_length=100)
    unit_party = models.CharField(_("乙方"), max_length=100)
    period_start = models.DateField(_("协议期开始"))
    period_end = models.DateField(_("协议期届满"))
    org_joint = models.TextField(_("组织联建"), blank=True)
    member_joint = models.TextField(_("党员联管"), blank=True)
    activity_joint = models.TextField(_("活动联办"), blank=True)
    resource_joint = models.TextField(_("资源联用"), blank=True)
    service_joint = models.TextField(_("服务联动"), blank=True)
    support_joint = models.TextField(_("保障联筹"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    scan = models.FileField(_("签字盖章扫描件"), upload_to=agreement_upload_to, blank=True, max_length=200)
    scan_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    renewal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("续签自"),
    )

    SCOPE_COMMUNITY = "unit__community"
    SCOPE_UNIT = "unit"
    # The liaison uploads the signed scan; everything else is the community's (checked in services).
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("共驻共建协议书")
        verbose_name_plural = _("共驻共建协议书")
        ordering = ["unit__name", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_start"], name="agreement_unique_period"),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="agreement_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | (Q(signed_on__isnull=False) & ~Q(scan="")),
                name="agreement_signed_has_scan",
            ),
        ]

    def __str__(self):
        return _("%(unit)s共驻共建协议书（%(start)s—%(end)s）") % {
            "unit": self.unit.name,
            "start": f"{self.period_start:%Y.%m.%d}",
            "end": f"{self.period_end:%Y.%m.%d}",
        }

    def get_absolute_url(self):
        return reverse("cobuilding:agreement_detail", args=[self.pk])

    @property
    def shown_status(self) -> str:
        """A signed agreement past its period reads as expired even before the nightly sweep."""
        if self.status == self.Status.SIGNED and self.period_end < timezone.localdate():
            return self.Status.EXPIRED
        return self.status

    def get_shown_status_display(self) -> str:
        return str(self.Status(self.shown_status).label)

    def principle_rows(self) -> list[tuple[str, str]]:
        return [(str(label), getattr(self, name)) for name, label in self.PRINCIPLES]


# --- pledges (R17) ----------------------------------------------------------------------


class PledgeKind(models.TextChoices):
    """R17: the eight kinds of support."""

    POLICY = "policy", _("政策")
    TALENT = "talent", _("人才")
    TECHNOLOGY = "technology", _("技术")
    MATERIAL = "material", _("物资")
    FUNDS = "funds", _("资金")
    INFORMATION = "information", _("信息")
    EDUCATION = "education", _("教育")
    VENUE = "venue", _("阵地")


class PledgeCall(TimeStampedModel):
    """The community's yearly call for pledges (请填写贵单位本年度共建承诺) with its deadline."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="pledge_calls", verbose_name=_("大党委")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    submit_by = models.DateField(_("提交截止日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "committee__community"

    class Meta:
        verbose_name = _("年度承诺征集")
        verbose_name_plural = _("年度承诺征集")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["committee", "year"], name="pledge_call_once_a_year")]

    def __str__(self):
        return _("%(year)s年度共建承诺征集") % {"year": self.year}


class Pledge(TimeStampedModel):
    """R17: one unit's pledge of support in one of the eight kinds.

    Lifecycle: the liaison drafts and submits; the community secretary accepts it or returns it
    with a comment; the liaison fixes and resubmits; once accepted the liaison reports
    fulfilment and the secretary confirms each report. Fulfilled when the confirmed reports
    reach 100 % (``fulfilment_percent``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已接受")
        FULFILLED = "fulfilled", _("已兑现")

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("大党委"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("单位"))
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("支持类别"), max_length=12, choices=PledgeKind.choices)
    title = models.CharField(_("承诺事项"), max_length=100)
    description = models.TextField(_("具体内容"))
    quantity = models.CharField(_("数量"), max_length=60, blank=True, help_text=_("如：培训2场、志愿者10人次"))
    value = models.DecimalField(
        _("价值（元）"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("资金或可折算的价值；没有可不填，但数量与价值至少填一项"),
    )
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("完成期限"))
    contact_name = models.CharField(_("联系人"), max_length=40)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # A pledge that carries out a meeting resolution is followed up as that resolution's task (R13).
    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("所落实的决议"),
    )
    task = models.OneToOneField(
        FollowUpTask, on_delete=models.PROTECT, null=True, blank=True, related_name="pledge", verbose_name=_("督办任务")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )

    SCOPE_COMMUNITY = "unit__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("共建承诺")
        verbose_name_plural = _("共建承诺")
        ordering = ["unit__name", "kind", "pk"]
        indexes = [models.Index(fields=["committee", "year", "status"], name="pledge_committee_year")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity="") | Q(value__isnull=False), name="pledge_quantity_or_value"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="pledge_value_positive"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="pledge_period_ordered"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""), name="pledge_returned_has_comment"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"

    def get_absolute_url(self):
        return reverse("cobuilding:pledge_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def can_report(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def percent(self) -> int:
        """Fulfilment %; needs the annotations of ``selectors.with_progress``."""
        return fulfilment_percent(
            value=self.value,
            confirmed_amount=self.confirmed_amount or ZERO,
            final_confirmed=bool(self.final_confirmed),
        )

    @property
    def counts_for_fulfilment(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.FULFILLED)


def fulfilment_percent(*, value: Decimal | None, confirmed_amount: Decimal, final_confirmed: bool) -> int:
    """R17: how far a pledge is fulfilled, 0–100.

    A pledge with a value counts the confirmed delivered amount against it; a pledge without a
    value (e.g. policy or information support) is 0 % until a confirmed report says it is
    fully delivered. A confirmed final report always counts as 100 %.
    """
    if final_confirmed:
        return 100
    if value:
        return min(100, int(confirmed_amount * 100 / value))
    return 0


class Fulfilment(TimeStampedModel):
    """R17: a report of what was delivered against an accepted pledge, confirmed by the secretary."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        RETURNED = "returned", _("已退回")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="fulfilments", verbose_name=_("承诺"))
    delivered_on = models.DateField(_("兑现日期"))
    text = models.TextField(_("兑现情况"))
    amount = models.DecimalField(_("兑现金额（元）"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    is_final = models.BooleanField(_("已全部兑现"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_comment = models.TextField(_("确认意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    reviewed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )

    SCOPE_COMMUNITY = "pledge__unit__community"
    SCOPE_UNIT = "pledge__unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("兑现报告")
        verbose_name_plural = _("兑现报告")
        ordering = ["pledge", "delivered_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fulfilment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(reviewed_by__isnull=False), name="fulfilment_confirmed_by"
            ),
        ]

    def __str__(self):
        return _("%(pledge)s 兑现报告（%(day)s）") % {
            "pledge": self.pledge.title,
            "day": f"{self.delivered_on:%Y.%m.%d}",
        }


class FulfilmentPhoto(models.Model):
    fulfilment = models.ForeignKey(
        Fulfilment, on_delete=models.CASCADE, related_name="photos", verbose_name=_("兑现报告")
    )
    file = models.FileField(_("照片"), upload_to=photo_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    SCOPE_COMMUNITY = "fulfilment__pledge__unit__community"
    SCOPE_UNIT = "fulfilment__pledge__unit"
    LIAISON_EDITABLE = True

    class Meta:
        verbose_name = _("兑现照片")
        verbose_name_plural = _("兑现照片")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name or self.file.name


# --- public-benefit projects (R17 认领公益项目) ------------------------------------------


class Project(TimeStampedModel):
    """A public-benefit project the committee publishes for units to claim (认领公益项目, R17)."""

    class Status(models.TextChoices):
        OPEN = "open", _("认领中")
        CLOSED = "closed", _("已截止")
        CANCELLED = "cancelled", _("已取消")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="projects", verbose_name=_("大党委")
    )
    title = models.CharField(_("项目名称"), max_length=100)
    need = models.TextField(_("需求"))
    place = models.CharField(_("地点"), max_length=120)
    budget = models.DecimalField(_("预算（元）"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    claim_by = models.DateField(_("认领截止日期"))
    deadline = models.DateField(_("完成期限"))
    places = models.PositiveSmallIntegerField(
        _("可认领单位数"), default=1, validators=[MinValueValidator(1)], help_text=_("最多几个单位可以认领")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公益项目")
        verbose_name_plural = _("公益项目")
        ordering = ["-claim_by", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="project_places_positive"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_positive"),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("claim_by")), name="project_deadline_after_claim"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cobuilding:project_detail", args=[self.pk])

    def is_claimable_on(self, day: datetime.date) -> bool:
        return self.status == self.Status.OPEN and day <= self.claim_by


class ProjectClaim(TimeStampedModel):
    """One unit's claim of a project. ``place_no`` numbers the places 1..places and is unique per
    project, so even without row locks (SQLite) two claims can never take the same place; on
    PostgreSQL ``project_claim`` also locks the project row."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("已认领")
        REPORTED = "reported", _("已申请验收")
        COMPLETED = "completed", _("已完成")
        WITHDRAWN = "withdrawn", _("已撤回")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="claims", verbose_name=_("项目"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="project_claims", verbose_name=_("单位"))
    # None once withdrawn: the place is free again for another unit (R17).
    place_no = models.PositiveSmallIntegerField(_("名额序号"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CLAIMED)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("认领人")
    )
    completed_on = models.DateField(_("完成确认日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤回人"),
    )
    withdraw_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "project__committee__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目认领")
        verbose_name_plural = _("项目认领")
        ordering = ["project", "place_no"]
        constraints = [
            # A withdrawn claim keeps its row (history) but neither its place nor the unit's slot.
            models.UniqueConstraint(
                fields=["project", "unit"], condition=~Q(status="withdrawn"), name="claim_once_per_unit"
            ),
            models.UniqueConstraint(fields=["project", "place_no"], name="claim_unique_place"),
            models.CheckConstraint(
                condition=Q(place_no__isnull=True) | Q(place_no__gte=1), name="claim_place_positive"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="withdrawn", place_no__isnull=True, withdrawn_at__isnull=False) & ~Q(withdraw_reason="")
                )
                | (~Q(status="withdrawn") & Q(place_no__isnull=False)),
                name="claim_withdrawn_frees_place",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False, confirmed_by__isnull=False),
                name="claim_completed_confirmed",
            ),
        ]

    def __str__(self):
        return f"{self.unit.name}认领{self.project.title}"

    def get_absolute_url(self):
        return reverse("cobuilding:claim_detail", args=[self.pk])


class ProjectUpdate(models.Model):
    """Progress on a claimed project, with optional evidence (photo or PDF)."""

    claim = models.ForeignKey(ProjectClaim, on_delete=models.CASCADE, related_name="updates", verbose_name=_("认领"))
    happened_on = models.DateField(_("日期"))
    text = models.TextField(_("进展情况"))
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_upload_to, blank=True, max_length=200)
    evidence_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    asks_completion = models.BooleanField(_("申请完成验收"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    SCOPE_COMMUNITY = "claim__project__committee__community"
    SCOPE_UNIT = "claim__unit"
    LIAISON_EDITABLE = True

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["happened_on", "pk"]

    def __str__(self):
        return f"{self.claim} {self.happened_on:%Y-%m-%d}"


# --- dedication days (R18) --------------------------------------------------------------

DEDICATION_DAYS_PER_YEAR = 2  # R18: twice a year


class DedicationDay(TimeStampedModel):
    """R18: a 社区党员奉献日; two per committee per year (``sequence`` 1 and 2)."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="dedication_days", verbose_name=_("大党委")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveSmallIntegerField(_("第几次"), choices=[(1, _("第一次")), (2, _("第二次"))])
    held_on = models.DateField(_("日期"))
    theme = models.CharField(_("主题"), max_length=100)
    place = models.CharField(_("地点"), max_length=120, blank=True)

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党员奉献日")
        verbose_name_plural = _("党员奉献日")
        ordering = ["-year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "sequence"], name="dedication_day_twice_a_year"),
            models.CheckConstraint(condition=Q(sequence__in=[1, 2]), name="dedication_day_sequence"),
        ]

    def __str__(self):
        return _("%(year)s年%(seq)s党员奉献日") % {"year": self.year, "seq": self.get_sequence_display()}

    def get_absolute_url(self):
        return reverse("cobuilding:dedication_detail", args=[self.pk])


class DedicationParticipation(TimeStampedModel):
    """R18: the in-service party members of one unit who took part in one dedication day: their
    names (the count follows), or a count with an uploaded roster."""

    day = models.ForeignKey(
        DedicationDay, on_delete=models.CASCADE, related_name="participations", verbose_name=_("奉献日")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="dedication_participations", verbose_name=_("单位")
    )
    count = models.PositiveIntegerField(_("参加人数"))
    names = models.TextField(_("参加党员名单"), blank=True, help_text=_("每行一个姓名"))
    roster = models.FileField(_("名单附件"), upload_to=roster_upload_to, blank=True, max_length=200)
    roster_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    SCOPE_COMMUNITY = "unit__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("奉献日参与")
        verbose_name_plural = _("奉献日参与")
        ordering = ["day", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["day", "unit"], name="dedication_participation_once"),
            models.CheckConstraint(condition=~Q(names="") | ~Q(roster=""), name="participation_names_or_roster"),
        ]

    def __str__(self):
        return f"{self.unit.name} {self.day}"

    @property
    def name_list(self) -> list[str]:
        return [n.strip() for n in self.names.splitlines() if n.strip()]


# --- in-service party members (R20) -----------------------------------------------------


class InServiceMember(TimeStampedModel):
    """R20: a party member working in a member unit who reported to the community (在职党员进社区)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="in_service_members", verbose_name=_("单位"))
    name = models.CharField(_("姓名"), max_length=40)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    grid = models.ForeignKey(
        Grid, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("报到网格")
    )
    reported_on = models.DateField(_("报到日期"))
    is_active = models.BooleanField(_("在册"), default=True)

    SCOPE_COMMUNITY = "unit__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("在职党员")
        verbose_name_plural = _("在职党员")
        ordering = ["unit__name", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name", "phone"], name="in_service_member_unique")]

    def __str__(self):
        return self.name


class MemberService(models.Model):
    """R20: one service an in-service party member did in the community."""

    member = models.ForeignKey(
        InServiceMember, on_delete=models.CASCADE, related_name="services", verbose_name=_("党员")
    )
    served_on = models.DateField(_("日期"))
    content = models.CharField(_("服务内容"), max_length=200)
    hours = models.DecimalField(
        _("时长（小时）"), max_digits=5, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    SCOPE_COMMUNITY = "member__unit__community"
    SCOPE_UNIT = "member__unit"
    LIAISON_EDITABLE = True

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="member_service_hours_positive")]

    def __str__(self):
        return f"{self.member.name} {self.served_on:%Y-%m-%d} {self.content}"


# --- two-way service commitments (R19) --------------------------------------------------


class Commitment(TimeStampedModel):
    """R19: one line of the two-way service commitment (双向服务承诺书): a need or a commitment of
    the community or of the unit, under 难题联解 / 阵地联建 / 教育联抓, with its status."""

    class Side(models.TextChoices):
        COMMUNITY = "community", _("社区")
        UNIT = "unit", _("单位")

    class Kind(models.TextChoices):
        NEED = "need", _("需求")
        PROMISE = "promise", _("承诺")

    class Area(models.TextChoices):
        PROBLEMS = "problems", _("难题联解")
        VENUES = "venues", _("阵地联建")
        EDUCATION = "education", _("教育联抓")

    class Status(models.TextChoices):
        OPEN = "open", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")
        DROPPED = "dropped", _("已取消")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("大党委")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("单位"))
    year = models.PositiveSmallIntegerField(_("年度"))
    side = models.CharField(_("提出方"), max_length=10, choices=Side.choices)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    area = models.CharField(_("领域"), max_length=10, choices=Area.choices)
    content = models.TextField(_("内容"))
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    status_note = models.CharField(_("进展说明"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "unit__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("双向服务承诺")
        verbose_name_plural = _("双向服务承诺")
        ordering = ["unit__name", "side", "area", "pk"]

    def __str__(self):
        return f"{self.get_side_display()}{self.get_kind_display()}：{self.content[:30]}"
