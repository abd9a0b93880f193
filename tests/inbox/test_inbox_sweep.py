"""The sweep of the outbox: claims, sends, records; failures back off; nothing twice."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from inbox import services
from inbox.models import Message
from inbox.tasks import sweep_outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_due_messages_are_sent_once_not_before_due(settings):
    settings.PORTAL_BASE_URL = "https://dangwei.example.cn"
    user = UserFactory(email="u@example.cn")
    services.message_enqueue(key="now", recipient=user, subject="现在", body="正文", url="/inbox/")
    services.message_enqueue(
        key="later", recipient=user, subject="以后", body="正文", due_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert sweep_outbox() == 1
    assert [m.subject for m in mail.outbox] == ["现在"]
    assert "https://dangwei.example.cn/inbox/" in mail.outbox[0].body
    assert sweep_outbox() == 0
    assert Message.objects.get(key="later").state == Message.State.PENDING


def test_message_without_email_is_sent_to_the_inbox_only():
    user = UserFactory(email="")
    services.message_enqueue(key="inbox-only", recipient=user, subject="站内", body="正文")
    result = services.outbox_sweep()
    assert len(result.sent) == 1 and mail.outbox == []
    m = Message.objects.get(key="inbox-only")
    assert m.state == Message.State.SENT and m.sent_at is not None


def test_a_claimed_message_is_not_claimed_again_until_the_claim_expires():
    services.message_enqueue(key="k", email="x@example.cn", subject="s", body="b")
    now = timezone.now()
    claimed = services.message_claim_next(now=now)
    assert claimed is not None and claimed.attempts == 1
    assert services.message_claim_next(now=now + datetime.timedelta(minutes=1)) is None
    again = services.message_claim_next(now=now + services.CLAIM_FOR + datetime.timedelta(seconds=1))
    assert again is not None and again.attempts == 2


def test_cancelled_while_sending_is_not_marked_sent():
    services.message_enqueue(key="meeting:1:v1:reminder:attendee:1", email="x@example.cn", subject="s", body="b")
    claimed = services.message_claim_next()
    services.message_cancel_pending(key_prefix="meeting:1:")
    assert services.message_deliver(message=claimed) == ""
    assert Message.objects.get().state == Message.State.CANCELLED


def test_cancel_pending_prefix_does_not_touch_similar_keys():
    services.message_enqueue(key="meeting:1:v1:notice:attendee:1", email="a@example.cn", subject="s", body="b")
    services.message_enqueue(key="meeting:12:v1:notice:attendee:1", email="a@example.cn", subject="s", body="b")
    services.message_enqueue(key="meeting:1:v10:notice:attendee:1", email="a@example.cn", subject="s", body="b")
    assert services.message_cancel_pending(key_prefix="meeting:1:v1:") == 1
    assert services.message_cancel_pending(key_prefix="meeting:1:", key_suffix=":attendee:1") == 1


def test_calendar_token_is_stable_and_rotates():
    user = UserFactory()
    token = services.calendar_token_get_or_create(user=user).token
    assert services.calendar_token_get_or_create(user=user).token == token
    assert len(token) >= 40
    assert services.calendar_token_rotate(user=user).token != token


def test_a_batch_is_claimed_in_one_go_oldest_first_and_not_twice():
    """Issue #17: the sweep claims a batch in one transaction (one commit per batch, not per
    message); a second claim passes the held rows by."""
    now = timezone.now()
    for i in range(5):
        services.message_enqueue(
            key=f"b{i}", email=f"b{i}@example.cn", subject="s", body="b", due_at=now - datetime.timedelta(minutes=5 - i)
        )
    first = services.messages_claim(now=now, limit=3)
    assert [m.key for m in first] == ["b0", "b1", "b2"] and {m.attempts for m in first} == {1}
    assert [m.key for m in services.messages_claim(now=now, limit=3)] == ["b3", "b4"]
    assert services.messages_claim(now=now, limit=3) == []


def test_a_slow_mail_server_hands_the_rest_of_the_batch_back_before_the_claim_expires(monkeypatch):
    """A batch whose sends take longer than half the claim gives its unsent messages back (the
    attempt not counted), so no other sweep can claim them while this one still holds them."""
    for i in range(4):
        services.message_enqueue(key=f"slow{i}", email=f"s{i}@example.cn", subject="s", body="b")
    clock = iter([0.0, 1.0, services.CLAIM_FOR.total_seconds()])  # the batch's start, 1st send, 2nd
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock, 10_000.0))
    result = services.outbox_sweep()
    assert [m.key for m in result.sent] == ["slow0"]
    rest = Message.objects.exclude(key="slow0").order_by("key")
    assert [(m.state, m.claimed_until, m.attempts) for m in rest] == [(Message.State.PENDING, None, 0)] * 3
    monkeypatch.undo()
    assert len(services.outbox_sweep().sent) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"s{i}@example.cn" for i in range(4)]


def test_a_recorded_outcome_counts_the_attempts_of_its_claim(settings):
    settings.EMAIL_BACKEND = "tests.inbox.test_inbox_sweep.RefusingBackend"
    services.message_enqueue(key="refused", email="r@example.cn", subject="s", body="b")
    now = timezone.now()
    result = services.outbox_sweep(now=now)
    assert [m.key for m in result.retrying] == ["refused"]
    row = Message.objects.get(key="refused")
    assert row.attempts == 1 and row.claimed_until is None and row.next_attempt_at == now + services.BACKOFF[0]
    assert "拒收" in row.last_error


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("拒收")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_commits_without_waiting_for_the_disk_and_resets_it_after():
    """Issue #17: the sweep's own commits skip the WAL flush (a killed worker loses nothing the
    server committed); the connection is back to the server's default after the sweep."""
    from django.db import connection

    seen = []
    real_record = services.message_record

    def record(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return real_record(**kwargs)

    services.message_enqueue(key="fast", email="f@example.cn", subject="s", body="b")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "message_record", record)
        assert len(services.outbox_sweep().sent) == 1
    assert seen == ["off"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
