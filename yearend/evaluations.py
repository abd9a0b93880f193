"""R14 (issue #11 item 16): the evaluation (接受评议) of the year-end report by the community's
party members and the resident units, recorded after the report: one satisfaction tally per
report and group, read on the report page and carried into next year's dashboard."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee
from common import permissions
from common.services import save_audited

from .models import ReportEvaluation, YearEndReport

COUNTS = ("satisfied", "fairly", "basic", "unsatisfied")


def _check(report: YearEndReport, *, group: str, held_on: datetime.date, present, counts: dict, today) -> None:
    if not report.file or report.finished_at is None:
        raise ValidationError(
            _("年度工作报告尚未生成：请先生成报告、向党员和驻区单位报告工作，再登记评议结果。"), code="no_report"
        )
    if group not in ReportEvaluation.Group.values:
        raise ValidationError({"group": _("请选择评议人。")})
    if held_on > today:
        raise ValidationError({"held_on": _("评议日期不能晚于今天。")})
    if held_on < timezone.localdate(report.finished_at):
        raise ValidationError({"held_on": _("评议应在报告工作之后：评议日期不能早于报告生成日期。")})
    values = [present, *counts.values()]
    if any(not isinstance(v, int) or v < 0 for v in values):
        raise ValidationError(_("人数和票数须为不小于 0 的整数。"))
    if sum(counts.values()) > present:
        message = _("满意度票数合计 %(total)s 票，超过了参加评议的 %(present)s 人。") % {
            "total": sum(counts.values()),
            "present": present,
        }
        raise ValidationError({"present": ValidationError(message, code="over_present")})


@transaction.atomic
def evaluation_record(
    *,
    actor,
    committee: Committee,
    year: int,
    group: str,
    held_on: datetime.date,
    present: int,
    satisfied: int = 0,
    fairly: int = 0,
    basic: int = 0,
    unsatisfied: int = 0,
    opinions: str = "",
    today: datetime.date | None = None,
) -> ReportEvaluation:
    """Record (or correct, audited) one group's tally for the committee's report of ``year``."""
    if not permissions.can_change(actor, committee):
        raise PermissionDenied
    today = today or timezone.localdate()
    report = YearEndReport.objects.select_for_update().filter(committee=committee, year=year).first()
    if report is None:
        raise ValidationError(
            _("年度工作报告尚未生成：请先生成报告、向党员和驻区单位报告工作，再登记评议结果。"), code="no_report"
        )
    counts = {"satisfied": satisfied, "fairly": fairly, "basic": basic, "unsatisfied": unsatisfied}
    _check(report, group=group, held_on=held_on, present=present, counts=counts, today=today)
    evaluation = ReportEvaluation.objects.select_for_update().filter(report=report, group=group).first()
    fields = {"held_on": held_on, "present": present, "opinions": (opinions or "").strip(), **counts}
    if evaluation is None:
        evaluation = ReportEvaluation(report=report, group=group, recorded_by=actor, **fields)
        try:
            with transaction.atomic():
                return save_audited(evaluation, actor, reason=_("登记评议结果"))
        except IntegrityError as exc:  # recorded at the same moment by someone else
            raise ValidationError(_("该评议结果刚被他人登记，请刷新后核对。")) from exc
    changed = [k for k, v in fields.items() if getattr(evaluation, k) != v]
    if not changed:
        return evaluation
    for name in changed:
        setattr(evaluation, name, fields[name])
    evaluation.recorded_by = actor
    return save_audited(
        evaluation, actor, update_fields=[*changed, "recorded_by", "recorded_at"], reason=_("更正评议结果")
    )


def evaluations_of(*, report: YearEndReport | None) -> list[ReportEvaluation]:
    if report is None:
        return []
    return list(ReportEvaluation.objects.filter(report=report).order_by("group"))


def last_year_evaluations(*, committee: Committee, today: datetime.date) -> list[ReportEvaluation]:
    """Last year's evaluation of the committee's report, for this year's dashboard (1 query)."""
    return list(
        ReportEvaluation.objects.filter(report__committee=committee, report__year=today.year - 1)
        .select_related("report")
        .order_by("group")
    )
