"""The residents' needs list (需求清单), the units' resources list (资源清单) and the matching of a
need to a unit or a project (项目清单), R28. States: 收集 → 认领 → 办理 → 办结 → 回访.
Counts and states only: no unit or person is ranked by points."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import TimeStampedModel


class Category(models.TextChoices):
    ELDERLY = "elderly", _("养老助残")
    CHILDREN = "children", _("儿童教育")
    ENVIRONMENT = "environment", _("环境卫生")
    TRAFFIC = "traffic", _("停车交通")
    JOBS = "jobs", _("就业创业")
    CULTURE = "culture", _("文体活动")
    SAFETY = "safety", _("安全稳定")
    HEALTH = "health", _("医疗健康")
    OTHER = "other", _("其他")


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("场地")
    VEHICLE = "vehicle", _("车辆")
    VOLUNTEERS = "volunteers", _("志愿者")
    SKILL = "skill", _("专业技能")
    GOODS = "goods", _("物资")
    OTHER = "other", _("其他")


class Need(TimeStampedModel):
    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        SOON = "soon", _("较急")
        URGENT = "urgent", _("紧急")

    class Status(models.TextChoices):
        COLLECTED = "collected", _("收集")
        CLAIMED = "claimed", _("认领")
        IN_PROGRESS = "in_progress", _("办理")
        DONE = "done", _("办结")
        VISITED = "visited", _("回访")
        MERGED = "merged", _("已合并")

    OPEN = (Status.COLLECTED, Status.CLAIMED, Status.IN_PROGRESS)

    committee = models.ForeignKey(
        "committees.Committee", on_delete=models.PROTECT, related_name="needs", verbose_name=_("大党委")
    )
    year = models.PositiveIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=((1, _("上半年")), (2, _("下半年"))))
    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(_("具体情况"), blank=True)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    urgency = models.CharField(_("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    grid = models.ForeignKey(
        "committees.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("网格")
    )
    building = models.CharField(_("楼栋"), max_length=60, blank=True)
    asked_by = models.CharField(_("提出人"), max_length=40)
    asked_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    collected_on = models.DateField(_("收集日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.COLLECTED)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged", verbose_name=_("合并到")
    )
    unit = models.ForeignKey(
        "committees.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs_claimed",
        verbose_name=_("认领单位"),
    )
    project = models.ForeignKey(
        "cobuilding.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("公益项目"),
    )
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    done_note = models.TextField(_("办理结果"), blank=True)
    feedback_satisfied = models.BooleanField(_("居民满意"), null=True, blank=True)
    feedback_note = models.TextField(_("回访意见"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    SCOPE_COMMUNITY = "committee__community"
    SCOPE_UNIT = "unit"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("居民需求")
        verbose_name_plural = _("居民需求")
        ordering = ["-collected_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="need_merged_has_target"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["collected", "merged"]) | Q(unit__isnull=False) | Q(project__isnull=False),
                name="need_claimed_has_handler",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["done", "visited"]) | Q(done_on__isnull=False), name="need_done_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="visited") | Q(feedback_satisfied__isnull=False), name="need_visited_has_feedback"
            ),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="need_half_valid"),
        ]
        indexes = [models.Index(fields=["committee", "status"], name="need_committee_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("needs:need_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def steps(self) -> list[tuple[str, str, bool]]:
        """收集 → 认领 → 办理 → 办结 → 回访, each with whether it is the current one."""
        return [(value, label, value == self.status) for value, label in self.Status.choices if value != "merged"]


class Resource(TimeStampedModel):
    """A member unit's standing resource (venue, vehicle, volunteers, skills) its liaison keeps current."""

    unit = models.ForeignKey(
        "committees.Unit", on_delete=models.CASCADE, related_name="resources", verbose_name=_("单位")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=ResourceKind.choices)
    title = models.CharField(_("资源"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    categories = models.CharField(_("适合的需求类别"), max_length=200, blank=True)
    available = models.BooleanField(_("可提供"), default=True)

    SCOPE_COMMUNITY = "unit__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位资源")
        verbose_name_plural = _("单位资源")
        ordering = ["unit__name", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "title"], name="resource_unit_title_once")]

    def __str__(self):
        return self.title

    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


class NeedRequest(TimeStampedModel):
    """The secretary asks one unit to take on a need (a pledge request); its liaison accepts or
    declines with a reason. One open request per need at a time."""

    class Status(models.TextChoices):
        ASKED = "asked", _("待答复")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已婉拒")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="requests", verbose_name=_("需求"))
    unit = models.ForeignKey(
        "committees.Unit", on_delete=models.PROTECT, related_name="need_requests", verbose_name=_("单位")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ASKED)
    note = models.TextField(_("说明"), blank=True)
    reason = models.TextField(_("婉拒理由"), blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    SCOPE_COMMUNITY = "need__committee__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("认领请求")
        verbose_name_plural = _("认领请求")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["need"], condition=Q(status="asked"), name="need_one_open_request"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""), name="need_request_declined_reason"
            ),
        ]

    def __str__(self):
        return f"{self.need} → {self.unit}"
