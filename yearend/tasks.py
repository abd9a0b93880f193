"""Celery tasks of the year-end report (R14). The 1 December draft run is scheduled in
dangwei/celery.py."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="yearend.build_report", ignore_result=True)
def build_report(report_id: int) -> str:
    """Build one queued report. Safe to deliver twice: the service claims the row under a lock
    and returns quietly when it is not queued any more."""
    from . import services

    report = services.report_build(report_id=report_id)
    return report.status if report is not None else "skipped"


@shared_task(name="yearend.request_drafts", ignore_result=True)
def request_drafts(year: int | None = None) -> int:
    """1 December: ask for the draft report of every active committee for the current year.
    Idempotent: a report queued, running or already built is left as it is."""
    from . import selectors, services

    year = year or timezone.localdate().year
    return services.reports_request_all(actor=None, committees=selectors.active_committees(), year=year, rebuild=False)
