"""Meeting pages with every role: 404 outside the scope, 403 for readers, invited members read and
reply; forms keep input and speak Chinese; a fixed number of queries whatever the data size."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inbox.models import Message
from meetings.models import AgendaAttachment, AgendaItem, Attendee, Meeting
from meetings.services import notices, scheduling
from tests.factories import PASSWORD, UserFactory

from .factories import AgendaItemFactory, AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def in_hours(hours):
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def meeting(board, secretary_user):
    m = scheduling.meeting_schedule(
        actor=secretary_user,
        committee=board.committee,
        kind=Meeting.Kind.WORK,
        title="第三季度工作会议",
        starts_at=in_hours(24 * 5),
        duration_minutes=120,
        place="党群服务中心",
    )
    AgendaItemFactory(meeting=m, title="文明创建")
    return m


@pytest.mark.parametrize(
    ("role", "expected"),
    [("township_user", 200), ("secretary_user", 200), ("county_user", 200), ("admin_user", 200), ("liaison_user", 404)],
)
def test_detail_by_role(request, login, meeting, role, expected):
    client = login(request.getfixturevalue(role))
    assert client.get(meeting.get_absolute_url()).status_code == expected


@pytest.mark.parametrize(
    ("role", "where"),
    [("township_user", "other"), ("secretary_user", "sibling"), ("liaison_user", "other"), ("county_user", "foreign")],
)
def test_meeting_outside_the_scope_is_404(request, login, world, role, where):
    other_meeting = MeetingFactory(committee=getattr(world, where), title="别处的会议")
    client = login(request.getfixturevalue(role))
    assert client.get(other_meeting.get_absolute_url()).status_code == 404
    assert client.get(reverse("meetings:meeting_update", args=[other_meeting.pk])).status_code == 404


def test_county_reads_but_changes_nothing(login, county_user, meeting, board):
    client = login(county_user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "发布会议通知" not in page
    assert client.get(reverse("meetings:meeting_update", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("meetings:meeting_publish", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("meetings:meeting_create", args=[board.committee.pk])).status_code == 403
    assert client.post(reverse("meetings:agenda_item_create", args=[meeting.pk]), {}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_invited_member_sees_the_notified_meeting_and_replies_but_cannot_change(login, board, meeting, secretary_user):
    member = board.member_users[0]
    client = login(member)
    assert client.get(meeting.get_absolute_url()).status_code == 404  # a draft is not announced yet
    scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "您被邀请参加本次会议" in page and "通知送达" not in page
    assert client.get(reverse("meetings:meeting_update", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("meetings:meeting_cancel", args=[meeting.pk])).status_code == 403
    response = client.post(reverse("meetings:reply", args=[meeting.pk]), {"reply": "leave", "reply_reason": ""})
    assert response.status_code == 200 and "请假请填写事由" in response.content.decode()
    response = client.post(reverse("meetings:reply", args=[meeting.pk]), {"reply": "leave", "reply_reason": "外出培训"})
    assert response.status_code == 302
    attendee = meeting.attendees.get(user=member)
    assert (attendee.reply, attendee.reply_reason) == ("leave", "外出培训")
    # a liaison not invited has no reply to give
    outsider = UserFactory(role="liaison", unit=board.committee.community.units.first())
    assert login(outsider).get(reverse("meetings:reply", args=[meeting.pk])).status_code == 404


def test_reply_by_signed_link_without_account(client, board, meeting, secretary_user):
    guest = scheduling.attendee_add(
        actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="赵科长", email="zhao@example.cn"
    )
    scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    message = Message.objects.get(key=f"meeting:{meeting.pk}:v1:notice:attendee:{guest.pk}")
    assert client.get(message.url).status_code == 200
    assert client.post(message.url, {"reply": "confirmed"}).status_code == 302
    guest.refresh_from_db()
    assert guest.reply == "confirmed"
    assert client.get(reverse("meetings:reply_token", args=["forged"])).status_code == 404


def test_secretary_schedules_through_the_form_keeping_input_on_error(login, secretary_user, board):
    client = login(secretary_user)
    url = reverse("meetings:meeting_create", args=[board.committee.pk])
    soon = timezone.localtime(in_hours(10)).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "work", "title": "紧急会议", "starts_at": soon, "duration_minutes": 60, "place": "会议室"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "急事共商" in page and 'value="紧急会议"' in page
    data["urgency_reason"] = "防汛"
    response = client.post(url, data)
    meeting = Meeting.objects.get(title="紧急会议")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.chair_name == "李书记"


def test_agenda_item_form_and_attachment_download_is_permission_checked(login, secretary_user, meeting, liaison_user):
    client = login(secretary_user)
    url = reverse("meetings:agenda_item_create", args=[meeting.pk])
    response = client.post(url, {"category": "b", "title": "评先奖优", "planned_minutes": 200})
    assert response.status_code == 200 and "超过会议时长" in response.content.decode()
    response = client.post(url, {"category": "b", "title": "评先奖优", "planned_minutes": 20})
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="评先奖优")
    upload = reverse("meetings:attachment_upload", args=[item.pk])
    bad = client.post(upload, {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and "不支持的文件类型" in bad.content.decode()
    client.post(upload, {"file": SimpleUploadedFile("名单.pdf", b"%PDF-1.4 x")})
    attachment = AgendaAttachment.objects.get(item=item)
    download = reverse("meetings:attachment_download", args=[attachment.pk])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(liaison_user).get(download).status_code == 404


def test_publish_and_cancel_through_the_views(login, secretary_user, meeting):
    client = login(secretary_user)
    response = client.post(reverse("meetings:meeting_publish", args=[meeting.pk]), follow=True)
    assert "会议通知已发布" in response.content.decode()
    assert client.get(reverse("meetings:meeting_publish", args=[meeting.pk])).status_code == 405
    response = client.post(reverse("meetings:meeting_cancel", args=[meeting.pk]), {"cancel_reason": ""})
    assert response.status_code == 200 and "必填" in response.content.decode()
    client.post(reverse("meetings:meeting_cancel", args=[meeting.pk]), {"cancel_reason": "上级临时通知"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert Message.objects.filter(kind="meeting_cancel").exists()


def test_secretary_sees_replies_and_who_was_not_reached(login, secretary_user, meeting, board):
    scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    member = meeting.attendees.get(user=board.member_users[1])
    notices.attendee_reply(actor=board.member_users[1], attendee=member, reply="confirmed")
    page = login(secretary_user).get(meeting.get_absolute_url()).content.decode()
    assert "确认参加 1 人" in page and "未回复 3 人" in page
    assert "无账号委员" in page and "以下人员未收到通知" in page


# --- a fixed number of queries -------------------------------------------------------------------


def _bulk(world, n):
    for i in range(n):
        m = MeetingFactory(committee=world.mine, starts_at=in_hours(24 * (i + 3)))
        AgendaItemFactory(meeting=m)
        AttendeeFactory(meeting=m, reply="confirmed")


def _count_queries(django_assert_max_num_queries, client, url, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_meeting_list_queries_do_not_grow(login, secretary_user, world, django_assert_max_num_queries):
    client = login(secretary_user)
    url = reverse("meetings:meeting_list")
    _bulk(world, 2)
    small = _count_queries(django_assert_max_num_queries, client, url, 20)
    _bulk(world, 20)
    assert _count_queries(django_assert_max_num_queries, client, url, small) <= small


def test_meeting_detail_queries_do_not_grow(login, secretary_user, meeting, django_assert_max_num_queries):
    client = login(secretary_user)
    scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    small = _count_queries(django_assert_max_num_queries, client, meeting.get_absolute_url(), 45)
    for i in range(15):
        item = AgendaItemFactory(meeting=meeting, planned_minutes=1)
        AgendaAttachment.objects.create(item=item, file="x.pdf", name=f"{i}.pdf", uploaded_by=secretary_user)
        scheduling.attendee_add(
            actor=secretary_user, meeting=meeting, role="guest", name=f"列席{i}", email=f"l{i}@x.cn"
        )
    assert _count_queries(django_assert_max_num_queries, client, meeting.get_absolute_url(), small) <= small


def test_login_page_then_meeting_page_in_chinese(client, secretary_user, meeting):
    client.post("/accounts/login/", {"username": secretary_user.username, "password": PASSWORD})
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "会议信息" in page and "主持人" in page and "议题" in page
