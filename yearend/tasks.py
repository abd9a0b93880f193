"""Celery tasks of the year-end report (R14). The 1 December draft run and the watchdog are
scheduled in dangwei/celery.py."""

from celery import shared_task
from django.utils import timezone

from common.background import ClaimHeld

# A live worker holds the row: retry a few times, each once its lease may have expired.
HELD_RETRIES = 5


@shared_task(name="yearend.build_report", bind=True, ignore_result=True, max_retries=HELD_RETRIES)
def build_report(self, report_id: int) -> str:
    """Build one queued report. Safe to deliver twice: the service claims the row under a lock
    and returns quietly when there is nothing to build. A message redelivered after its worker
    was killed (acks_late) finds the dead worker's claim; it retries until the claim's lease has
    expired and then takes the build over."""
    from . import services

    try:
        report = services.report_build(report_id=report_id)
    except ClaimHeld as held:
        if self.request.called_directly or self.request.retries >= HELD_RETRIES:
            return "skipped"  # a live worker builds it; the watchdog takes it back if that worker dies
        raise self.retry(countdown=held.retry_in + 1) from None
    return report.status if report is not None else "skipped"


@shared_task(name="yearend.request_drafts", ignore_result=True)
def request_drafts(year: int | None = None) -> int:
    """1 December: ask for the draft report of every active committee for the current year.
    Idempotent: a report queued, running or already built is left as it is."""
    from . import selectors, services

    year = year or timezone.localdate().year
    return services.reports_request_all(actor=None, committees=selectors.active_committees(), year=year, rebuild=False)


@shared_task(name="yearend.watchdog", ignore_result=True)
def watchdog() -> int:
    """Every minute (beat): publish again the reports whose lease expired (a killed worker, a
    broker that was down when they were asked for)."""
    from . import services

    return services.reports_watchdog()
