"""R21 double hundred points (双百分): versioned schemes per county and year, each with two
100-point sheets (resident units' co-building work; functional departments), each a tree of
indicators. A published scheme is immutable; a change is a new version (assessment.services)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import TimeStampedModel

from .rules import default_bands, validate_bands


class Scheme(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    county = models.ForeignKey(
        "committees.County", on_delete=models.PROTECT, related_name="assessment_schemes", verbose_name=_("县（区）")
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
            models.UniqueConstraint(fields=["county", "year", "version"], name="scheme_unique_version"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="scheme_weight_nonneg"),
            models.CheckConstraint(condition=Q(version__gte=1), name="scheme_version_positive"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="scheme_published_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.title}（第{self.version}版）"

    def get_absolute_url(self):
        return reverse("assessment:scheme_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

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
