"""R14 year-end report (年终报告工作): one PDF per committee and year, built in the background.

A row exists once the secretary writes the next-year plan or asks for the report; its status
moves new → queued → running → ready (or failed), and back to queued when the report is asked
for again. Progress updates during a build are plain ``UPDATE``s (no history row each); every
state change goes through ``common.services.save_audited`` and leaves a history record.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee


def report_upload_to(instance, filename):
    return f"yearend/{instance.committee_id}/{instance.year}/{filename}"


class YearEndReport(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("未生成")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="yearend_reports", verbose_name=_("大党委")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.NEW)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=100, blank=True)
    file = models.FileField(_("报告文件"), upload_to=report_upload_to, blank=True, max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    builds = models.PositiveIntegerField(_("生成次数"), default=0)
    next_year_plan = models.TextField(_("明年工作计划"), blank=True)
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
    error = models.TextField(_("错误信息"), blank=True)
    # Issue #13: the claim of the build. Queued: when the watchdog publishes it again if no worker
    # took it; running: the worker's heartbeat lease (a killed worker stops renewing it).
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("本次申请已尝试次数"), default=0)

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords(excluded_fields=["progress", "stage", "lease_until"])

    class Meta:
        verbose_name = _("年度工作报告")
        verbose_name_plural = _("年度工作报告")
        ordering = ["-year", "committee"]
        constraints = [
            # R14: one report per committee and year; two requests build one report.
            models.UniqueConstraint(fields=["committee", "year"], name="yearend_report_once_per_year"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="yearend_report_progress_max_100"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="yearend_report_year_range"),
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(file=""), name="yearend_report_ready_has_file"),
        ]

    def __str__(self):
        return _("%(committee)s%(year)s年度工作报告") % {"committee": self.committee, "year": self.year}

    def get_absolute_url(self):
        return reverse("yearend:report", args=[self.committee_id, self.year])

    @property
    def is_building(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_stalled(self) -> bool:
        """Queued or running past its lease (its worker died, or the broker is down): the page
        stops polling and offers 重新生成; the watchdog also takes it back."""
        from common.background import lease_expired

        return lease_expired(self)

    @property
    def is_polling(self) -> bool:
        return self.is_building and not self.is_stalled

    @property
    def filename(self) -> str:
        return f"{self.committee.name}{self.year}年度工作报告.pdf"


class ReportEvaluation(models.Model):
    """R14 (issue #11 item 16): after the year-end report, the committee accepts the evaluation
    (接受评议) of the community's party members and of the resident units: one satisfaction tally
    per report and group, never more ballots than people present, every change in the history."""

    class Group(models.TextChoices):
        PARTY_MEMBERS = "party_members", _("社区党员")
        UNITS = "units", _("驻区单位")

    report = models.ForeignKey(
        YearEndReport, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("年度工作报告")
    )
    group = models.CharField(_("评议人"), max_length=16, choices=Group.choices)
    held_on = models.DateField(_("评议日期"))
    present = models.PositiveIntegerField(_("参加评议人数"))
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    fairly = models.PositiveIntegerField(_("比较满意"), default=0)
    basic = models.PositiveIntegerField(_("基本满意"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意"), default=0)
    opinions = models.TextField(_("主要意见建议"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now=True)

    SCOPE_COMMUNITY = "report__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度工作报告评议")
        verbose_name_plural = _("年度工作报告评议")
        ordering = ["report", "group"]
        constraints = [
            models.UniqueConstraint(fields=["report", "group"], name="yearend_evaluation_once_per_group"),
            models.CheckConstraint(
                condition=Q(
                    present__gte=models.F("satisfied")
                    + models.F("fairly")
                    + models.F("basic")
                    + models.F("unsatisfied")
                ),
                name="yearend_evaluation_ballots_within_present",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.get_group_display()}"

    @property
    def total(self) -> int:
        return self.satisfied + self.fairly + self.basic + self.unsatisfied

    @property
    def satisfaction(self):
        """满意度: (满意 + 比较满意 + 基本满意) ÷ ballots, in percent to one place (None without ballots)."""
        from decimal import ROUND_HALF_UP, Decimal

        if not self.total:
            return None
        share = Decimal(self.satisfied + self.fairly + self.basic) * 100 / Decimal(self.total)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
