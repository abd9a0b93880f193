"""Large R21 ranking PDFs built in the background (the product brief: reports run in Celery).

A ranking of at most ``settings.RANKING_PDF_SYNC_MAX`` units is rendered inside the request
(``assessment.views_reports.ranking_pdf``); a larger one (the county's 1,000 units take about
6 s in WeasyPrint) is a :class:`~assessment.models.RankingFile` that the Celery task
``assessment.build_ranking_file`` renders with the same function (``reports.ranking_pdf``).

``ranking_file_request`` is idempotent like the year-end report's ``report_request``: while a
build is queued or running it returns that build and enqueues nothing; a file already built from
the current data is returned as it is. Under a race the row lock (PostgreSQL) or the unique
constraint (SQLite) keeps it to one row and one enqueue. Asking for the file changes no scoring
data (it only renders what the reader may already see), so every role that may read the ranking
may ask — county reviewers included.

``ranking_file_build`` claims the queued row under a lock, returns quietly when there is nothing
queued, records its progress with plain ``UPDATE``s and ends ready or failed (the error shown).
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import background

from . import reports
from .models import RankingFile, Round

logger = logging.getLogger(__name__)

# A build "running" from before leases (no ``lease_until``) this long died with its worker.
STALE_AFTER = background.LEGACY_STALE_AFTER
GIVEN_UP = _("生成过程多次中断，已停止自动重试。请点击“重新生成”再试。")
BROKER_DOWN = _("后台服务暂时不可用：申请已记录，恢复后自动生成。")


def _check_actor(actor, scope: reports.Scope) -> None:
    """The actor must be able to read this ranking (the same rule as the page); None is the system."""
    if actor is None:
        return
    try:
        reports.ranking_scope(user=actor, kind=scope.kind, pk=scope.obj.pk)
    except Http404 as exc:
        raise PermissionDenied from exc


def ranking_file_get(*, round: Round, scope: reports.Scope) -> RankingFile | None:
    """The PDF file of this ranking, if one was ever asked for (one query)."""
    return RankingFile.objects.filter(
        round=round, scope_kind=scope.kind, scope_id=scope.obj.pk, format=RankingFile.Format.PDF
    ).first()


def ranking_file_is_stale(*, ranking_file: RankingFile | None, stamp) -> bool:
    """A file built before the newest change of its data (``reports.ranking_data_stamp``)."""
    if ranking_file is None or ranking_file.built_for is None or stamp is None:
        return False
    return stamp > ranking_file.built_for


def _get_or_create_locked(round_: Round, scope: reports.Scope) -> tuple[RankingFile, bool]:
    lookup = {"round": round_, "scope_kind": scope.kind, "scope_id": scope.obj.pk, "format": RankingFile.Format.PDF}
    ranking_file = RankingFile.objects.select_for_update(of=("self",)).filter(**lookup).first()
    if ranking_file is not None:
        return ranking_file, False
    try:
        with transaction.atomic():
            return RankingFile.objects.create(**lookup, status=RankingFile.Status.QUEUED), True
    except IntegrityError:
        return RankingFile.objects.select_for_update(of=("self",)).get(**lookup), False


def _enqueue(file_id: int) -> background.Enqueued:
    """Publish the build after commit; a broker that is down leaves the row queued with an
    expired lease (and says so), and the watchdog publishes it once the broker is back."""
    from .tasks import build_ranking_file

    def broker_down():
        RankingFile.objects.filter(pk=file_id, status=RankingFile.Status.QUEUED).update(
            lease_until=timezone.now(), error=str(BROKER_DOWN)
        )

    return background.enqueue_on_commit(build_ranking_file, file_id, on_failure=broker_down)


@transaction.atomic
def ranking_file_request(*, actor, round: Round, scope: reports.Scope) -> RankingFile:
    """Ask for the ranking PDF of ``scope`` in ``round`` (or for a rebuild when it is stale or
    failed). Idempotent: a queued or running build, or a file built from the current data, is
    returned as it is and nothing is enqueued — unless the build's lease expired (its worker
    died, the broker was down): asking again always works. The returned file carries
    ``enqueued`` (None when nothing was published) so the view can say when the broker is down."""
    _check_actor(actor, scope)
    ranking_file, created = _get_or_create_locked(round, scope)
    ranking_file.enqueued = None
    now = timezone.now()
    if not created:
        if ranking_file.is_building and not background.lease_expired(ranking_file, now):
            return ranking_file
        if ranking_file.status == RankingFile.Status.READY and not ranking_file_is_stale(
            ranking_file=ranking_file, stamp=reports.ranking_data_stamp(scope=scope, round_=round)
        ):
            return ranking_file
    ranking_file.status = RankingFile.Status.QUEUED
    ranking_file.progress = 0
    ranking_file.error = ""
    ranking_file.requested_by = actor
    ranking_file.requested_at = now
    ranking_file.started_at = None
    ranking_file.lease_until = now + background.queue_lease()
    ranking_file.attempts = 0
    ranking_file.full_clean()
    ranking_file.save(
        update_fields=[
            "status",
            "progress",
            "error",
            "requested_by",
            "requested_at",
            "started_at",
            "lease_until",
            "attempts",
        ],
    )
    ranking_file.enqueued = _enqueue(ranking_file.pk)
    return ranking_file


def _progress(file_id: int, progress: int) -> None:
    # A plain UPDATE in autocommit: the polling page sees it at once. Only shown, so a busy
    # database does not fail the build.
    try:
        RankingFile.objects.filter(pk=file_id).update(progress=progress)
    except OperationalError:
        logger.warning("ranking file %s: progress not saved (database busy)", file_id)


@transaction.atomic
def _claim(file_id: int, now: datetime.datetime | None = None) -> RankingFile | None:
    now = now or timezone.now()
    ranking_file = (
        RankingFile.objects.select_for_update(of=("self",)).select_related("round__scheme").filter(pk=file_id).first()
    )
    decision = background.claim_decision(ranking_file, now)
    if decision == "skip":
        return None
    if decision == "held":
        raise background.ClaimHeld((ranking_file.lease_until - now).total_seconds())
    if ranking_file.attempts >= background.max_attempts():
        _give_up(ranking_file, now)
        return None
    ranking_file.status = RankingFile.Status.RUNNING
    ranking_file.started_at = now
    ranking_file.lease_until = now + background.run_lease()
    ranking_file.attempts += 1
    ranking_file.progress = 5
    ranking_file.error = ""
    ranking_file.save(update_fields=["status", "started_at", "lease_until", "attempts", "progress", "error"])
    return ranking_file


def _give_up(ranking_file: RankingFile, now) -> None:
    ranking_file.status = RankingFile.Status.FAILED
    ranking_file.error = str(GIVEN_UP)
    ranking_file.finished_at = now
    ranking_file.lease_until = None
    ranking_file.save(update_fields=["status", "error", "finished_at", "lease_until"])


def _still_mine(ranking_file: RankingFile, attempt: int | None) -> bool:
    return attempt is None or (ranking_file.status == RankingFile.Status.RUNNING and ranking_file.attempts == attempt)


@transaction.atomic
def _finish_ready(file_id: int, content: bytes, stamp, rows: int, *, attempt: int | None = None) -> RankingFile:
    ranking_file = RankingFile.objects.select_for_update(of=("self",)).get(pk=file_id)
    if not _still_mine(ranking_file, attempt):
        logger.warning("ranking file %s: build %s finished after losing its claim; discarded", file_id, attempt)
        return ranking_file
    old = ranking_file.file.name if ranking_file.file else ""
    name = f"ranking-{ranking_file.scope_kind}-{ranking_file.scope_id}-{timezone.now():%Y%m%d%H%M%S%f}.pdf"
    ranking_file.file.save(name, ContentFile(content), save=False)
    ranking_file.file_size = len(content)
    ranking_file.rows = rows
    ranking_file.built_for = stamp
    ranking_file.status = RankingFile.Status.READY
    ranking_file.progress = 100
    ranking_file.finished_at = timezone.now()
    ranking_file.error = ""
    ranking_file.lease_until = None
    ranking_file.full_clean()
    ranking_file.save(
        update_fields=[
            "file",
            "file_size",
            "rows",
            "built_for",
            "status",
            "progress",
            "finished_at",
            "error",
            "lease_until",
        ]
    )
    if old and old != ranking_file.file.name:
        storage = ranking_file.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return ranking_file


@transaction.atomic
def _finish_failed(file_id: int, exc: Exception, *, attempt: int | None = None) -> RankingFile:
    ranking_file = RankingFile.objects.select_for_update(of=("self",)).get(pk=file_id)
    if not _still_mine(ranking_file, attempt):
        return ranking_file
    ranking_file.status = RankingFile.Status.FAILED
    ranking_file.error = f"{type(exc).__name__}: {exc}"[:2000]
    ranking_file.finished_at = timezone.now()
    ranking_file.lease_until = None
    ranking_file.save(update_fields=["status", "error", "finished_at", "lease_until"])
    return ranking_file


def ranking_files_watchdog(*, now: datetime.datetime | None = None) -> int:
    """Beat's watchdog: take back every queued or running ranking file whose lease expired (a
    killed worker goes back to the queue, or ends failed once its attempts are used up; a queued
    file nobody took is published again). Returns how many were published."""
    now = now or timezone.now()
    ids = list(RankingFile.objects.filter(background.expired_q(now)).values_list("pk", flat=True)[:500])
    published = 0
    for file_id in ids:
        with transaction.atomic():
            ranking_file = RankingFile.objects.select_for_update(of=("self",)).filter(pk=file_id).first()
            if not background.lease_expired(ranking_file, now):
                continue
            if ranking_file.status == RankingFile.Status.RUNNING and ranking_file.attempts >= background.max_attempts():
                _give_up(ranking_file, now)
                continue
            ranking_file.status, ranking_file.progress, ranking_file.error = RankingFile.Status.QUEUED, 0, ""
            ranking_file.lease_until = now + background.queue_lease()
            ranking_file.save(update_fields=["status", "progress", "error", "lease_until"])
            _enqueue(ranking_file.pk)
            published += 1
    return published


def ranking_file_build(*, file_id: int) -> RankingFile | None:
    """Build one queued ranking PDF (what the Celery task runs). Returns None, doing nothing,
    when the row is gone or not queued (built already, being built by another worker, or a
    duplicate delivery). Any failure ends the file ``failed`` with the error kept for the page."""
    ranking_file = _claim(file_id)
    if ranking_file is None:
        return None
    attempt = ranking_file.attempts
    try:
        with background.Heartbeat(RankingFile, file_id, attempt=attempt):
            round_ = ranking_file.round
            scope = reports.scope_get(kind=ranking_file.scope_kind, pk=ranking_file.scope_id)
            # The stamp is read before the data: a change during the build makes the file stale.
            stamp = reports.ranking_data_stamp(scope=scope, round_=round_)
            data = reports.ranking_document(scope=scope, round_=round_)
            _progress(file_id, 30)
            content = reports.ranking_pdf(data)
            _progress(file_id, 90)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the file and shown on its page
        logger.exception("ranking file %s failed", file_id)
        return _finish_failed(file_id, exc, attempt=attempt)
    return _finish_ready(file_id, content, stamp, data["total"], attempt=attempt)
