"""Issue #11 items 7–11: rule integrity of meetings and votes (R8, R12).

7. The entitled voters (应到会) are the committee's posts in force on the meeting day, minus the
   recused; guests never vote; a person is one attendee; nobody removes an entitled member or
   adds a voter without a post.
8. Motions open only in session; a vote marks the meeting held; record and minutes wait for the
   votes; a resolution needs a passed motion or a consensus at a meeting with a quorum.
9. A meeting held offline is entered afterwards (补录) with a reason, without notices.
10. One sentence per motion says how abstentions, non-votes and recusals count.
11. R8 periods count only inside the committee's term; boundaries are Asia/Shanghai days.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from committees.models import Committee, Post
from inbox.models import Message
from meetings.models import PORTAL_TZ, Attendee, Meeting, MeetingRecord, Minutes, Motion, Resolution, Vote
from meetings.selectors.meetings import committee_compliance, compliance_periods, in_term, quarter_of
from meetings.services import minutes as minutes_svc
from meetings.services import scheduling, votes
from tests.factories import PostFactory, UnitFactory, UserFactory
from tests.races import together

from .factories import AgendaItemFactory, AttendeeFactory, MeetingFactory, member_post
from .sessionkit import in_session, mark

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=PORTAL_TZ)


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PORTAL_TZ)


def schedule(board, actor, *, days=5, **kwargs) -> Meeting:
    return scheduling.meeting_schedule(
        actor=actor,
        committee=board.committee,
        kind=Meeting.Kind.WORK,
        title="第二季度工作会议",
        starts_at=timezone.now() + datetime.timedelta(days=days),
        duration_minutes=120,
        place="党群服务中心",
        **kwargs,
    )


def record_past(committee, actor, *, starts_at=None, reason="会议在线下召开，当时未在平台登记", now=NOW, **kwargs):
    return scheduling.meeting_record_past(
        actor=actor,
        committee=committee,
        kind=Meeting.Kind.WORK,
        title=kwargs.pop("title", "第一季度工作会议（补录）"),
        starts_at=starts_at or shanghai(2026, 3, 18, 9, 0),
        duration_minutes=90,
        place="党群服务中心",
        reason=reason,
        now=now,
    )


def member_names(meeting) -> set[str]:
    return set(meeting.attendees.filter(role=Attendee.Role.MEMBER).values_list("name", flat=True))


# --- 7. entitled voters (R8, R12.3) ------------------------------------------------------------------


def test_r12_3_entitled_voters_are_the_posts_in_force_on_the_meeting_day(board, secretary_user, world):
    """A post that ended before the day or begins after it is not entitled; one that ended after
    the day was; a nomination never is."""
    committee = board.committee
    PostFactory(
        committee=committee,
        holder_name="早已卸任",
        status=Post.Status.ENDED,
        in_force_from=datetime.date(2024, 1, 2),
        ended_on=datetime.date(2026, 2, 1),
    )
    PostFactory(
        committee=committee,
        holder_name="会后卸任",
        status=Post.Status.ENDED,
        in_force_from=datetime.date(2024, 1, 2),
        ended_on=datetime.date(2026, 4, 1),
    )
    PostFactory(
        committee=committee,
        holder_name="四月新任",
        status=Post.Status.IN_FORCE,
        in_force_from=datetime.date(2026, 4, 1),
    )
    meeting = record_past(committee, secretary_user)  # 18 March 2026
    assert member_names(meeting) == {"李书记", "委员0", "委员1", "无账号委员", "会后卸任"}
    assert "待批委员" not in member_names(meeting)


def test_r12_3_a_voter_is_never_added_by_hand_and_needs_a_post(board, secretary_user):
    meeting = schedule(board, secretary_user)
    before = meeting.attendees.count()
    with pytest.raises(ValidationError) as exc:
        scheduling.attendee_add(actor=secretary_user, meeting=meeting, role=Attendee.Role.MEMBER, name="张三")
    assert "没有本届职务的人员请以列席身份邀请" in str(exc.value)
    assert meeting.attendees.count() == before
    # the database holds it too: a voter row without a post, or a guest row with one, is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendee.objects.create(meeting=meeting, role=Attendee.Role.MEMBER, name="无职务表决人")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendee.objects.create(meeting=meeting, role=Attendee.Role.GUEST, name="带职务列席", post=board.nominated)
    assert meeting.attendees.count() == before


def test_r12_3_an_entitled_member_is_never_removed_from_the_base(board, secretary_user):
    meeting = schedule(board, secretary_user)
    member = meeting.attendees.get(post=board.members[0])
    with pytest.raises(ValidationError, match="请登记请假或缺席"):
        scheduling.attendee_remove(actor=secretary_user, attendee=member)
    assert meeting.attendees.filter(pk=member.pk, role=Attendee.Role.MEMBER).exists()


def test_r12_3_publishing_puts_every_entitled_member_on_the_list(board, secretary_user):
    """Attendees are chosen by topic (R10), but the entitled base is never chosen: a draft
    scheduled without the members gets them all when it is published."""
    meeting = schedule(board, secretary_user, invite_members=False)
    AgendaItemFactory(meeting=meeting)
    scheduling.attendee_add(actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="物业代表")
    assert member_names(meeting) == set()
    scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    assert member_names(meeting) == {"李书记", "委员0", "委员1", "无账号委员"}


def test_r12_3_a_person_is_one_attendee(board, secretary_user, world):
    meeting = schedule(board, secretary_user)
    with pytest.raises(ValidationError, match="不能再以列席身份邀请"):
        scheduling.attendee_add(
            actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="委员0", user=board.member_users[0]
        )
    assert meeting.attendees.filter(user=board.member_users[0]).count() == 1
    # a guest invited before their post came into force becomes that member, not a second row
    newcomer = UserFactory(username="newcomer", role="liaison", unit=world.unit)
    guest = scheduling.attendee_add(
        actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="赵新", user=newcomer
    )
    post = PostFactory(
        committee=board.committee,
        holder_name="赵新",
        unit=world.unit,
        user=newcomer,
        status=Post.Status.IN_FORCE,
        in_force_from=datetime.date(2024, 1, 2),
    )
    scheduling.meeting_invite_members(actor=secretary_user, meeting=meeting)
    rows = list(meeting.attendees.filter(user=newcomer))
    assert [(r.pk, r.role, r.post_id) for r in rows] == [(guest.pk, Attendee.Role.MEMBER, post.pk)]


def test_r12_3_guests_never_vote_and_the_quorum_counts_the_entitled_only(world, secretary_user):
    s = in_session(world.mine, members=3, guests=2)
    mark(s.members[:1] + s.guests)  # one member of three, two guests: no quorum
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="表决")
    with pytest.raises(ValidationError, match="不足法定人数"):
        votes.motion_open(actor=secretary_user, motion=motion)
    mark(s.members[1:2])
    motion = votes.motion_open(actor=secretary_user, motion=motion)
    with pytest.raises(ValidationError, match="列席人员，没有表决权"):
        votes.vote_cast(actor=secretary_user, motion=motion, attendee=s.guests[0], choice="for", method="hands")
    assert Vote.objects.filter(motion=motion).count() == 0


def test_r12_3_a_post_in_force_but_not_invited_still_counts_in_the_base(world, secretary_user):
    """The base is taken again when the vote opens: a post in force on the day that is not on
    the list joins it (absent), so the quorum is never taken of a hand-picked list."""
    s = in_session(world.mine, members=2, guests=0)
    mark(s.members)
    member_post(world.mine, name="未邀请委员")
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="表决")
    motion = votes.motion_open(actor=secretary_user, motion=motion)
    assert "未邀请委员" in member_names(s.meeting)
    for a in s.members:
        votes.vote_cast(actor=secretary_user, motion=motion, attendee=a, choice="for", method="hands")
    motion = votes.motion_close(actor=secretary_user, motion=motion)
    assert (motion.entitled_count, motion.present_count, motion.passed) == (3, 2, True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r12_3_two_people_inviting_the_members_at_once_make_one_row_per_post(board, secretary_user, township_user):
    meeting = schedule(board, secretary_user, invite_members=False)
    errors = together(
        lambda: scheduling.meeting_invite_members(actor=secretary_user, meeting=meeting),
        lambda: scheduling.meeting_invite_members(actor=township_user, meeting=meeting),
    )
    assert errors == []
    assert meeting.attendees.filter(role=Attendee.Role.MEMBER).count() == 4
    assert member_names(meeting) == {"李书记", "委员0", "委员1", "无账号委员"}


# --- 8. in session, one story, resolutions (R12.3, R12.4) ---------------------------------------------


def test_r12_3_a_motion_opens_only_once_the_meeting_has_started(world, secretary_user):
    s = in_session(world.mine, members=2, guests=0, status=Meeting.Status.NOTIFIED, hours_ago=-2)
    mark(s.members)
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="表决")
    with pytest.raises(ValidationError, match="尚未"):
        votes.motion_open(actor=secretary_user, motion=motion)
    motion.refresh_from_db()
    s.meeting.refresh_from_db()
    assert (motion.status, motion.opened_at, s.meeting.status) == (Motion.Status.CREATED, None, Meeting.Status.NOTIFIED)


def test_r12_3_the_first_vote_marks_the_meeting_held_and_it_cannot_be_cancelled(world, secretary_user):
    s = in_session(world.mine, members=2, guests=0, status=Meeting.Status.NOTIFIED)
    mark(s.members)
    motion = votes.motion_open(
        actor=secretary_user, motion=votes.motion_create(actor=secretary_user, meeting=s.meeting, title="表决")
    )
    s.meeting.refresh_from_db()
    assert (s.meeting.status, s.meeting.held_on) == (Meeting.Status.HELD, timezone.localdate(s.meeting.starts_at))
    assert motion.status == Motion.Status.OPEN
    with pytest.raises(ValidationError):
        scheduling.meeting_cancel(actor=secretary_user, meeting=s.meeting, reason="改期")
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.HELD


def test_r12_3_a_notified_meeting_with_votes_from_before_the_rule_is_not_cancelled(world, secretary_user):
    meeting = MeetingFactory(committee=world.mine, status=Meeting.Status.NOTIFIED)
    Motion.objects.create(meeting=meeting, title="旧表决", status=Motion.Status.OPEN)
    with pytest.raises(ValidationError, match="已经进行表决"):
        scheduling.meeting_cancel(actor=secretary_user, meeting=meeting, reason="改期")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (Meeting.Status.NOTIFIED, "")


def test_r12_3_the_data_migration_marks_voted_notified_meetings_held(world):
    migration = importlib.import_module("meetings.migrations.0005_rule_integrity_voters_afterwards_consensus")
    voted = MeetingFactory(
        committee=world.mine, status=Meeting.Status.NOTIFIED, starts_at=shanghai(2026, 3, 31, 23, 30)
    )
    Motion.objects.create(meeting=voted, title="旧表决", status=Motion.Status.OPEN)
    quiet = MeetingFactory(committee=world.mine, status=Meeting.Status.NOTIFIED)
    Motion.objects.create(meeting=quiet, title="未开始", status=Motion.Status.CREATED)
    migration.voted_meetings_are_held(django_apps, None)
    voted.refresh_from_db()
    quiet.refresh_from_db()
    assert (voted.status, voted.held_on) == (Meeting.Status.HELD, datetime.date(2026, 3, 31))
    assert quiet.status == Meeting.Status.NOTIFIED


def test_r12_4_record_and_minutes_wait_until_every_vote_is_counted(world, secretary_user):
    s = in_session(world.mine, members=2, guests=0)
    mark(s.members)
    motion = votes.motion_open(
        actor=secretary_user, motion=votes.motion_create(actor=secretary_user, meeting=s.meeting, title="表决")
    )
    with pytest.raises(ValidationError, match="请先结束表决"):
        minutes_svc.record_save(actor=secretary_user, meeting=s.meeting, speeches="发言", decisions="议定")
    with pytest.raises(ValidationError, match="请先结束表决"):
        minutes_svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    assert not MeetingRecord.objects.filter(meeting=s.meeting).exists()
    assert not Minutes.objects.filter(meeting=s.meeting).exists()
    votes.motion_close(actor=secretary_user, motion=motion)
    minutes_svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    # once the minutes are drawn up no new vote opens
    late = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="会后补充表决")
    with pytest.raises(ValidationError, match="已形成会议纪要"):
        votes.motion_open(actor=secretary_user, motion=late)
    late.refresh_from_db()
    assert late.status == Motion.Status.CREATED


def test_r12_4_a_resolution_needs_a_passed_motion_or_a_consensus_with_a_quorum(world, secretary_user):
    s = in_session(world.mine, members=3, guests=1)
    mark(s.members[:1] + s.guests)  # one of three members: no quorum
    with pytest.raises(ValidationError, match="决议须来自表决通过的事项"):
        minutes_svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="口头议定")
    with pytest.raises(ValidationError, match="未达到法定人数"):
        minutes_svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="口头议定", consensus=True)
    assert not Resolution.objects.filter(meeting=s.meeting).exists()
    mark(s.members[1:2])
    r = minutes_svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="口头议定", consensus=True)
    assert (r.motion, r.consensus_entitled, r.consensus_present, r.is_consensus) == (None, 3, 2, True)
    # the database keeps a recorded consensus a quorum
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(meeting=s.meeting, text="无法定人数", consensus_entitled=4, consensus_present=2)


def test_r12_4_a_resolution_from_before_the_rule_is_flagged_not_broken(world, secretary_user, login):
    s = in_session(world.mine, members=1, guests=0)
    legacy = Resolution.objects.create(meeting=s.meeting, text="旧决议")
    assert legacy.lacks_basis
    response = login(secretary_user).get(s.meeting.get_absolute_url())
    assert response.status_code == 200
    assert "待核实：未登记表决或协商一致" in response.content.decode()


# --- 9. entered afterwards (补录, R8/R12) ---------------------------------------------------------------


def test_r8_a_meeting_entered_afterwards_is_held_counts_for_its_quarter_and_notifies_nobody(board, secretary_user):
    messages = Message.objects.count()
    meeting = record_past(board.committee, secretary_user)
    assert (meeting.status, meeting.held_on, meeting.entered_afterwards) == (
        Meeting.Status.HELD,
        datetime.date(2026, 3, 18),
        True,
    )
    assert meeting.entered_reason == "会议在线下召开，当时未在平台登记"
    assert Message.objects.count() == messages
    periods = committee_compliance(committee=board.committee, year=2026, today=datetime.date(2026, 6, 10))
    assert [(p.label, p.status) for p in periods[:2]] == [("第一季度", "met"), ("第二季度", "open")]
    assert meeting.history.first().history_change_reason.startswith("会后补录")


@pytest.mark.parametrize(
    ("starts_at", "reason", "field", "message"),
    [
        (shanghai(2026, 3, 18, 9, 0), "  ", "reason", "请填写补录原因"),
        (shanghai(2026, 6, 20, 9, 0), "线下召开", "starts_at", "将来的会议请按正常程序"),
        (shanghai(2023, 12, 20, 9, 0), "线下召开", "starts_at", "不在本届大党委任期"),
    ],
)
def test_r8_entering_afterwards_needs_a_reason_a_past_time_and_a_day_in_the_term(
    board, secretary_user, starts_at, reason, field, message
):
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as exc:
        record_past(board.committee, secretary_user, starts_at=starts_at, reason=reason)
    assert field in exc.value.error_dict and message in str(exc.value)
    assert Meeting.objects.count() == before


def test_r8_the_same_meeting_is_not_entered_twice(board, secretary_user):
    record_past(board.committee, secretary_user)
    with pytest.raises(ValidationError, match="已有会议"):
        record_past(board.committee, secretary_user, title="重复补录")
    assert Meeting.objects.filter(committee=board.committee, entered_afterwards=True).count() == 1


def test_r8_scheduling_in_the_past_points_to_entering_afterwards(board, secretary_user):
    with pytest.raises(ValidationError) as exc:
        schedule(board, secretary_user, days=-3, urgency_reason="补开")
    assert "补录已召开的会议" in str(exc.value.error_dict["starts_at"])
    assert not Meeting.objects.filter(committee=board.committee).exists()


def test_r8_a_meeting_entered_afterwards_takes_votes_by_hands_and_says_so_in_record_and_minutes(board, secretary_user):
    meeting = record_past(board.committee, secretary_user, now=timezone.now())
    item = scheduling.agenda_item_add(
        actor=secretary_user, meeting=meeting, category="a", title="季度工作安排", planned_minutes=30
    )
    members = list(meeting.attendees.filter(role=Attendee.Role.MEMBER).order_by("pk"))
    mark(members)
    motion = votes.motion_open(
        actor=secretary_user,
        motion=votes.motion_create(actor=secretary_user, meeting=meeting, title="通过季度工作安排", agenda_item=item),
    )
    mine = next(a for a in members if a.user_id == board.member_users[0].pk)
    with pytest.raises(ValidationError, match="会后补录的会议不能在线表决"):
        votes.vote_cast(actor=board.member_users[0], motion=motion, attendee=mine, choice="for", method="device")
    assert not Vote.objects.filter(motion=motion).exists()
    votes.votes_record_hands(actor=secretary_user, motion=motion, choices={a.pk: "for" for a in members})
    motion = votes.motion_close(actor=secretary_user, motion=motion)
    assert motion.passed
    speeches, _decisions = minutes_svc.record_prefill(meeting=meeting)
    assert "会后在平台补录（补录原因：会议在线下召开" in speeches
    minutes = minutes_svc.minutes_create(actor=secretary_user, meeting=meeting)
    assert "会后在平台补录" in minutes.body


def test_r8_entered_afterwards_is_marked_in_the_list_and_on_the_page(
    board, secretary_user, login, django_assert_max_num_queries
):
    meeting = record_past(board.committee, secretary_user, now=timezone.now())
    client = login(secretary_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:meeting_list"), {"year": 2026})
    page = response.content.decode()
    assert response.status_code == 200 and meeting.title in page and "会后补录" in page
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "线下召开，会后补录；补录原因：会议在线下召开" in detail


def test_r8_the_entering_afterwards_form_shows_the_refusal_and_keeps_the_input(board, secretary_user, login):
    url = reverse("meetings:meeting_record_past", args=[board.committee.pk])
    data = {
        "kind": "work",
        "title": "三月工作会议",
        "starts_at": "2026-03-18T09:00",
        "duration_minutes": 90,
        "place": "党群服务中心",
        "reason": "",
    }
    response = login(secretary_user).post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "请填写补录原因" in page and "三月工作会议" in page
    assert not Meeting.objects.filter(committee=board.committee).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r8_two_people_entering_the_same_meeting_at_once_make_one_meeting(board, secretary_user, township_user):
    errors = together(
        lambda: record_past(board.committee, secretary_user, now=timezone.now()),
        lambda: record_past(board.committee, township_user, now=timezone.now()),
    )
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert Meeting.objects.filter(committee=board.committee, entered_afterwards=True).count() == 1


# --- 10. how abstentions, non-votes and recusals count (R12.3) ----------------------------------------


@pytest.mark.parametrize("rule", Motion.Rule.values)
def test_r12_3_every_rule_says_in_one_sentence_how_abstentions_non_votes_and_recusals_count(rule):
    sentence = Motion(rule=rule).counting_sentence
    assert sentence.endswith("。") and sentence.count("。") == 1
    assert "弃权" in sentence and "未投票" in sentence and "回避" in sentence


def test_r12_3_the_counting_sentence_differs_where_the_rules_do():
    entitled = Motion(rule=Motion.Rule.MAJORITY_ENTITLED).counting_sentence
    cast = Motion(rule=Motion.Rule.MAJORITY_CAST).counting_sentence
    two_thirds = Motion(rule=Motion.Rule.TWO_THIRDS_ENTITLED).counting_sentence
    assert "应到会委员人数的一半" in entitled and "弃权、出席未投票和缺席都不算赞成票" in entitled
    assert "弃权票计入投票人数" in cast and "出席未投票和缺席的委员不计入投票人数" in cast
    assert "三分之二" in two_thirds


def test_r12_3_the_motion_page_and_the_minutes_state_the_counting_sentence(world, secretary_user, login):
    s = in_session(world.mine, members=3, guests=0, units=[world.unit])
    mark(s.members)
    motion = votes.motion_create(
        actor=secretary_user, meeting=s.meeting, title="表决", rule=Motion.Rule.MAJORITY_CAST, agenda_item=s.item
    )
    sentence = motion.counting_sentence
    page = login(secretary_user).get(motion.get_absolute_url())
    assert page.status_code == 200 and sentence in page.content.decode()
    motion = votes.motion_open(actor=secretary_user, motion=motion)
    votes.votes_record_hands(actor=secretary_user, motion=motion, choices={a.pk: "for" for a in s.members})
    motion = votes.motion_close(actor=secretary_user, motion=motion)
    minutes_svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="决议", motion=motion)
    minutes = minutes_svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    assert sentence.rstrip("。") in minutes.body
    detail = login(secretary_user).get(reverse("meetings:minutes_detail", args=[minutes.pk])).content.decode()
    assert sentence in detail


# --- 11. R8 periods: inside the term, Asia/Shanghai days -------------------------------------------------


def test_r8_a_meeting_at_2330_on_31_march_is_in_the_first_quarter_whatever_the_active_timezone(world):
    late = MeetingFactory(committee=world.mine, status=Meeting.Status.HELD, starts_at=shanghai(2026, 3, 31, 23, 30))
    early = MeetingFactory(committee=world.mine, status=Meeting.Status.HELD, starts_at=shanghai(2026, 7, 1, 0, 10))
    with timezone.override("UTC"):  # 15:30 and 16:10 UTC of the day before
        periods = committee_compliance(committee=world.mine, year=2026, today=datetime.date(2026, 12, 31))
        assert late.quarter == 1 and early.quarter == 3
    assert [(p.label, [m.pk for m in p.meetings]) for p in periods] == [
        ("第一季度", [late.pk]),
        ("第二季度", []),
        ("第三季度", [early.pk]),
        ("第四季度", []),
    ]
    # the first minutes of 2026 in Shanghai are in 2026's list, not 2025's
    new_year = MeetingFactory(committee=world.mine, status=Meeting.Status.HELD, starts_at=shanghai(2026, 1, 1, 0, 5))
    with timezone.override("UTC"):
        assert committee_compliance(committee=world.mine, year=2025, today=datetime.date(2026, 1, 5))[3].meetings == []
        assert (
            new_year
            in committee_compliance(committee=world.mine, year=2026, today=datetime.date(2026, 1, 5))[0].meetings
        )


def test_r8_only_periods_inside_the_committees_term_count(world):
    committee = Committee(
        community=world.mine.community,
        name="届中组建",
        term_start=datetime.date(2024, 3, 15),
        term_end=datetime.date(2028, 3, 14),
    )
    first = compliance_periods(committee=committee, year=2024, held=[], today=datetime.date(2025, 1, 10))
    assert [p.status for p in first] == ["outside", "missed", "missed", "missed"]
    assert first[0].status_label == "不在本届任期内，不作要求"
    last = compliance_periods(committee=committee, year=2028, held=[], today=datetime.date(2028, 12, 31))
    assert [p.status for p in last] == ["outside"] * 4
    committee.meeting_frequency = Committee.Frequency.HALF_YEARLY
    halves = compliance_periods(committee=committee, year=2024, held=[], today=datetime.date(2025, 1, 10))
    assert [(p.label, p.status) for p in halves] == [("上半年", "outside"), ("下半年", "missed")]
    assert not in_term(quarter_of(datetime.date(2024, 3, 20)), committee)
    assert in_term(quarter_of(datetime.date(2024, 4, 1)), committee)


def test_r8_the_township_dashboard_flags_no_quarter_outside_the_term(world, township_user):
    from dashboards.selectors import township_dashboard

    Committee.objects.filter(pk=world.mine.pk).update(
        term_start=datetime.date(2026, 5, 1), term_end=datetime.date(2031, 4, 30)
    )
    dash = township_dashboard(user=township_user, today=datetime.date(2026, 5, 20))
    row = next(r for r in dash.rows if r.committee == world.mine)
    assert (row.held_now, row.no_meeting_now, row.missed_before) == (0, False, False)
    sibling = next(r for r in dash.rows if r.committee == world.sibling)
    assert (sibling.no_meeting_now, sibling.missed_before) == (True, True)


def test_r12_3_a_members_unit_for_recusal_is_the_posts_unit(world, secretary_user):
    """A member's unit (for recusal) is the post's unit."""
    unit = UnitFactory(community=world.mine.community)
    a = AttendeeFactory(meeting=in_session(world.mine, members=0).meeting, role=Attendee.Role.MEMBER, unit=unit)
    assert a.post.unit == unit == a.unit


def test_r12_3_moving_a_meeting_takes_the_posts_in_force_on_the_new_day(board, secretary_user):
    meeting = schedule(board, secretary_user, days=5)
    new_day = timezone.localtime(meeting.starts_at + datetime.timedelta(days=10))
    Post.objects.filter(pk=board.members[1].pk).update(
        status=Post.Status.ENDED, ended_on=(new_day - datetime.timedelta(days=2)).date()
    )
    scheduling.meeting_update(actor=secretary_user, meeting=meeting, starts_at=new_day)
    assert member_names(meeting) == {"李书记", "委员0", "无账号委员"}


def test_r12_3_a_member_named_in_a_closed_vote_stays_on_the_list_when_their_post_ends_later(world, secretary_user):
    s = in_session(world.mine, members=2, guests=0)
    mark(s.members)
    first = votes.motion_open(
        actor=secretary_user, motion=votes.motion_create(actor=secretary_user, meeting=s.meeting, title="第一项")
    )
    votes.vote_cast(actor=secretary_user, motion=first, attendee=s.members[0], choice="for", method="hands")
    votes.motion_close(actor=secretary_user, motion=first)
    Post.objects.filter(pk=s.members[1].post_id).update(status=Post.Status.ENDED, ended_on=datetime.date(2025, 1, 1))
    second = votes.motion_open(
        actor=secretary_user, motion=votes.motion_create(actor=secretary_user, meeting=s.meeting, title="第二项")
    )
    assert second.status == Motion.Status.OPEN
    # the first vote's snapshot names them: they stay on the list, as a guest without a vote
    assert s.meeting.attendees.get(pk=s.members[1].pk).role == Attendee.Role.GUEST
    votes.vote_cast(actor=secretary_user, motion=second, attendee=s.members[0], choice="for", method="hands")
    second = votes.motion_close(actor=secretary_user, motion=second)
    assert (second.entitled_count, second.present_count, second.passed) == (1, 1, True)
    first.refresh_from_db()
    assert (first.entitled_count, first.votes_for) == (2, 1)  # the stored result is unchanged
