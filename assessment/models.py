"""R21 double hundred points (双百分): versioned schemes per county and year, each with two
100-point sheets (resident units' co-building work; functional departments), each a tree of
indicators. A published scheme is immutable; a change is a new version (assessment.services)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import TimeStampedModel

from .rules import default_bands, validate_bands


class EvidenceSource(models.TextChoices):
    """R21 item 2: what the portal already knows and a leaf may be scored from
    (assessment.evidence computes the suggested score and writes the calculation out)."""

    ATTENDANCE = "attendance", _("参加大党委会议")
    TASKS_ON_TIME = "tasks_on_time", _("按期完成落实任务")
    PLEDGES_FULFILLED = "pledges_fulfilled", _("认领承诺兑现")
    PROJECTS_COMPLETED = "projects_completed", _("认领项目完成")
    DEDICATION_DAYS = "dedication_days", _("参加党员奉献日")
    IN_SERVICE_MEMBERS = "in_service_members", _("在职党员报到")
    DUES_ON_TIME = "dues_on_time", _("按时足额缴纳共建经费")


class Scheme(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    county = models.ForeignKey(
        "committees.County", on_delete=models.PROTECT, related_name="assessment_schemes", verbose_name=_("县（区）")
    )
    # R21 "township schemes may refine it": a refinement belongs to one township and is based on
    # a published county scheme of the same county and year (assessment.services.scheme_refine).
    township = models.ForeignKey(
        "committees.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment_schemes",
        verbose_name=_("镇（街道）"),
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refinements",
        verbose_name=_("细化自县级方案"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    title = models.CharField(_("名称"), max_length=120)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    grade_bands = models.JSONField(_("等次划分"), default=default_bands)
    weight = models.DecimalField(_("折算权重"), max_digits=6, decimal_places=4, default=1)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["county__name", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "version"],
                condition=Q(township__isnull=True),
                name="scheme_unique_version",
            ),
            models.UniqueConstraint(
                fields=["township", "year", "version"],
                condition=Q(township__isnull=False),
                name="scheme_refinement_unique_version",
            ),
            models.CheckConstraint(
                condition=Q(township__isnull=True, based_on__isnull=True)
                | Q(township__isnull=False, based_on__isnull=False),
                name="scheme_refinement_has_base",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="scheme_weight_nonneg"),
            models.CheckConstraint(condition=Q(version__gte=1), name="scheme_version_positive"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="scheme_published_has_time"
            ),
        ]

    def __str__(self):
        if self.township_id:
            return f"{self.year}年 {self.title}（{self.township.name}细化·第{self.version}版）"
        return f"{self.year}年 {self.title}（第{self.version}版）"

    def get_absolute_url(self):
        return reverse("assessment:scheme_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_refinement(self) -> bool:
        return self.township_id is not None

    def clean(self):
        try:
            validate_bands(self.grade_bands)
        except ValidationError as error:
            raise ValidationError({"grade_bands": error.messages}) from error


class Sheet(models.Model):
    class Kind(models.TextChoices):
        UNITS = "units", _("驻区单位共驻共建")
        DEPARTMENTS = "departments", _("职能部门")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("考核方案"))
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["scheme", "kind"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="sheet_unique_kind")]

    def __str__(self):
        return self.get_kind_display()


class Indicator(TimeStampedModel):
    class Kind(models.TextChoices):
        GROUP = "group", _("分组")
        LEAF = "leaf", _("评分项")
        BONUS = "bonus", _("加分项")
        DEDUCTION = "deduction", _("扣分项")

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("评分表"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级指标")
    )
    # In a township refinement: the county scheme's indicator this one was copied from (None for
    # items the township added). Publishing compares the two (assessment.services).
    origin = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("县级方案对应指标")
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("指标"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.LEAF)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2, default=0)
    limit = models.DecimalField(
        _("累计上限"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("加分项、扣分项累计不超过的分数。"),
    )
    guidance = models.TextField(_("评分标准"), blank=True)
    evidence_required = models.TextField(_("佐证材料"), blank=True)
    evidence_source = models.CharField(
        _("数据来源"),
        max_length=20,
        choices=EvidenceSource.choices,
        blank=True,
        help_text=_("门户据此数据预填建议分（评分人可调整并说明理由）。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["sheet", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gte=0), name="indicator_points_nonneg"),
            models.CheckConstraint(condition=Q(limit__isnull=True) | Q(limit__gte=0), name="indicator_limit_nonneg"),
            models.CheckConstraint(
                condition=Q(kind__in=["group", "leaf"]) | Q(limit__isnull=False),
                name="indicator_bonus_deduction_limit",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def has_limit(self) -> bool:
        return self.kind in (self.Kind.BONUS, self.Kind.DEDUCTION)

    @property
    def entry_max(self) -> Decimal:
        """The most one scorer may enter (R21): a leaf's points; for a bonus or deduction item
        (``max_points`` per occurrence) the item's cumulative limit."""
        return self.limit if self.has_limit and self.limit is not None else self.max_points


