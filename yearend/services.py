"""Every write of the year-end report (R14).

``report_request`` is idempotent: while a build is queued or running it returns that build and
enqueues nothing (two requests build one report; under a race the row lock — PostgreSQL — or the
unique constraint — SQLite — keeps it to one). ``report_build`` is what the Celery task runs: it
claims the queued row under a lock, returns quietly when there is nothing queued, reports its
progress as it goes and ends ready or failed (with the error shown on the page).
"""

import datetime
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import Committee
from common import background, permissions
from common.pdf import render_pdf
from common.services import save_audited

from . import selectors
from .models import YearEndReport

logger = logging.getLogger(__name__)

PLAN_MAX_CHARS = 5000
# A build "running" from before leases (no ``lease_until``) this long died with its worker.
STALE_AFTER = background.LEGACY_STALE_AFTER
TEMPLATE = "reports/yearend.html"


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise ValidationError(
            _("年度应在2000年至%(y)s年之间。") % {"y": this_year},
            code="year",
        )


def _check_actor(actor, committee: Committee) -> None:
    if actor is None:  # the system (the 1 December run)
        return
    if not permissions.can_change(actor, committee) or not permissions.can_view(actor, committee):
        raise PermissionDenied


def _get_or_create_locked(committee: Committee, year: int) -> YearEndReport:
    """The report row under a row lock, created if missing. A concurrent creation loses on the
    unique constraint (inside a savepoint) and then locks the winner's row."""
    report = YearEndReport.objects.select_for_update().filter(committee=committee, year=year).first()
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return YearEndReport.objects.create(committee=committee, year=year)
    except IntegrityError:
        return YearEndReport.objects.select_for_update().get(committee=committee, year=year)


BROKER_DOWN_STAGE = gettext_lazy("后台服务暂时不可用：申请已记录，恢复后自动生成。")


def _enqueue(report_id: int) -> background.Enqueued:
    """Publish the build after commit. A broker that is down leaves the row queued with an
    expired lease, so the watchdog's first pass after the outage publishes it."""
    from .tasks import build_report

    def broker_down():
        YearEndReport.objects.filter(pk=report_id, status=YearEndReport.Status.QUEUED).update(
            lease_until=timezone.now(), stage=str(BROKER_DOWN_STAGE)
        )

    return background.enqueue_on_commit(build_report, report_id, on_failure=broker_down)


@transaction.atomic
def report_request(*, actor, committee: Committee, year: int, rebuild: bool = True) -> YearEndReport:
    """R14: ask for the year-end report (or a rebuild with the current data and plan).

    Idempotent: a build already queued or running is returned as it is, nothing enqueued, unless
    its lease expired (its worker died, or the broker was down): asking again always works. With
    ``rebuild=False`` (the 1 December draft run) a report already built is left alone too.

    The returned report carries ``enqueued`` (a :class:`common.background.Enqueued`, None when
    nothing was published) so the view can say when the broker was down."""
    _check_actor(actor, committee)
    _check_year(year)
    report = _get_or_create_locked(committee, year)
    report.enqueued = None
    now = timezone.now()
    if report.is_building and not background.lease_expired(report, now):
        return report
    if not rebuild and report.status == YearEndReport.Status.READY:
        return report
    report.status = YearEndReport.Status.QUEUED
    report.progress = 0
    report.stage = _("排队等待生成")
    report.error = ""
    report.requested_by = actor
    report.requested_at = now
    report.started_at = None
    report.finished_at = None
    report.lease_until = now + background.queue_lease()
    report.attempts = 0
    save_audited(
        report,
        actor,
        update_fields=[
            "status",
            "progress",
            "stage",
            "error",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "lease_until",
            "attempts",
        ],
        reason=_("申请生成年度工作报告"),
    )
    report.enqueued = _enqueue(report.pk)
    return report


@transaction.atomic
def report_plan_update(*, actor, committee: Committee, year: int, text: str) -> YearEndReport:
    """The secretary's section on next year's plan (text). The report shows it from its next
    build: asking for the report again rebuilds it with the new text."""
    _check_actor(actor, committee)
    _check_year(year)
    text = (text or "").strip()
    if len(text) > PLAN_MAX_CHARS:
        raise ValidationError(
            {"next_year_plan": _("明年工作计划不能超过%(n)s字。") % {"n": PLAN_MAX_CHARS}}, code="too_long"
        )
    report = _get_or_create_locked(committee, year)
    if report.next_year_plan == text:
        return report
    report.next_year_plan = text
    save_audited(report, actor, update_fields=["next_year_plan"], reason=_("填写明年工作计划"))
    return report


