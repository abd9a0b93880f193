"""iCal UIDs and file names (issue #16 item 9): the same meeting keeps its UID whatever host name
the feed is fetched through (behind a proxy, under an alias), and the feed has a Chinese name."""

import datetime
from urllib.parse import unquote

import pytest
from django.test import override_settings
from django.urls import reverse

from inbox.services import calendar_token_get_or_create
from tests.factories import UserFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@override_settings(ALLOWED_HOSTS=["portal.example.cn", "10.0.0.5", "testserver"])
def test_ical_uid_does_not_depend_on_the_host_name(client, world):
    member = UserFactory(role="liaison", unit=world.unit)
    meeting = MeetingFactory(
        committee=world.mine,
        status="notified",
        starts_at=datetime.datetime(2026, 12, 5, 6, tzinfo=datetime.UTC),
    )
    AttendeeFactory(meeting=meeting, user=member)
    url = reverse("meetings:ical", args=[calendar_token_get_or_create(user=member).token])
    feeds = [client.get(url, HTTP_HOST=host) for host in ("portal.example.cn", "10.0.0.5:8443")]
    uids = [
        [line for line in r.content.decode().replace("\r\n ", "").split("\r\n") if line.startswith("UID:")]
        for r in feeds
    ]
    assert all(r.status_code == 200 for r in feeds)
    assert uids[0] == uids[1] == [f"UID:meeting-{meeting.pk}@dangwei.portal"]
    assert "大党委会议.ics" in unquote(feeds[0]["Content-Disposition"])
