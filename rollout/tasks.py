"""Celery tasks of the rollout (R25): the periodic refresh declared in dangwei/celery.py."""

from celery import shared_task

from . import services


@shared_task(name="rollout.refresh")
def refresh() -> int:
    """Advance every community of every township with a plan as far as its deliverables allow
    (the ledger and the committee change in other apps; this catches those changes)."""
    return services.progress_refresh_all()
