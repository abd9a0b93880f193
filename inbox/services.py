"""Writes to the outbox/inbox."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Message


def message_enqueue(
    *,
    key: str,
    recipient=None,
    email: str = "",
    subject: str,
    body: str,
    url: str = "",
    kind: str = "",
    due_at: datetime.datetime | None = None,
) -> Message:
    """Record one message, exactly once per ``key`` (idempotent: a second call returns the
    first row unchanged). The database's unique key carries the guarantee under races."""
    if recipient is not None and not email:
        email = recipient.email or ""
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing
    message = Message(
        key=key,
        recipient=recipient,
        email=email,
        subject=subject[:200],
        body=body,
        url=url,
        kind=kind,
        due_at=due_at or timezone.now(),
    )
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(key=key)
    return message


@transaction.atomic
def message_cancel_pending(*, key_prefix: str) -> int:
    """Withdraw unsent messages (e.g. a reminder re-planned after a reschedule)."""
    return Message.objects.filter(key__startswith=key_prefix, state=Message.State.PENDING).update(
        state=Message.State.CANCELLED
    )
