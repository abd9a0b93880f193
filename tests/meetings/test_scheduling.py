"""Scheduling services: R8 compliance, R9 urgency, R10 chair and attendees, R11 agenda, states."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from committees.models import Committee, Post, RotationTerm
from meetings.models import AgendaItem, Attendee, FollowUpTask, Meeting, Resolution
from meetings.selectors.meetings import (
    committee_compliance,
    compliance_overview,
    compliance_periods,
    open_tasks_before,
)
from meetings.services import scheduling
from tests.factories import UnitFactory, UserFactory

from .factories import AgendaItemFactory, AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def in_hours(hours: float) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(microsecond=0)


def schedule(board, actor, *, hours=24 * 7, **kw):
    args = {
        "kind": Meeting.Kind.WORK,
        "title": "第二季度工作会议",
        "starts_at": in_hours(hours),
        "duration_minutes": 90,
        "place": "党群服务中心",
    }
    args.update(kw)
    return scheduling.meeting_schedule(actor=actor, committee=board.committee, **args)


def test_schedule_chair_is_secretary_in_office_and_members_in_force_are_invited_r10(board, secretary_user):
    meeting = schedule(board, secretary_user)
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.chair_name == "李书记"
    attendees = {a.name: a for a in meeting.attendees.all()}
    # the secretary and every member in force; not the nomination awaiting approval
    assert set(attendees) == {"李书记", "委员0", "委员1", "无账号委员"}
    assert attendees["委员0"].user == board.member_users[0]
    assert attendees["委员0"].email == "member0@example.cn"
    assert attendees["委员0"].role == Attendee.Role.MEMBER
    assert attendees["无账号委员"].user is None
    assert meeting.history.first().history_user == secretary_user


def test_chair_follows_the_rotation_on_the_meeting_date_r10(board, secretary_user, world):
    RotationTerm.objects.create(
        committee=board.committee,
        unit=world.sibling_unit,
        holder_name="轮值张书记",
        start=timezone.localdate() + datetime.timedelta(days=5),
        end=timezone.localdate() + datetime.timedelta(days=300),
        approved_on=timezone.localdate(),
    )
    before = schedule(board, secretary_user, hours=24 * 3)
    gap = schedule(board, secretary_user, hours=24 * 10)
    # R5/R7: the rotating secretary chairs only with a secretary post approved (a gap: no chair)
    Post.objects.create(
        committee=board.committee,
        unit=world.sibling_unit,
        kind=Post.Kind.SECRETARY,
        holder_name="轮值张书记",
        status=Post.Status.ENDED,  # the one-secretary-in-force rule keeps 李书记 in force here
        in_force_from=timezone.localdate() + datetime.timedelta(days=5),
        ended_on=timezone.localdate() + datetime.timedelta(days=300),
    )
    after = schedule(board, secretary_user, hours=24 * 10)
    assert before.chair_name == "李书记"
    assert gap.chair_name == ""
    assert after.chair_name == "轮值张书记"


def test_less_than_48_hours_needs_an_urgency_reason_r9(board, secretary_user):
    with pytest.raises(ValidationError) as exc:
        schedule(board, secretary_user, hours=30)
    assert "urgency_reason" in exc.value.error_dict
    assert "急事共商" in str(exc.value)
    meeting = schedule(board, secretary_user, hours=30, urgency_reason="防汛紧急部署")
    assert meeting.urgency_reason == "防汛紧急部署"


def test_a_meeting_in_the_past_is_refused(board, secretary_user):
    with pytest.raises(ValidationError) as exc:
        schedule(board, secretary_user, hours=-2, urgency_reason="补录")
    assert "starts_at" in exc.value.error_dict


def test_agenda_minutes_may_not_exceed_the_duration_r11(board, secretary_user):
    meeting = schedule(board, secretary_user)
    item = scheduling.agenda_item_add(
        actor=secretary_user,
        meeting=meeting,
        category=AgendaItem.Category.PARTY_BUILDING,
        title="区域党建共建项目",
        planned_minutes=60,
    )
    assert item.order == 1
    with pytest.raises(ValidationError) as exc:
        scheduling.agenda_item_add(
            actor=secretary_user,
            meeting=meeting,
            category=AgendaItem.Category.COMMUNITY,
            title="居民诉求",
            planned_minutes=31,
        )
    assert "超过会议时长" in str(exc.value)
    second = scheduling.agenda_item_add(
        actor=secretary_user,
        meeting=meeting,
        category=AgendaItem.Category.COMMUNITY,
        title="居民诉求",
        planned_minutes=30,
    )
    assert second.order == 2
    with pytest.raises(ValidationError):
        scheduling.agenda_item_update(actor=secretary_user, item=second, planned_minutes=45)
    with pytest.raises(ValidationError) as exc:
        scheduling.meeting_update(actor=secretary_user, meeting=meeting, duration_minutes=60)
    assert "duration_minutes" in exc.value.error_dict


def test_agenda_category_must_be_one_of_r11(board, secretary_user):
    meeting = schedule(board, secretary_user)
    with pytest.raises(ValidationError) as exc:
        scheduling.agenda_item_add(actor=secretary_user, meeting=meeting, category="x", title="?", planned_minutes=5)
    assert "category" in exc.value.error_dict


def test_time_or_place_change_bumps_the_version_title_does_not(board, secretary_user):
    meeting = schedule(board, secretary_user)
    meeting = scheduling.meeting_update(actor=secretary_user, meeting=meeting, title="第二季度工作会议（扩大）")
    assert meeting.version == 1
    meeting = scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="社区会议室")
    assert meeting.version == 2
    meeting = scheduling.meeting_update(
        actor=secretary_user, meeting=meeting, starts_at=meeting.starts_at + datetime.timedelta(days=1)
    )
    assert meeting.version == 3
    reasons = [h.history_change_reason for h in meeting.history.all()]
    assert "改期或变更地点" in reasons


def _ready(board, actor, **kw):
    meeting = schedule(board, actor, **kw)
    AgendaItemFactory(meeting=meeting, title="议题一", planned_minutes=30)
    return meeting


def test_publish_needs_agenda_and_moves_draft_to_notified_r12(board, secretary_user):
    meeting = schedule(board, secretary_user)
    with pytest.raises(ValidationError, match="议题"):
        scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    AgendaItemFactory(meeting=meeting)
    meeting = scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    assert meeting.status == Meeting.Status.NOTIFIED
    with pytest.raises(ValidationError):
        scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    assert meeting.history.first().history_change_reason == "发布会议通知"


def test_publish_without_attendees_is_refused(world, secretary_user):
    meeting = MeetingFactory(committee=world.mine)
    AgendaItemFactory(meeting=meeting)
    with pytest.raises(ValidationError, match="参会人员"):
        scheduling.meeting_publish(actor=secretary_user, meeting=meeting)


def test_publish_less_than_48_hours_ahead_needs_the_urgency_reason_r12_2(board, secretary_user):
    meeting = _ready(board, secretary_user)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=in_hours(20))
    with pytest.raises(ValidationError, match="48"):
        scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(urgency_reason="突发事件")
    assert scheduling.meeting_publish(actor=secretary_user, meeting=meeting).status == Meeting.Status.NOTIFIED


def test_held_only_after_start_then_minutes_approved(board, secretary_user):
    meeting = _ready(board, secretary_user)
    scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    with pytest.raises(ValidationError, match="尚未开始"):
        scheduling.meeting_mark_held(actor=secretary_user, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=in_hours(-1))
    meeting = scheduling.meeting_mark_held(actor=secretary_user, meeting=meeting)
    assert meeting.status == Meeting.Status.HELD
    assert meeting.held_on == timezone.localdate(meeting.starts_at)
    with pytest.raises(ValidationError):
        scheduling.meeting_cancel(actor=secretary_user, meeting=meeting, reason="不开了")
    with pytest.raises(ValidationError):
        scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="别处")
    meeting = scheduling.meeting_mark_minutes_approved(actor=secretary_user, meeting=meeting)
    assert meeting.status == Meeting.Status.MINUTES_APPROVED


def test_cancel_needs_a_reason_and_is_final(board, secretary_user):
    meeting = _ready(board, secretary_user)
    with pytest.raises(ValidationError) as exc:
        scheduling.meeting_cancel(actor=secretary_user, meeting=meeting, reason="  ")
    assert "cancel_reason" in exc.value.error_dict
    meeting = scheduling.meeting_cancel(actor=secretary_user, meeting=meeting, reason="与防汛工作冲突")
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.history.first().history_user == secretary_user
    with pytest.raises(ValidationError):
        scheduling.meeting_publish(actor=secretary_user, meeting=meeting)


def test_unit_rep_is_linked_to_the_liaison_and_guests_may_be_invited_r10(board, secretary_user, world):
    meeting = schedule(board, secretary_user)
    hospital = UnitFactory(community=world.mine.community, name="县人民医院", contact_email="yy@example.cn")
    liaison = UserFactory(role="liaison", unit=hospital, email="wang@example.cn")
    rep = scheduling.attendee_add(
        actor=secretary_user, meeting=meeting, role=Attendee.Role.UNIT_REP, name="王联络员", unit=hospital
    )
    assert rep.user == liaison and rep.email == "wang@example.cn"
    # a unit whose liaison is already on the list: the representative is invited by e-mail only
    rep2 = scheduling.attendee_add(
        actor=secretary_user, meeting=meeting, role=Attendee.Role.UNIT_REP, name="供电公司代表", unit=world.unit
    )
    assert rep2.user is None and rep2.email == world.unit.contact_email
    guest = scheduling.attendee_add(
        actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="县民政局赵科长", email="zhao@example.cn"
    )
    assert guest.user is None and guest.email == "zhao@example.cn"
    with pytest.raises(ValidationError, match="不属于本社区"):
        scheduling.attendee_add(
            actor=secretary_user, meeting=meeting, role=Attendee.Role.UNIT_REP, name="外人", unit=world.other_unit
        )
    # R8/R12.3: a person is one attendee: a member in force is not invited again as a guest
    with pytest.raises(ValidationError, match="在任的本届委员"):
        scheduling.attendee_add(
            actor=secretary_user,
            meeting=meeting,
            role=Attendee.Role.GUEST,
            name="委员0",
            user=board.member_users[0],
        )


def test_r8_attendee_remove_takes_off_a_guest_never_an_entitled_member(board, secretary_user):
    """Before the rule a member in force could be removed (and so left the entitled base); now
    only guests leave the list."""
    meeting = schedule(board, secretary_user)
    member = meeting.attendees.get(name="无账号委员")
    with pytest.raises(ValidationError, match="属于应到会人员，不能从名单中删除"):
        scheduling.attendee_remove(actor=secretary_user, attendee=member)
    assert meeting.attendees.filter(pk=member.pk, role=Attendee.Role.MEMBER).exists()
    guest = scheduling.attendee_add(actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="赵科长")
    scheduling.attendee_remove(actor=secretary_user, attendee=guest)
    assert not meeting.attendees.filter(pk=guest.pk).exists()
    assert scheduling.meeting_invite_members(actor=secretary_user, meeting=meeting) == []


def test_attachments_are_checked_r12_1(board, secretary_user):
    meeting = schedule(board, secretary_user)
    item = AgendaItemFactory(meeting=meeting)
    with pytest.raises(ValidationError) as exc:
        scheduling.agenda_attachment_add(
            actor=secretary_user, item=item, file=SimpleUploadedFile("a.exe", b"MZ\x90\x00", "application/octet-stream")
        )
    assert "file" in exc.value.error_dict
    with pytest.raises(ValidationError, match="不符"):
        scheduling.agenda_attachment_add(
            actor=secretary_user, item=item, file=SimpleUploadedFile("a.pdf", b"not a pdf", "application/pdf")
        )
    attachment = scheduling.agenda_attachment_add(
        actor=secretary_user, item=item, file=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 test", "application/pdf")
    )
    assert attachment.name == "方案.pdf"
    assert attachment.file.read().startswith(b"%PDF")


# --- R8 compliance ------------------------------------------------------------------------------


def _at(year, month, day=10):
    return timezone.make_aware(datetime.datetime(year, month, day, 9, 0))


def test_quarters_met_missed_cancelled_does_not_count_r8(world):
    c = world.mine
    MeetingFactory(committee=c, starts_at=_at(2025, 2), status=Meeting.Status.HELD)
    MeetingFactory(committee=c, starts_at=_at(2025, 5), status=Meeting.Status.CANCELLED, cancel_reason="冲突")
    MeetingFactory(committee=c, starts_at=_at(2025, 8), status=Meeting.Status.MINUTES_APPROVED)
    MeetingFactory(committee=c, starts_at=_at(2025, 11), status=Meeting.Status.NOTIFIED)
    periods = compliance_periods(
        committee=c,
        year=2025,
        held=list(Meeting.objects.filter(status__in=["held", "minutes_approved"])),
        today=datetime.date(2025, 11, 20),
    )
    assert [p.label for p in periods] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert [p.status for p in periods] == ["met", "missed", "met", "open"]
    after_year = compliance_periods(committee=c, year=2025, held=[], today=datetime.date(2026, 1, 2))
    assert [p.status for p in after_year] == ["missed"] * 4
    before = compliance_periods(committee=c, year=2025, held=[], today=datetime.date(2024, 12, 1))
    assert [p.status for p in before] == ["upcoming"] * 4


def test_half_yearly_setting_r8(world):
    c = world.mine
    c.meeting_frequency = Committee.Frequency.HALF_YEARLY
    held = [MeetingFactory(committee=c, starts_at=_at(2025, 5), status=Meeting.Status.HELD)]
    periods = compliance_periods(committee=c, year=2025, held=held, today=datetime.date(2026, 1, 5))
    assert [(p.label, p.status) for p in periods] == [("上半年", "met"), ("下半年", "missed")]


def test_township_sees_committees_with_a_missed_quarter_r8(world, township_user, django_assert_max_num_queries):
    MeetingFactory(committee=world.mine, starts_at=_at(2025, 2), status=Meeting.Status.HELD)
    for month in (2, 5, 8, 11):
        MeetingFactory(committee=world.sibling, starts_at=_at(2025, month), status=Meeting.Status.HELD)
    with django_assert_max_num_queries(2):
        rows = compliance_overview(user=township_user, year=2025, missed_only=True)
    assert [r.committee for r in rows] == [world.mine]  # not the sibling (all met), not other townships
    assert len(rows[0].missed) == 3
    assert committee_compliance(committee=world.sibling, year=2025)[0].status == "met"


# --- R13: open tasks of earlier meetings appear until done -------------------------------------


def test_open_followup_tasks_appear_on_later_meetings_until_done_r13(world):
    earlier = MeetingFactory(committee=world.mine, starts_at=_at(2025, 2), status=Meeting.Status.HELD)
    later = MeetingFactory(committee=world.mine, starts_at=_at(2025, 5))
    other = MeetingFactory(committee=world.sibling, starts_at=_at(2025, 5))
    resolution = Resolution.objects.create(meeting=earlier, text="修缮小区路灯")
    task = FollowUpTask.objects.create(
        resolution=resolution,
        committee=world.mine,
        title="修缮路灯",
        responsible_unit=world.unit,
        owner_name="张三",
        due_on=datetime.date(2025, 4, 30),
    )
    assert open_tasks_before(meeting=later) == [task]
    assert open_tasks_before(meeting=earlier) == []
    assert open_tasks_before(meeting=other) == []
    FollowUpTask.objects.filter(pk=task.pk).update(status=FollowUpTask.Status.DONE, closed_on=datetime.date(2025, 4, 1))
    assert open_tasks_before(meeting=later) == []


def test_factories_build_consistent_rows(world):
    meeting = MeetingFactory(committee=world.mine)
    attendee = AttendeeFactory(meeting=meeting, user=UserFactory())
    assert attendee.meeting.committee == world.mine
    assert AgendaItemFactory(meeting=meeting).meeting == meeting
