"""The five-stage rollout of a township (R25, issue #7 item 1).

A township's :class:`RolloutPlan` for a year names the planned months of the five stages
(:class:`PlanStage`, defaults from R25: 宣传 Feb–Mar, 摸底 Mar, 方案 Apr, 试点 Apr–Nov,
建章立制 Dec) and its pilot community. Each community has a :class:`CommunityProgress` row (its
current stage, 0 = not started) and a :class:`StageChange` log of every move, automatic ones
(``by`` empty) included. The deliverables the portal checks are recorded here too: publicity
events (stage 1), the community's plan document and the units' opinions on it (stage 3) and the
three rule documents adopted in a held meeting (stage 5); the ledger (stage 2, R2) and the pilot
committee (stage 4) are read from ``committees`` and ``meetings``. The rules themselves are in
``rollout.rules``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Community, Township, Unit
from common.models import TimeStampedModel


class Stage(models.IntegerChoices):
    """R25: the five stages (0 = the community has not started)."""

    NOT_STARTED = 0, _("未开始")
    PUBLICITY = 1, _("广泛宣传，统一思想")
    SURVEY = 2, _("调查摸底，打好基础")
    PLAN = 3, _("制定方案，征求意见")
    PILOT = 4, _("试点先行，总结推广")
    RULES = 5, _("建章立制，强化管理")


# R25 [P1 §五]: the planned months of each stage (start, end), both inclusive.
DEFAULT_MONTHS = {1: (2, 3), 2: (3, 3), 3: (4, 4), 4: (4, 11), 5: (12, 12)}

DOCUMENT_TYPES = ("pdf", "docx", "png", "jpg", "jpeg")
PHOTO_TYPES = ("pdf", "png", "jpg", "jpeg")


@deconstructible
class PrivateUploadTo:
    """Files live under MEDIA_ROOT (outside the web root); only the extension of the user's file
    name is kept."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        return f"rollout/{self.folder}/{uuid.uuid4().hex}.{ext}"

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and other.folder == self.folder


