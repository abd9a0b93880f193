"""Attendance and the presence quorum (issue #3 item 4; R12.3 needs a quorum before any vote)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.models import Attendee, Meeting, Motion
from meetings.services import attendance as svc
from meetings.services import votes

from .sessionkit import in_session, mark

pytestmark = pytest.mark.django_db

P, A, L, D = (
    Attendee.Attendance.PRESENT,
    Attendee.Attendance.ABSENT,
    Attendee.Attendance.LEAVE,
    Attendee.Attendance.DELEGATE,
)


@pytest.mark.parametrize(
    ("members", "present", "met"),
    [(5, 3, True), (5, 2, False), (4, 2, False), (4, 3, True), (1, 1, True), (1, 0, False), (0, 0, False)],
)
def test_quorum_is_more_than_half_of_the_members_r12_3(world, members, present, met):
    s = in_session(world.mine, members=members, guests=2)
    mark(s.members[:present])
    mark(s.guests)  # guests never count
    quorum = svc.meeting_quorum(meeting=s.meeting)
    assert (quorum.members, quorum.present, quorum.met) == (members, present, met)
    assert quorum.needed == members // 2 + 1


def test_delegates_and_leave_do_not_count_for_the_quorum_r12_3(world, secretary_user):
    s = in_session(world.mine, members=4)
    mark(s.members[:2])
    svc.attendance_record(actor=secretary_user, attendee=s.members[2], attendance=D, note="王副主任")
    svc.attendance_record(actor=secretary_user, attendee=s.members[3], attendance=L, note="出差")
    assert svc.meeting_quorum(meeting=s.meeting).met is False


def test_tick_present_absent_leave_delegate_with_notes_and_history(world, secretary_user):
    s = in_session(world.mine, members=3)
    a = svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=L, note="  住院  ")
    assert (a.attendance, a.attendance_note) == (L, "住院")
    a = svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=P, note="ignored")
    assert (a.attendance, a.attendance_note) == (P, "")
    d = svc.attendance_record(actor=secretary_user, attendee=s.members[1], attendance=D, note="张科长")
    assert d.attendance_note == "张科长"
    assert s.members[0].history.first().history_user == secretary_user
    assert s.members[0].history.count() == 3  # created, leave, present


@pytest.mark.parametrize(("attendance", "field"), [(L, "attendance_note"), (D, "attendance_note")])
def test_leave_needs_a_reason_and_a_delegate_a_name(world, secretary_user, attendance, field):
    s = in_session(world.mine, members=1)
    with pytest.raises(ValidationError) as exc:
        svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=attendance, note=" ")
    assert field in exc.value.error_dict
    s.members[0].refresh_from_db()
    assert s.members[0].attendance == Attendee.Attendance.UNKNOWN


def test_unknown_attendance_value_is_refused(world, secretary_user):
    s = in_session(world.mine, members=1)
    with pytest.raises(ValidationError):
        svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance="sleeping")


@pytest.mark.parametrize("status", [Meeting.Status.DRAFT, Meeting.Status.CANCELLED, Meeting.Status.MINUTES_APPROVED])
def test_attendance_only_in_session(world, secretary_user, status):
    s = in_session(world.mine, members=1, status=status)
    with pytest.raises(ValidationError, match="不能登记出席"):
        svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=P)


def test_attendance_not_before_the_meeting_day(world, secretary_user):
    s = in_session(world.mine, members=1, status=Meeting.Status.NOTIFIED, hours_ago=-72)
    with pytest.raises(ValidationError, match="会议当天"):
        svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=P)


def test_a_notified_meeting_on_its_day_is_in_session(world, secretary_user):
    s = in_session(world.mine, members=1, status=Meeting.Status.NOTIFIED)
    assert svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=P).attendance == P


def test_mark_all_present_ticks_only_the_unrecorded(world, secretary_user):
    s = in_session(world.mine, members=4, guests=1)
    svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=L, note="病假")
    assert svc.attendance_mark_all_present(actor=secretary_user, meeting=s.meeting) == 4
    states = sorted(s.meeting.attendees.values_list("attendance", flat=True))
    assert states == sorted([L, P, P, P, P])


def test_opening_a_vote_without_quorum_is_refused_r12_3(world, secretary_user):
    s = in_session(world.mine, members=5)
    mark(s.members[:2])
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="停车方案", agenda_item=s.item)
    with pytest.raises(ValidationError) as exc:
        votes.motion_open(actor=secretary_user, motion=motion)
    assert "不足法定人数" in exc.value.messages[0]
    assert "出席委员 2 人" in exc.value.messages[0] and "至少需要 3 人" in exc.value.messages[0]
    motion.refresh_from_db()
    assert motion.status == Motion.Status.CREATED and motion.opened_at is None
    mark(s.members[2:3])
    assert votes.motion_open(actor=secretary_user, motion=motion).status == Motion.Status.OPEN


def test_a_member_who_voted_stays_present_until_the_vote_closes(world, secretary_user):
    s = in_session(world.mine, members=3)
    mark(s.members)
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="停车方案")
    votes.motion_open(actor=secretary_user, motion=motion)
    votes.vote_cast(actor=secretary_user, motion=motion, attendee=s.members[0], choice="for", method="hands")
    with pytest.raises(ValidationError, match="表决结束前"):
        svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=A)
    votes.motion_close(actor=secretary_user, motion=motion)
    assert svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=A).attendance == A


def test_yesterdays_meeting_is_still_in_session_until_minutes_approved(world, secretary_user):
    s = in_session(world.mine, members=1, hours_ago=30)
    assert s.meeting.starts_at < timezone.now() - datetime.timedelta(days=1)
    assert svc.attendance_record(actor=secretary_user, attendee=s.members[0], attendance=P).attendance == P
