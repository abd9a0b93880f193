"""Celery tasks of the outbox. Beat runs ``sweep_outbox`` every minute (dangwei/celery.py)."""

from celery import shared_task

from . import services


@shared_task(name="inbox.sweep_outbox", ignore_result=True)
def sweep_outbox(limit: int = services.SWEEP_LIMIT) -> int:
    """Deliver what is due. Safe to run twice at once or again after a crash: each message is
    claimed under a row lock first (see ``inbox.services``)."""
    return len(services.outbox_sweep(limit=limit).sent)
