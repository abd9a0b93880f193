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
