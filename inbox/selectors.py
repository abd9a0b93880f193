"""Reads of the inbox: a user's own messages only."""

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import CalendarToken, Message


def _visible(user) -> QuerySet[Message]:
    """What has reached the user's inbox: due, not withdrawn (e-mail failures still show here)."""
    return Message.objects.filter(recipient=user, due_at__lte=timezone.now()).exclude(state=Message.State.CANCELLED)


def message_list(*, user) -> QuerySet[Message]:
    """Unread first, then newest first."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return _visible(user).annotate(unread=unread).order_by("-unread", "-due_at", "-pk")


def message_counts(*, user) -> dict[str, int]:
    return _visible(user).aggregate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))


def message_get(*, user, pk: int) -> Message:
    return get_object_or_404(_visible(user), pk=pk)


def unread_count(*, user) -> int:
    return _visible(user).filter(read_at__isnull=True).count()


def messages_by_key_prefix(*, key_prefix: str) -> list[Message]:
    """Every message whose key starts with ``key_prefix`` (one query), oldest first: the delivery
    state of one meeting's notices, for its secretary."""
    return list(Message.objects.filter(key__startswith=key_prefix).order_by("pk"))


def calendar_token_owner(*, token: str):
    """The active user whose feed this secret token opens, or None."""
    row = CalendarToken.objects.filter(token=token, user__is_active=True).select_related("user").first()
    return row.user if row is not None else None