class RolloutPlan(TimeStampedModel):
    """R25: a township's rollout plan for one year, with its pilot community (R25.4)."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="rollout_plans", verbose_name=_("镇/街道")
    )
    year = models.PositiveIntegerField(_("年度"))
    pilot = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("试点社区"),
    )
    pilot_summary = models.TextField(_("试点工作总结"), blank=True)
    pilot_summary_file = models.FileField(
        _("试点总结材料"), upload_to=PrivateUploadTo("summaries"), blank=True, max_length=200
    )
    pilot_summarised_at = models.DateTimeField(_("试点总结时间"), null=True, blank=True)
    pilot_summarised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("总结确认人"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("推进计划")
        verbose_name_plural = _("推进计划")
        ordering = ["township", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year"], name="rollout_plan_one_per_year"),
            models.CheckConstraint(
                condition=Q(pilot_summarised_at__isnull=True) | ~Q(pilot_summary=""),
                name="rollout_plan_summary_has_text",
            ),
        ]

    def __str__(self):
        return f"{self.township}{self.year}年推进计划"

    def get_absolute_url(self):
        return reverse("rollout:plan_detail", args=[self.pk])

    @property
    def pilot_summarised(self) -> bool:
        return self.pilot_summarised_at is not None


class PlanStage(models.Model):
    """R25: one stage's planned months in a plan (editable by the township)."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="stages", verbose_name=_("推进计划"))
    stage = models.PositiveSmallIntegerField(_("阶段"), choices=[c for c in Stage.choices if c[0]])
    start_month = models.PositiveSmallIntegerField(_("计划开始月份"))
    end_month = models.PositiveSmallIntegerField(_("计划结束月份"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("阶段计划")
        verbose_name_plural = _("阶段计划")
        ordering = ["plan", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "stage"], name="plan_stage_unique"),
            models.CheckConstraint(condition=Q(stage__gte=1, stage__lte=5), name="plan_stage_range"),
            models.CheckConstraint(
                condition=Q(start_month__gte=1, end_month__lte=12, end_month__gte=models.F("start_month")),
                name="plan_stage_months_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.stage} {self.get_stage_display()}"


class CommunityProgress(TimeStampedModel):
    """R25: where one community stands in its township's plan.

    ``stage`` is the stage the community is in (0 = not started); ``stage_done`` caches whether
    that stage's deliverables were complete at the last refresh (a community waiting at the
    pilot gate, or one that finished stage 5, is in a complete stage and so never late)."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="progress", verbose_name=_("推进计划"))
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="rollout_progress", verbose_name=_("社区")
    )
    stage = models.PositiveSmallIntegerField(_("当前阶段"), choices=Stage.choices, default=Stage.NOT_STARTED)
    stage_since = models.DateField(_("进入本阶段日期"), null=True, blank=True)
    stage_done = models.BooleanField(_("本阶段已完成"), default=False)

    SCOPE_COMMUNITY = "community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社区推进进度")
        verbose_name_plural = _("社区推进进度")
        ordering = ["plan", "community__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "community"], name="progress_one_per_community"),
            models.CheckConstraint(condition=Q(stage__lte=5), name="progress_stage_range"),
        ]

    def __str__(self):
        return f"{self.community}：{self.get_stage_display()}"

    def get_absolute_url(self):
        return reverse("rollout:progress_detail", args=[self.pk])


class StageChange(models.Model):
    """R25: one move of a community between stages; ``by`` empty = automatic (the reason says why)."""

    progress = models.ForeignKey(
        CommunityProgress, on_delete=models.CASCADE, related_name="changes", verbose_name=_("推进进度")
    )
    from_stage = models.PositiveSmallIntegerField(_("原阶段"), choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField(_("新阶段"), choices=Stage.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    reason = models.CharField(_("原因"), max_length=300)

    SCOPE_COMMUNITY = "progress__community"

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["-at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="stage_change_has_reason")]

    def __str__(self):
        return f"{self.from_stage} → {self.to_stage}"

    @property
    def automatic(self) -> bool:
        return self.by_id is None


class PublicityEvent(TimeStampedModel):
    """R25.1 deliverable: a publicity event held in the community (广泛宣传,统一思想)."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("动员会")
        TRAINING = "training", _("培训")
        VISIT = "visit", _("走访")
        MEDIA = "media", _("宣传栏/媒体")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="publicity_events", verbose_name=_("社区")
    )
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    file = models.FileField(_("照片/材料"), upload_to=PrivateUploadTo("publicity"), blank=True, max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    SCOPE_COMMUNITY = "community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.title


class PlanDocument(TimeStampedModel):
    """R25.3 deliverable: the community's draft plan (实施方案) on which the units comment.

    Opinions are gathered once at least one unit commented and the community closed the
    gathering (``opinions_closed_at``)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="plan_documents", verbose_name=_("社区")
    )
    title = models.CharField(_("方案名称"), max_length=120)
    file = models.FileField(_("方案文件"), upload_to=PrivateUploadTo("plans"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    opinions_closed_at = models.DateTimeField(_("征求意见结束时间"), null=True, blank=True)
    opinions_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结束征求意见人"),
    )

    SCOPE_COMMUNITY = "community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rollout:document_detail", args=[self.pk])

    @property
    def opinions_open(self) -> bool:
        return self.opinions_closed_at is None


class PlanOpinion(TimeStampedModel):
    """R25.3: a member unit's opinion on the plan, written by its liaison (one per unit and plan)."""

    document = models.ForeignKey(
        PlanDocument, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("实施方案")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plan_opinions", verbose_name=_("单位"))
    text = models.TextField(_("意见建议"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填写人")
    )

    SCOPE_COMMUNITY = "document__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位意见")
        verbose_name_plural = _("单位意见")
        ordering = ["unit__name"]
        constraints = [models.UniqueConstraint(fields=["document", "unit"], name="plan_opinion_one_per_unit")]

    def __str__(self):
        return f"{self.unit}：{self.text[:20]}"


class RuleDocument(TimeStampedModel):
    """R25.5 deliverable: one of the three rule documents, adopted when approved in a held meeting
    of the community's committee (``approved_in``)."""

    class Kind(models.TextChoices):
        MEETING_RULES = "meeting", _("会议制度")
        DELIBERATION_RULES = "deliberation", _("议事规则")
        ASSESSMENT_METHODS = "assessment", _("考核办法")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="rule_documents", verbose_name=_("社区")
    )
    kind = models.CharField(_("类别"), max_length=14, choices=Kind.choices)
    title = models.CharField(_("文件名称"), max_length=120)
    file = models.FileField(_("文件"), upload_to=PrivateUploadTo("rules"), max_length=200)
    approved_in = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审议通过的会议"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    SCOPE_COMMUNITY = "community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("制度文件")
        verbose_name_plural = _("制度文件")
        ordering = ["kind", "-created_at"]

    def __str__(self):
        return self.title
