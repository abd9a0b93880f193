"""Periodic funding work (scheduled in dangwei/celery.py): weekly arrears reminders."""

from celery import shared_task


@shared_task(name="funding.remind_arrears", ignore_result=True)
def remind_arrears() -> int:
    """Remind the units of every open year whose plan in force is past due. Idempotent: the outbox
    keys make one reminder per unit, recipient and day."""
    from . import selectors, services

    sent = 0
    for fiscal_year in selectors.open_years_with_plans().select_related("committee"):
        sent += services.arrears_remind(actor=None, fiscal_year=fiscal_year)
    return sent
