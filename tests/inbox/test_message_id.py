"""Issue #13 item 4: at-least-once e-mail made harmless and rarer — a stable Message-ID per
outbox key, and one mail connection per sweep opened before any message is claimed."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from inbox import services
from inbox.models import Message

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


def _enqueue(key, email="a@example.cn"):
    return services.message_enqueue(key=key, email=email, subject="会议通知", body="请按时参会。", due_at=NOW)


def test_every_attempt_of_one_key_carries_the_same_message_id(settings):
    settings.DEFAULT_FROM_EMAIL = "大党委工作平台 <noreply@dangwei.example.cn>"
    message = _enqueue("meeting:1:v1:notice:attendee:1")
    other = _enqueue("meeting:1:v1:notice:attendee:2", email="b@example.cn")
    first = services.message_claim_next(now=NOW)
    services._send_email(first)  # sent, then the worker dies before recording it
    # the claim expires and the next sweep sends it again
    services.outbox_sweep(now=NOW + services.CLAIM_FOR + datetime.timedelta(seconds=1))
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox if m.to == ["a@example.cn"]]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert ids[0].endswith("@dangwei.example.cn>") and ids[0].startswith("<")
    assert services.message_id(other) != services.message_id(message)
    assert Message.objects.get(pk=message.pk).state == Message.State.SENT


class CountingBackend:
    """A mail backend that counts how often a connection is opened."""

    opened = 0
    sent: list = []

    def __init__(self, *args, **kwargs):
        self.connection = None

    def open(self):
        if self.connection is None:
            CountingBackend.opened += 1
            self.connection = object()
            return True
        return False

    def close(self):
        self.connection = None

    def send_messages(self, messages):
        if self.connection is None:
            self.open()
        CountingBackend.sent.extend(messages)
        return len(messages)


def test_a_sweep_connects_once_before_claiming_and_not_at_all_when_nothing_is_due(settings):
    settings.EMAIL_BACKEND = "tests.inbox.test_message_id.CountingBackend"
    CountingBackend.opened, CountingBackend.sent = 0, []
    assert services.outbox_sweep(now=NOW).sent == []
    assert CountingBackend.opened == 0  # nothing due: no connection
    for i in range(5):
        _enqueue(f"reminder:{i}", email=f"m{i}@example.cn")
    result = services.outbox_sweep(now=NOW)
    assert len(result.sent) == 5 and len(CountingBackend.sent) == 5
    assert CountingBackend.opened == 1
    assert not Message.objects.filter(state=Message.State.PENDING).exists()
    assert timezone.is_aware(Message.objects.first().sent_at)
