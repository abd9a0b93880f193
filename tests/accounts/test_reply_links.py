"""Issue #14 item 10: a signed reply link in an e-mail closes when the meeting starts (or after
REPLY_LINK_MAX_AGE_DAYS), and the security administrator can revoke it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import RevokedLink
from audit.models import AuditEvent
from meetings.models import Attendee
from meetings.services import notices
from tests.accounts.conftest import verified_client
from tests.meetings.factories import AttendeeFactory, MeetingFactory


@pytest.fixture
def guest(world):
    meeting = MeetingFactory(committee=world.mine, starts_at=timezone.now() + datetime.timedelta(days=3))
    return AttendeeFactory(meeting=meeting, role=Attendee.Role.GUEST, name="特邀嘉宾")


def _open(token):
    return Client().get(reverse("meetings:reply_token", args=[token]))


@pytest.mark.django_db
def test_item10_the_link_closes_when_the_meeting_starts(guest):
    token = notices.reply_token(guest)
    assert _open(token).status_code == 200
    starts = guest.meeting.starts_at
    assert not notices.reply_link_expired(guest, now=starts - datetime.timedelta(seconds=1))
    assert notices.reply_link_expired(guest, now=starts)
    type(guest.meeting).objects.filter(pk=guest.meeting_id).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    closed = _open(token)
    assert closed.status_code == 410 and "已经开始" in closed.content.decode()
    guest.refresh_from_db()
    assert guest.reply == Attendee.Reply.NONE


@pytest.mark.django_db
def test_item10_the_link_expires_after_the_set_days(guest, settings):
    settings.REPLY_LINK_MAX_AGE_DAYS = 7
    sent = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
    token = notices.reply_token(guest, now=sent)
    assert notices.attendee_from_token(token, now=sent + datetime.timedelta(days=6)) == guest.pk
    assert notices.attendee_from_token(token, now=sent + datetime.timedelta(days=8)) is None


@pytest.mark.django_db
def test_item10_the_security_officer_revokes_a_forwarded_link(guest):
    from tests.factories import UserFactory

    token = notices.reply_token(guest, now=timezone.now() - datetime.timedelta(minutes=1))
    officer = verified_client(UserFactory(username="sec", role="secadmin"))
    link = "https://dangwei.example.cn" + reverse("meetings:reply_token", args=[token])
    assert officer.post(reverse("accounts:reply_link_revoke"), {"link": link}).status_code == 302
    assert RevokedLink.objects.get().object_id == guest.pk
    assert _open(token).status_code == 404
    assert Client().post(reverse("meetings:reply_token", args=[token]), {"reply": "confirmed"}).status_code == 404
    guest.refresh_from_db()
    assert guest.reply == Attendee.Reply.NONE
    assert AuditEvent.objects.filter(event="link_revoked", username="sec").count() == 1
    # a link sent after the revocation works
    fresh = notices.reply_token(guest, now=timezone.now() + datetime.timedelta(seconds=2))
    assert notices.attendee_from_token(fresh, now=timezone.now() + datetime.timedelta(seconds=3)) == guest.pk


@pytest.mark.django_db
def test_item10_a_garbled_link_is_refused_in_chinese_and_revokes_nothing(guest):
    from tests.factories import UserFactory

    officer = verified_client(UserFactory(username="sec", role="secadmin"))
    page = officer.post(
        reverse("accounts:reply_link_revoke"), {"link": "https://x/meetings/reply/garbage/"}, follow=True
    )
    assert "无法识别" in page.content.decode()
    assert not RevokedLink.objects.exists()
