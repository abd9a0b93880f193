"""Periodic co-building work (scheduled in dangwei/celery.py): reminders and agreement expiry."""

from celery import shared_task


@shared_task(name="cobuilding.sweep", ignore_result=True)
def sweep() -> None:
    """Idempotent: plans reminders a week and a day before deadlines (keys make each one unique)
    and marks signed agreements past their period as expired."""
    from .reminders import plan_reminders
    from .services import agreements_expire

    agreements_expire()
    plan_reminders()
