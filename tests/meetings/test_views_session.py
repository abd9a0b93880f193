"""Session pages through the client with each role: 404 outside the scope, 403 visible but not
changeable, county reads only; htmx fragments; own-device votes; fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendee, FollowUpTask, Motion, Vote
from meetings.services import followup, votes
from meetings.services import minutes as minutes_svc
from tests.factories import UserFactory

from .sessionkit import in_session, mark

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def s(world):
    return in_session(world.mine, members=5, guests=1)


def _open(actor, s, **kw):
    motion = votes.motion_create(actor=actor, meeting=s.meeting, title="停车方案", agenda_item=s.item, **kw)
    return votes.motion_open(actor=actor, motion=motion)


# --- attendance (item 4) ------------------------------------------------------------------------------


def test_secretary_ticks_attendance_with_htmx_and_sees_the_quorum_r12_3(client, login, s, secretary_user):
    login(secretary_user)
    url = reverse("meetings:attendance", args=[s.meeting.pk])
    page = client.get(url)
    assert page.status_code == 200 and "未达到法定人数" in page.content.decode()
    for a in s.members[:3]:
        r = client.post(url, {"attendee": a.pk, "quick": "present", "attendance": "leave"}, **HTMX)
        assert r.status_code == 200
    body = r.content.decode()
    assert "<html" not in body and 'id="attendance"' in body
    assert "已达到法定人数" in body and "出席 3 人" in body
    r = client.post(url, {"attendee": s.members[3].pk, "attendance": "leave", "attendance_note": ""}, **HTMX)
    assert "请假请填写事由" in r.content.decode()
    s.members[3].refresh_from_db()
    assert s.members[3].attendance == Attendee.Attendance.UNKNOWN
    r = client.post(url, {"attendee": s.members[3].pk, "attendance": "leave", "attendance_note": "出差"})
    assert r.status_code == 302
    s.members[3].refresh_from_db()
    assert (s.members[3].attendance, s.members[3].attendance_note) == ("leave", "出差")


def test_attendance_roles_404_outside_403_for_county_r12_3(client, login, s, world, county_user, liaison_user):
    url = reverse("meetings:attendance", args=[s.meeting.pk])
    other_secretary = UserFactory(role="secretary", community=world.other.community)
    login(other_secretary)
    assert client.get(url).status_code == 404
    assert client.post(url, {"attendee": s.members[0].pk, "quick": "present"}).status_code == 404
    login(liaison_user)
    assert client.get(url).status_code == 404
    login(county_user)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="present-' not in page.content.decode()
    assert client.post(url, {"attendee": s.members[0].pk, "quick": "present"}).status_code == 403
    s.members[0].refresh_from_db()
    assert s.members[0].attendance == Attendee.Attendance.UNKNOWN


def test_an_attendee_of_another_meeting_is_404(client, login, s, world, secretary_user):
    other = in_session(world.mine, members=1)
    login(secretary_user)
    r = client.post(
        reverse("meetings:attendance", args=[s.meeting.pk]), {"attendee": other.members[0].pk, "quick": "present"}
    )
    assert r.status_code == 404


# --- motions and votes (item 5) ------------------------------------------------------------------------


def test_opening_without_quorum_shows_the_reason_and_changes_nothing_r12_3(client, login, s, secretary_user):
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="停车方案")
    login(secretary_user)
    r = client.post(reverse("meetings:motion_open", args=[motion.pk]), follow=True)
    assert "不足法定人数" in r.content.decode()
    motion.refresh_from_db()
    assert motion.status == Motion.Status.CREATED


def test_show_of_hands_with_htmx_then_close_shows_passed_r12_3(client, login, s, secretary_user):
    mark(s.members + s.guests)
    motion = _open(secretary_user, s)
    login(secretary_user)
    url = reverse("meetings:vote_hands", args=[motion.pk])
    r = client.post(url, {"attendee": s.members[0].pk, "choice": "against"}, **HTMX)
    assert r.status_code == 200 and 'id="hands"' in r.content.decode() and "<html" not in r.content.decode()
    r = client.post(url, {"attendee": s.members[0].pk, "choice": "for"}, **HTMX)  # double submit
    assert "不能重复表决" in r.content.decode()
    r = client.post(url, {"attendee": s.guests[0].pk, "choice": "for"}, **HTMX)
    assert "没有表决权" in r.content.decode()
    client.post(url, {"rest": "for"}, **HTMX)
    assert list(motion.votes.order_by("attendee_id").values_list("choice", flat=True)) == ["against"] + ["for"] * 4
    client.post(reverse("meetings:motion_close", args=[motion.pk]))
    page = client.get(reverse("meetings:motion_detail", args=[motion.pk])).content.decode()
    assert "赞成 4 票，达到通过所需的 3 票，通过。" in page
    r = client.post(url, {"attendee": s.members[1].pk, "choice": "against"}, **HTMX)
    assert "表决已结束" in r.content.decode()
    assert motion.votes.filter(choice="against").count() == 1


def test_member_votes_on_their_own_device_r12_3(client, login, world, secretary_user):
    member = UserFactory(role="liaison", unit=world.unit)
    s = in_session(world.mine, members=3, users=[member], units=[world.unit])
    mark(s.members)
    motion = _open(secretary_user, s)
    login(member)
    detail = client.get(reverse("meetings:meeting_detail", args=[s.meeting.pk])).content.decode()
    assert reverse("meetings:vote_cast", args=[motion.pk]) in detail  # the open motion, explicitly
    url = reverse("meetings:vote_cast", args=[motion.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"choice": "for"}).status_code == 302
    r = client.post(url, {"choice": "against"})
    assert r.status_code == 400 and "不能重复表决" in r.content.decode()
    vote = Vote.objects.get(motion=motion)
    assert (vote.attendee, vote.choice, vote.method, vote.recorded_by) == (s.members[0], "for", "device", member)


def test_device_vote_refused_for_recused_guest_and_after_close_r12_3(client, login, world, secretary_user):
    member, guest = UserFactory(role="liaison", unit=world.unit), UserFactory(role="liaison", unit=world.sibling_unit)
    s = in_session(world.mine, members=3, guests=0, users=[member], units=[world.unit])
    g = Attendee.objects.create(meeting=s.meeting, role="unit_rep", name="代表", unit=world.sibling_unit, user=guest)
    mark([*s.members, g])
    recused = _open(secretary_user, s, concerns_unit=world.unit)
    login(member)
    r = client.post(reverse("meetings:vote_cast", args=[recused.pk]), {"choice": "for"})
    assert r.status_code == 400 and "回避" in r.content.decode()
    login(guest)
    r = client.post(reverse("meetings:vote_cast", args=[recused.pk]), {"choice": "for"})
    assert r.status_code == 400 and "没有表决权" in r.content.decode()
    votes.motion_close(actor=secretary_user, motion=recused)
    login(member)
    other = _open(secretary_user, s)
    votes.motion_close(actor=secretary_user, motion=other)
    r = client.post(reverse("meetings:vote_cast", args=[other.pk]), {"choice": "for"})
    assert r.status_code == 400 and "表决已结束" in r.content.decode()
    assert not Vote.objects.exists()


def test_device_vote_on_another_committees_motion_is_404_and_secretary_not_on_list_403(
    client, login, world, secretary_user, township_user
):
    member = UserFactory(role="liaison", unit=world.unit)
    mine = in_session(world.mine, members=1, users=[member])
    other = in_session(world.other, members=1)
    mark(mine.members + other.members)
    foreign_motion = _open(township_user, other)
    login(member)
    assert client.post(reverse("meetings:vote_cast", args=[foreign_motion.pk]), {"choice": "for"}).status_code == 404
    assert client.get(reverse("meetings:motion_detail", args=[foreign_motion.pk])).status_code == 404
    my_motion = _open(secretary_user, mine)
    login(secretary_user)
    assert client.post(reverse("meetings:vote_cast", args=[my_motion.pk]), {"choice": "for"}).status_code == 403
    login(member)
    # the member reads their meeting's motion but may not record hands
    assert client.get(reverse("meetings:motion_detail", args=[my_motion.pk])).status_code == 200
    r = client.post(
        reverse("meetings:vote_hands", args=[my_motion.pk]), {"attendee": mine.members[0].pk, "choice": "for"}
    )
    assert r.status_code == 403
    assert not Vote.objects.exists()


def test_county_reads_motions_but_cannot_open_or_record(client, login, s, secretary_user, county_user):
    mark(s.members)
    motion = _open(secretary_user, s)
    login(county_user)
    assert client.get(reverse("meetings:motion_detail", args=[motion.pk])).status_code == 200
    assert client.post(reverse("meetings:motion_close", args=[motion.pk])).status_code == 403
    hands = client.post(reverse("meetings:vote_hands", args=[motion.pk]), {"rest": "for"})
    assert hands.status_code == 403
    assert not motion.votes.exists()


# --- record, minutes, tasks (items 6, 7) ------------------------------------------------------------------


def _minutes_ready(s, actor, world):
    mark(s.members + s.guests)
    motion = _open(actor, s)
    votes.votes_record_hands(actor=actor, motion=motion, choices={a.pk: "for" for a in s.members})
    motion = votes.motion_close(actor=actor, motion=motion)
    resolution = minutes_svc.resolution_create(
        actor=actor, meeting=s.meeting, text="实施停车整治方案", motion=motion, responsible_unit=world.unit
    )
    return minutes_svc.minutes_create(actor=actor, meeting=s.meeting), resolution


def test_minutes_pages_and_pdf_by_role(client, login, s, world, secretary_user, county_user, liaison_user):
    minutes, _ = _minutes_ready(s, secretary_user, world)
    login(secretary_user)
    assert client.get(reverse("meetings:minutes_detail", args=[minutes.pk])).status_code == 200
    pdf = client.get(reverse("meetings:minutes_pdf", args=[minutes.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("meetings:record_pdf", args=[s.meeting.pk])).status_code == 200
    login(county_user)
    assert client.get(reverse("meetings:minutes_pdf", args=[minutes.pk])).status_code == 200
    assert client.post(reverse("meetings:minutes_circulate", args=[minutes.pk])).status_code == 403
    assert client.get(reverse("meetings:record_edit", args=[s.meeting.pk])).status_code == 403
    login(liaison_user)
    assert client.get(reverse("meetings:minutes_detail", args=[minutes.pk])).status_code == 404
    assert client.get(reverse("meetings:record_pdf", args=[s.meeting.pk])).status_code == 404


def test_minutes_approval_form_keeps_input_on_error(client, login, s, world, secretary_user):
    minutes, _ = _minutes_ready(s, secretary_user, world)
    minutes_svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    login(secretary_user)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    r = client.post(reverse("meetings:minutes_approve", args=[minutes.pk]), {"approved_on": future})
    assert r.status_code == 200 and "审定日期不能晚于今天" in r.content.decode() and future in r.content.decode()


def test_minutes_archive_groups_by_quarter(client, login, s, world, secretary_user):
    minutes, _ = _minutes_ready(s, secretary_user, world)
    login(secretary_user)
    page = client.get(reverse("meetings:minutes_archive"), {"year": minutes.year}).content.decode()
    quarter = ["第一季度", "第二季度", "第三季度", "第四季度"][s.meeting.quarter - 1]
    assert quarter in page and str(minutes) in page


def test_liaison_reports_progress_on_own_units_task_but_cannot_close_r13(
    client, login, s, world, secretary_user, liaison_user
):
    _, resolution = _minutes_ready(s, secretary_user, world)
    task = followup.task_create(
        actor=secretary_user,
        resolution=resolution,
        owner_name="王主任",
        due_on=timezone.localdate() + datetime.timedelta(days=9),
    )
    login(liaison_user)
    assert client.get(reverse("meetings:task_detail", args=[task.pk])).status_code == 200
    r = client.post(reverse("meetings:task_progress", args=[task.pk]), {"text": "已完成一半", "progress": 50})
    assert r.status_code == 302
    assert client.post(reverse("meetings:task_close", args=[task.pk])).status_code == 403
    assert client.get(reverse("meetings:task_update", args=[task.pk])).status_code == 403
    task.refresh_from_db()
    assert (task.progress, task.status) == (50, "open")
    other_liaison = UserFactory(role="liaison", unit=world.sibling_unit)
    login(other_liaison)
    assert client.get(reverse("meetings:task_detail", args=[task.pk])).status_code == 404
    assert (
        client.post(reverse("meetings:task_progress", args=[task.pk]), {"text": "x", "progress": 9}).status_code == 404
    )


def test_task_list_overdue_filter_r13(client, login, s, world, secretary_user, township_user):
    _, resolution = _minutes_ready(s, secretary_user, world)
    due = timezone.localdate() + datetime.timedelta(days=9)
    late = followup.task_create(
        actor=secretary_user, resolution=resolution, title="逾期任务", owner_name="甲", due_on=due
    )
    followup.task_create(actor=secretary_user, resolution=resolution, title="正常任务", owner_name="乙", due_on=due)
    FollowUpTask.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    for user in (secretary_user, township_user):
        login(user)
        page = client.get(reverse("meetings:task_list"), {"overdue": "1"}).content.decode()
        assert "逾期任务" in page and "正常任务" not in page and "已逾期（1）" in page


# --- fixed query counts whatever the data size ---------------------------------------------------------------


def _big_session(world, secretary_user, n):
    s = in_session(world.mine, members=n, guests=n // 5, units=[world.unit, world.sibling_unit] * n)
    mark(s.members + s.guests)
    motion = _open(secretary_user, s)
    votes.votes_record_hands(actor=secretary_user, motion=motion, choices={a.pk: "for" for a in s.members})
    return s, votes.motion_close(actor=secretary_user, motion=motion)


@pytest.mark.parametrize("n", [5, 50])
def test_session_pages_run_a_fixed_number_of_queries(
    client, login, world, secretary_user, n, django_assert_max_num_queries
):
    s, motion = _big_session(world, secretary_user, n)
    resolution = minutes_svc.resolution_create(
        actor=secretary_user, meeting=s.meeting, text="决议", motion=motion, responsible_unit=world.unit
    )
    for i in range(n // 5):
        followup.task_create(
            actor=secretary_user,
            resolution=resolution,
            title=f"任务{i}",
            owner_name="甲",
            due_on=timezone.localdate() + datetime.timedelta(days=5),
        )
    minutes = minutes_svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    login(secretary_user)
    pages = {
        reverse("meetings:attendance", args=[s.meeting.pk]): 12,
        reverse("meetings:motion_detail", args=[motion.pk]): 14,
        reverse("meetings:minutes_detail", args=[minutes.pk]): 16,
        reverse("meetings:task_list"): 10,
        reverse("meetings:minutes_archive"): 10,
        reverse("meetings:meeting_detail", args=[s.meeting.pk]): 30,  # notices' page with the four panels
    }
    for url, limit in pages.items():
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url