def _progress(report_id: int, progress: int, stage: str) -> None:
    # A plain UPDATE in autocommit: the polling page sees it at once, no history row per step.
    # Progress is only shown, so a busy database does not fail the build.
    try:
        YearEndReport.objects.filter(pk=report_id).update(progress=progress, stage=stage)
    except OperationalError:
        logger.warning("year-end report %s: progress not saved (database busy)", report_id)


def report_render(*, committee: Committee, year: int, next_year_plan: str = "") -> bytes:
    """The PDF of the report (also what ``manage.py yearend_report`` writes)."""
    data = selectors.report_data(committee=committee, year=year, next_year_plan=next_year_plan)
    return render_pdf(TEMPLATE, {"data": data})


def report_build(*, report_id: int) -> YearEndReport | None:
    """Build one queued report (what the Celery task runs). Returns None, doing nothing, when
    the row is gone or not to be built (already built, failed, or a duplicate delivery).

    A running row whose lease expired (its worker was killed) is taken over; one a live worker
    holds raises :class:`common.background.ClaimHeld` so the task retries once the lease may have
    expired. While it works a heartbeat renews the lease."""
    report = _claim(report_id)
    if report is None:
        return None
    attempt = report.attempts
    try:
        with background.Heartbeat(YearEndReport, report.pk, attempt=attempt):
            data = selectors.report_data(
                committee=report.committee, year=report.year, next_year_plan=report.next_year_plan
            )
            _progress(report.pk, 40, _("数据已汇总，正在排版"))
            content = render_pdf(TEMPLATE, {"data": data})
            _progress(report.pk, 85, _("排版完成，正在保存"))
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the report and shown on its page
        logger.exception("year-end report %s failed", report_id)
        return _finish_failed(report_id, exc, attempt=attempt)
    return _finish_ready(report_id, content, attempt=attempt)


GIVEN_UP = gettext_lazy("生成过程多次中断，已停止自动重试。请点击“重新生成”再试。")


@transaction.atomic
def _claim(report_id: int, now: datetime.datetime | None = None) -> YearEndReport | None:
    now = now or timezone.now()
    report = YearEndReport.objects.select_for_update().filter(pk=report_id).first()
    decision = background.claim_decision(report, now)
    if decision == "skip":
        return None
    if decision == "held":
        raise background.ClaimHeld((report.lease_until - now).total_seconds())
    if report.attempts >= background.max_attempts():
        _give_up(report, now)
        return None
    report.status = YearEndReport.Status.RUNNING
    report.started_at = now
    report.lease_until = now + background.run_lease()
    report.attempts += 1
    report.progress = 5
    report.stage = _("正在汇总本年度数据")
    report.builds += 1
    save_audited(
        report,
        None,
        update_fields=["status", "started_at", "lease_until", "attempts", "progress", "stage", "builds"],
        reason=_("开始生成") if decision == "claim" else _("上次生成中断，重新开始生成"),
    )
    return report


def _give_up(report: YearEndReport, now) -> None:
    report.status = YearEndReport.Status.FAILED
    report.stage = _("生成失败")
    report.error = str(GIVEN_UP)
    report.finished_at = now
    report.lease_until = None
    save_audited(
        report, None, update_fields=["status", "stage", "error", "finished_at", "lease_until"], reason=_("生成失败")
    )


def _still_mine(report: YearEndReport, attempt: int | None) -> bool:
    """The build still holds the row (the watchdog or another worker did not take it over)."""
    return attempt is None or (report.status == YearEndReport.Status.RUNNING and report.attempts == attempt)


@transaction.atomic
def _finish_ready(report_id: int, content: bytes, *, attempt: int | None = None) -> YearEndReport:
    report = YearEndReport.objects.select_for_update().get(pk=report_id)
    if not _still_mine(report, attempt):
        logger.warning("year-end report %s: build %s finished after losing its claim; discarded", report_id, attempt)
        return report
    old = report.file.name if report.file else ""
    report.file.save(
        f"yearend-{report.committee_id}-{report.year}-{report.builds}.pdf", ContentFile(content), save=False
    )
    report.file_size = len(content)
    report.checksum = hashlib.sha256(content).hexdigest()
    report.status = YearEndReport.Status.READY
    report.progress = 100
    report.stage = _("已生成")
    report.finished_at = timezone.now()
    report.lease_until = None
    save_audited(
        report,
        None,
        update_fields=["file", "file_size", "checksum", "status", "progress", "stage", "finished_at", "lease_until"],
        reason=_("生成完成"),
    )
    if old and old != report.file.name:
        transaction.on_commit(lambda: report.file.storage.delete(old))
    return report