class FunctionalDepartment(TimeStampedModel):
    """R21: a county's functional department (职能部门, e.g. 县民政局) that carries community-building
    duties. The county keeps the list (who keeps the schemes keeps it, ``assessment.departments``);
    each scoring round gives every active department of the round's county its own task, scored
    on the scheme's "departments" sheet by the two bodies like a unit."""

    county = models.ForeignKey(
        "committees.County",
        on_delete=models.PROTECT,
        related_name="functional_departments",
        verbose_name=_("县（区）"),
    )
    name = models.CharField(_("部门名称"), max_length=60)
    duties = models.TextField(_("社区建设职责"))
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    is_active = models.BooleanField(_("参加考核"), default=True)
    # R21 recusal: the county accounts that belong to the department never score or review its task.
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="functional_departments",
        verbose_name=_("本部门人员账号"),
    )

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["county__name", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="department_unique_name"),
            models.CheckConstraint(condition=~Q(name=""), name="department_has_name"),
        ]

    def __str__(self):
        return self.name


class Round(TimeStampedModel):
    """R21 joint scoring: one round per county and year, on one published scheme. Every unit gets
    a :class:`ScoringTask`; the committee's scorers and the county organisation department's
    scorers each fill one :class:`ScoreSheet`; the final score combines the two by ``combination``.
    Results are visible to units only after the deliberate release step (``released_at``)."""

    class Combination(models.TextChoices):
        AVERAGE = "average", _("两方平均")
        MIN = "min", _("取较低分")
        MAX = "max", _("取较高分")
        WEIGHTED = "weighted", _("加权")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("考核方案"))
    county = models.ForeignKey(
        "committees.County", on_delete=models.PROTECT, related_name="assessment_rounds", verbose_name=_("县（区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    self_report_deadline = models.DateField(_("自评截止日期"))
    scoring_deadline = models.DateField(_("评分截止日期"), null=True, blank=True)
    combination = models.CharField(
        _("合成规则"), max_length=10, choices=Combination.choices, default=Combination.AVERAGE
    )
    committee_weight = models.DecimalField(
        _("大党委评分权重"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text=_("加权合成时大党委一方所占比重（0–1），县委组织部一方占其余。"),
    )
    released_at = models.DateTimeField(_("结果发布时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分轮次")
        verbose_name_plural = _("评分轮次")
        ordering = ["-year", "county__name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="round_one_per_county_year"),
            models.CheckConstraint(
                condition=Q(committee_weight__gte=0) & Q(committee_weight__lte=1), name="round_weight_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.title}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class RoundScorer(models.Model):
    """A user named as a scorer of a round for one body. The county organisation department's
    scorers are always named here (a county reviewer without a naming only reads); the
    committee's scorers are the community's secretaries and the township's staff, or named."""

    class Body(models.TextChoices):
        COMMITTEE = "committee", _("大党委")
        COUNTY = "county", _("县委组织部")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scorers", verbose_name=_("评分轮次"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorer_of", verbose_name=_("评分人")
    )
    body = models.CharField(_("评分方"), max_length=10, choices=Body.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分人")
        verbose_name_plural = _("评分人")
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="round_scorer_unique")]

    def __str__(self):
        return f"{self.user} · {self.get_body_display()}"


class ScoringTask(TimeStampedModel):
    """One unit's scoring in a round (R21): self-report → both bodies submit → review →
    finalisation. A finalised score changes only through a :class:`ScoreCorrection`."""

    SCOPE_COMMUNITY = "unit__community"
    SCOPE_UNIT = "unit"

    class Status(models.TextChoices):
        OPEN = "open", _("评分中")
        SUBMITTED = "submitted", _("待审核")
        REVIEWED = "reviewed", _("已审核")
        FINALISED = "finalised", _("已定分")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("评分轮次"))
    # R21: a task scores either a resident unit or a functional department of the county's list
    # (exactly one of the two, ``task_unit_or_department``); unit tasks keep every unit-scoped read.
    unit = models.ForeignKey(
        "committees.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scoring_tasks",
        verbose_name=_("单位"),
    )
    department = models.ForeignKey(
        FunctionalDepartment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scoring_tasks",
        verbose_name=_("职能部门"),
    )
    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("评分表"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    self_report = models.TextField(_("单位自评报告"), blank=True)
    self_report_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True)
    committee_total = models.DecimalField(_("大党委评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    county_total = models.DecimalField(_("县委组织部评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    final_score = models.DecimalField(_("最终得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    converted = models.DecimalField(_("折算分"), max_digits=7, decimal_places=2, null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    finalised_at = models.DateTimeField(_("定分时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("定分人"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分任务")
        verbose_name_plural = _("评分任务")
        ordering = ["round", "unit__community__name", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="task_one_per_unit"),
            models.UniqueConstraint(fields=["round", "department"], name="task_one_per_department"),
            models.CheckConstraint(
                condition=Q(unit__isnull=False, department__isnull=True)
                | Q(unit__isnull=True, department__isnull=False),
                name="task_unit_or_department",
            ),
            models.CheckConstraint(
                condition=~Q(status="finalised") | (Q(final_score__isnull=False) & Q(finalised_at__isnull=False)),
                name="task_finalised_has_score",
            ),
        ]
        indexes = [models.Index(fields=["round", "final_score"], name="task_round_score")]

    def __str__(self):
        return f"{self.round} · {self.subject}"

    @property
    def subject(self):
        """The unit or the functional department scored (R21)."""
        return self.unit if self.unit_id is not None else self.department

    @property
    def is_department(self) -> bool:
        return self.department_id is not None

    @property
    def is_finalised(self) -> bool:
        return self.status == self.Status.FINALISED


class TaskEvidence(TimeStampedModel):
    """A file the unit's liaison attaches to its self-report before the round's deadline."""

    SCOPE_COMMUNITY = "task__unit__community"
    SCOPE_UNIT = "task__unit"
    LIAISON_EDITABLE = True

    task = models.ForeignKey(ScoringTask, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("评分任务"))
    title = models.CharField(_("材料名称"), max_length=120)
    file = models.FileField(_("文件"), upload_to="assessment/evidence/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["task", "created_at"]

    def __str__(self):
        return self.title


class ScoreSheet(TimeStampedModel):
    """One body's scoring of one task (R21): a line per leaf, bonus and deduction item."""

    SCOPE_COMMUNITY = "task__unit__community"
    SCOPE_UNIT = "task__unit"

    class Status(models.TextChoices):
        DRAFT = "draft", _("评分中")
        SUBMITTED = "submitted", _("已提交")

    task = models.ForeignKey(
        ScoringTask, on_delete=models.CASCADE, related_name="scoresheets", verbose_name=_("评分任务")
    )
    body = models.CharField(_("评分方"), max_length=10, choices=RoundScorer.Body.choices)
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评分人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("合计"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分表（一方）")
        verbose_name_plural = _("评分表（一方）")
        ordering = ["task", "body"]
        constraints = [models.UniqueConstraint(fields=["task", "body"], name="scoresheet_one_per_body")]

    def __str__(self):
        return f"{self.task} · {self.get_body_display()}"


class ScoreLine(TimeStampedModel):
    """The points one body gives one indicator, with the portal's suggestion beside it; a score
    that differs from the suggestion carries the scorer's reason."""

    SCOPE_COMMUNITY = "scoresheet__task__unit__community"
    SCOPE_UNIT = "scoresheet__task__unit"

    scoresheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="lines", verbose_name=_("评分表"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标"))
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    suggested = models.DecimalField(_("建议分"), max_digits=5, decimal_places=2, null=True, blank=True)
    suggestion_text = models.CharField(_("建议分计算"), max_length=200, blank=True)
    reason = models.TextField(_("调整理由"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["scoresheet", "indicator__order", "indicator__pk"]
        constraints = [
            models.UniqueConstraint(fields=["scoresheet", "indicator"], name="scoreline_one_per_indicator"),
            models.CheckConstraint(condition=Q(points__gte=0), name="scoreline_points_nonneg"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.points}"


class ScoreCorrection(models.Model):
    """R21: a finalised score changes only through a recorded correction with a reason."""

    SCOPE_COMMUNITY = "task__unit__community"
    SCOPE_UNIT = "task__unit"

    task = models.ForeignKey(
        ScoringTask, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("评分任务")
    )
    old_score = models.DecimalField(_("原得分"), max_digits=6, decimal_places=2)
    new_score = models.DecimalField(_("更正后得分"), max_digits=6, decimal_places=2)
    old_grade = models.CharField(_("原等次"), max_length=20)
    new_grade = models.CharField(_("更正后等次"), max_length=20)
    reason = models.TextField(_("更正理由"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("更正人")
    )
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("得分更正")
        verbose_name_plural = _("得分更正")
        ordering = ["task", "corrected_at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason")]

    def __str__(self):
        return f"{self.task}: {self.old_score} → {self.new_score}"


def ranking_file_upload_to(instance, filename):
    return f"assessment/rankings/{instance.round_id}/{filename}"


class RankingFile(models.Model):
    """A large R21 ranking PDF built in the background (a committee's, a township's or the
    county's ranking of one round), so the page never hangs on WeasyPrint.

    A derived file, not a record: it holds nothing that is not already in the scoring tasks and
    their corrections (which keep their own history), and it is rebuilt at will. So it has no
    ``HistoricalRecords``. ``built_for`` is the newest change of the scope's scoring data (tasks'
    ``updated_at``, corrections, the round itself) the file was built from; newer data makes the
    file stale (``assessment.ranking_files.ranking_file_is_stale``)."""

    class ScopeKind(models.TextChoices):
        COMMITTEE = "committee", _("大党委")
        TOWNSHIP = "township", _("镇（街道）")
        COUNTY = "county", _("县（区）")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ranking_files", verbose_name=_("评分轮次"))
    scope_kind = models.CharField(_("范围"), max_length=10, choices=ScopeKind.choices)
    scope_id = models.PositiveIntegerField(_("范围编号"))
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices, default=Format.PDF)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    rows = models.PositiveIntegerField(_("单位数"), default=0)
    file = models.FileField(_("文件"), upload_to=ranking_file_upload_to, blank=True, max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    built_for = models.DateTimeField(_("数据截至"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    # Issue #13: the claim of the build (see ``common.background``): queued — when the watchdog
    # publishes it again; running — the worker's heartbeat lease.
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("本次申请已尝试次数"), default=0)

    class Meta:
        verbose_name = _("排名表文件")
        verbose_name_plural = _("排名表文件")
        ordering = ["-requested_at"]
        constraints = [
            # Two requests of the same ranking build one file.
            models.UniqueConstraint(
                fields=["round", "scope_kind", "scope_id", "format"], name="ranking_file_once_per_scope"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="ranking_file_progress_max_100"),
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(file=""), name="ranking_file_ready_has_file"),
        ]

    def __str__(self):
        return f"{self.round} · {self.get_scope_kind_display()} {self.scope_id} · {self.get_format_display()}"

    @property
    def is_building(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_stalled(self) -> bool:
        """Queued or running past its lease (see ``common.background``): the page stops polling
        and offers a rebuild; the watchdog also takes it back."""
        from common.background import lease_expired

        return lease_expired(self)

    @property
    def is_polling(self) -> bool:
        return self.is_building and not self.is_stalled
