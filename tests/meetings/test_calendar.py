"""Month calendar per committee, the township's R8 list, and the iCalendar feed (RFC 5545)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Committee
from inbox.services import calendar_token_get_or_create
from meetings.models import Meeting
from meetings.views.calendar import ical_text
from tests.factories import UserFactory

from .factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _at(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def test_month_view_shows_the_meetings_of_the_month(login, secretary_user, world):
    MeetingFactory(committee=world.mine, title="三月工作会议", starts_at=_at(2026, 3, 5, 14), status="notified")
    MeetingFactory(committee=world.mine, title="四月工作会议", starts_at=_at(2026, 4, 15))
    MeetingFactory(committee=world.sibling, title="东关的会", starts_at=_at(2026, 3, 6))
    client = login(secretary_user)
    page = client.get(reverse("meetings:calendar", args=[world.mine.pk]), {"month": "2026-03"}).content.decode()
    assert "三月工作会议" in page and "14:00" in page
    assert "四月工作会议" not in page and "东关的会" not in page
    assert "2026年3月" in page and "第一季度" in page
    assert client.get(reverse("meetings:calendar", args=[world.sibling.pk])).status_code == 404


def test_month_view_roles(login, world, county_user, liaison_user, township_user):
    url = reverse("meetings:calendar", args=[world.mine.pk])
    assert login(county_user).get(url).status_code == 200
    assert login(township_user).get(url).status_code == 200
    assert login(liaison_user).get(url).status_code == 404


def test_calendar_queries_do_not_grow(login, secretary_user, world, django_assert_max_num_queries):
    client = login(secretary_user)
    url = reverse("meetings:calendar", args=[world.mine.pk])
    MeetingFactory(committee=world.mine, starts_at=_at(2026, 3, 2))
    with django_assert_max_num_queries(20) as small:
        client.get(url, {"month": "2026-03"})
    for day in range(3, 28):
        MeetingFactory(committee=world.mine, starts_at=_at(2026, 3, day), status="held")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, {"month": "2026-03"})


def test_township_list_of_committees_with_a_missed_quarter_r8(login, township_user, county_user, world):
    MeetingFactory(committee=world.sibling, starts_at=_at(2025, 2, 1), status="held")
    page = login(township_user).get(reverse("meetings:meeting_compliance"), {"year": 2025}).content.decode()
    assert world.mine.name in page and world.sibling.name in page  # both missed quarters in 2025
    assert world.other.name not in page  # another township
    assert "缺 4 期" in page and "缺 3 期" in page
    assert login(county_user).get(reverse("meetings:meeting_compliance")).status_code == 200


def test_ical_feed_is_rfc5545_with_crlf_folding_and_escaping(client, world):
    member = UserFactory(role="liaison", unit=world.unit)
    long_title = "关于推进区域党建、文明创建；社会管理和稳定等需共同推进事项的专题会议" * 2
    invited = MeetingFactory(
        committee=world.mine,
        title=long_title,
        place="党群服务中心,二楼",
        status="notified",
        starts_at=_at(2026, 12, 5, 14),
    )
    AttendeeFactory(meeting=invited, user=member)
    draft = MeetingFactory(committee=world.mine, title="草稿会议", starts_at=_at(2026, 12, 6))
    AttendeeFactory(meeting=draft, user=member)
    MeetingFactory(committee=world.mine, title="未邀请的会议", status="notified", starts_at=_at(2026, 12, 7))
    token = calendar_token_get_or_create(user=member).token
    response = client.get(reverse("meetings:ical", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    unfolded = raw.decode().replace("\r\n ", "")
    assert "DTSTART:20261205T060000Z" in unfolded  # 14:00 in Asia/Shanghai
    assert "LOCATION:党群服务中心\\,二楼" in unfolded
    assert "SUMMARY:关于推进区域党建\\、" not in unfolded and "文明创建\\；" not in unfolded
    assert "草稿会议" not in unfolded and "未邀请的会议" not in unfolded
    assert unfolded.count("BEGIN:VEVENT") == 1
    assert client.get(reverse("meetings:ical", args=["nope"])).status_code == 404


def test_ical_cancelled_meeting_and_sequence():
    m = Meeting(
        pk=7,
        committee=Committee(name="大党委"),
        title="会议",
        place="地点",
        starts_at=_at(2026, 1, 2),
        duration_minutes=60,
        version=3,
    )
    m.status = Meeting.Status.CANCELLED
    m.updated_at = _at(2026, 1, 1)
    m.chair_name = "李书记"
    text = ical_text([m], host="example.cn", now=_at(2026, 1, 1))
    assert "STATUS:CANCELLED" in text and "SEQUENCE:2" in text and "UID:meeting-7@example.cn" in text
    assert "DTEND:20260102T020000Z" in text


def test_feed_page_shows_the_secret_url_and_rotates(login, secretary_user):
    client = login(secretary_user)
    page = client.get(reverse("meetings:calendar_feed")).content.decode()
    token = calendar_token_get_or_create(user=secretary_user).token
    assert token in page
    client.post(reverse("meetings:calendar_feed_rotate"))
    assert calendar_token_get_or_create(user=secretary_user).token != token
    assert client.get(reverse("meetings:ical", args=[token])).status_code == 404