@transaction.atomic
def _finish_failed(report_id: int, exc: Exception, *, attempt: int | None = None) -> YearEndReport:
    report = YearEndReport.objects.select_for_update().get(pk=report_id)
    if not _still_mine(report, attempt):
        return report
    report.status = YearEndReport.Status.FAILED
    report.stage = _("生成失败")
    report.error = f"{type(exc).__name__}: {exc}"[:2000]
    report.finished_at = timezone.now()
    report.lease_until = None
    save_audited(
        report, None, update_fields=["status", "stage", "error", "finished_at", "lease_until"], reason=_("生成失败")
    )
    return report


def reports_watchdog(*, now: datetime.datetime | None = None) -> int:
    """Beat's watchdog: take back every queued or running report whose lease expired.

    A running build whose worker died goes back to the queue (or ends failed, with a Chinese
    message and the 重新生成 button, once it used up its attempts); a queued one nobody took
    (the broker was down, the message was lost) is published again. Returns how many rows were
    published. Safe to run twice at once: each row is re-checked under its lock."""
    now = now or timezone.now()
    ids = list(YearEndReport.objects.filter(background.expired_q(now)).values_list("pk", flat=True)[:500])
    published = 0
    for report_id in ids:
        with transaction.atomic():
            report = YearEndReport.objects.select_for_update().filter(pk=report_id).first()
            if not background.lease_expired(report, now):
                continue
            if report.status == YearEndReport.Status.RUNNING and report.attempts >= background.max_attempts():
                _give_up(report, now)
                continue
            fields = ["lease_until"]
            report.lease_until = now + background.queue_lease()
            if report.status == YearEndReport.Status.RUNNING:
                report.status, report.progress = YearEndReport.Status.QUEUED, 0
                report.stage = _("上次生成中断，重新排队")
                fields += ["status", "progress", "stage"]
            elif report.stage == str(BROKER_DOWN_STAGE):
                report.stage = _("排队等待生成")
                fields.append("stage")
            save_audited(report, None, update_fields=fields, reason=_("后台任务中断，自动重新排队"))
            _enqueue(report.pk)
            published += 1
    return published


def reports_request_all(*, actor, committees, year: int, rebuild: bool = True) -> int:
    """Ask for the report of each committee (township staff's "build all", the 1 December run).
    Returns how many builds were newly queued."""
    queued = 0
    for committee in committees:
        before = YearEndReport.objects.filter(committee=committee, year=year).values_list("status", flat=True).first()
        report = report_request(actor=actor, committee=committee, year=year, rebuild=rebuild)
        if report.status == YearEndReport.Status.QUEUED and before != YearEndReport.Status.QUEUED:
            queued += 1
    return queued


def report_ask(*, actor, committee: Committee, year: int, today: datetime.date | None = None) -> int:
    """R14: the county (or township staff) asks a committee whose report of ``year`` is not ready
    yet to prepare it. The community's secretaries get an inbox message and an e-mail, at most once
    a week per committee and year (the outbox key carries the week). Returns how many were told."""
    from accounts.models import User
    from inbox.services import message_enqueue

    if permissions.role_of(actor) not in ("county", "township", "admin") or not permissions.can_view(actor, committee):
        raise PermissionDenied
    _check_year(year)
    report = YearEndReport.objects.filter(committee=committee, year=year).first()
    if report is not None and report.status == YearEndReport.Status.READY:
        raise ValidationError(_("该大党委的年度工作报告已经生成，无需催报。"))
    secretaries = list(
        User.objects.filter(role=User.Role.SECRETARY, community_id=committee.community_id, is_active=True).order_by(
            "pk"
        )
    )
    if not secretaries:
        raise ValidationError(_("该社区没有社区书记账号，请电话联系。"))
    iso = (today or timezone.localdate()).isocalendar()
    url = reverse("yearend:report", args=[committee.pk, year])
    for secretary in secretaries:
        message_enqueue(
            key=f"yearend:ask:{committee.pk}:{year}:{iso.year}-{iso.week}:user:{secretary.pk}",
            recipient=secretary,
            subject=_("请报送%(year)s年度工作报告") % {"year": year},
            body=_("%(who)s请%(name)s报送%(year)s年度工作报告：完成明年工作计划后生成报告即可。")
            % {"who": actor.display_name, "name": committee.name, "year": year},
            url=url,
            kind="yearend",
        )
    return len(secretaries)
