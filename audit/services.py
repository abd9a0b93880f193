"""Writes of the audit log: one record per event, and the pruning of old records (item 8)."""

import datetime

from django.conf import settings
from django.db import transaction

from .address import client_address
from .models import AuditEvent

MIN_RETENTION_DAYS = 180  # 等保: the log is kept at least six months


def retention_days() -> int:
    return max(int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)), MIN_RETENTION_DAYS)


def audit_record(
    *,
    event: str,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    request=None,
    user=None,
    username: str = "",
    detail: str = "",
    path: str = "",
) -> AuditEvent:
    """Record one event. ``user`` defaults to the request's user; the address and the page come
    from the request (the address as the trusted proxy reports it)."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None and not username:
        username = user.get_username()
    if request is not None and not path:
        path = _safe_path(request)
    return AuditEvent.objects.create(
        user=user,
        username=(username or "")[:150],
        address=client_address(request) if request is not None else None,
        event=event,
        outcome=outcome,
        path=path[:300],
        detail=(detail or "")[:500],
    )


def _safe_path(request) -> str:
    """The page, with the secret of a signed link (a reply link, a calendar feed) blanked: the
    log is read by the auditor, who must not be able to use those links."""
    path = request.get_full_path()
    match = getattr(request, "resolver_match", None)
    for key, value in match.kwargs.items() if match is not None else ():
        if "token" in key and isinstance(value, str) and value:
            path = path.replace(value, "***")
    return path


@transaction.atomic
def audit_prune(*, now: datetime.datetime) -> int:
    """Delete the records older than the retention period (never fewer than 180 days); returns
    how many went. The only way a record leaves the log."""
    cutoff = now - datetime.timedelta(days=retention_days())
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
