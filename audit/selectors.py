"""Reads of the audit log for the audit administrator (item 8)."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_event_list(
    *,
    text: str = "",
    event: str = "",
    outcome: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first, filtered by user name / address / page (``text``), event, outcome and the
    days (inclusive, in the portal's time zone)."""
    events = AuditEvent.objects.all()
    if text:
        text = text.strip()
        events = events.filter(Q(username__icontains=text) | Q(path__icontains=text) | Q(address__startswith=text))
    if event:
        events = events.filter(event=event)
    if outcome:
        events = events.filter(outcome=outcome)
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return events.order_by("-at", "-id")
