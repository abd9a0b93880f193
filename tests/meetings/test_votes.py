"""Motions and named votes (issue #3 item 5, R12.3: the minority obeys the majority)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from committees.models import Post
from meetings.models import Attendee, Motion, MotionVoter, Vote
from meetings.services import votes
from meetings.services.votes import motion_result
from tests.factories import PostFactory, UserFactory

from .sessionkit import in_session, mark

pytestmark = pytest.mark.django_db

ENTITLED, CAST, TWO_THIRDS = (
    Motion.Rule.MAJORITY_ENTITLED,
    Motion.Rule.MAJORITY_CAST,
    Motion.Rule.TWO_THIRDS_ENTITLED,
)


# --- R12.3 the result rule, a pure function, at every edge ---------------------------------------


@pytest.mark.parametrize(
    ("rule", "entitled", "present", "f", "a", "x", "passed", "needed"),
    [
        # default: for-votes > half of the entitled (应到会) = floor(n/2)+1
        (ENTITLED, 9, 9, 5, 4, 0, True, 5),
        (ENTITLED, 9, 9, 4, 5, 0, False, 5),
        (ENTITLED, 10, 10, 5, 5, 0, False, 6),  # tie / exactly half is not more than half
        (ENTITLED, 10, 10, 6, 4, 0, True, 6),
        (ENTITLED, 10, 6, 5, 0, 1, False, 6),  # a majority of those present, not of the entitled
        (ENTITLED, 7, 7, 0, 0, 7, False, 4),  # all abstain
        (ENTITLED, 7, 4, 0, 0, 0, False, 4),  # zero cast
        (ENTITLED, 1, 1, 1, 0, 0, True, 1),
        (ENTITLED, 2, 2, 1, 1, 0, False, 2),
        # more than half of the votes cast (abstentions are cast)
        (CAST, 9, 5, 3, 2, 0, True, 3),
        (CAST, 9, 6, 3, 3, 0, False, 4),  # tie
        (CAST, 9, 6, 3, 1, 2, False, 4),  # exactly half with abstentions
        (CAST, 9, 5, 0, 0, 5, False, 3),  # all abstain
        (CAST, 9, 5, 0, 0, 0, False, 1),  # zero cast
        (CAST, 9, 5, 1, 0, 0, True, 1),  # one vote cast, for
        # two thirds of the entitled: ceil(2n/3)
        (TWO_THIRDS, 9, 9, 6, 3, 0, True, 6),  # divisible by 3
        (TWO_THIRDS, 9, 9, 5, 4, 0, False, 6),
        (TWO_THIRDS, 7, 7, 5, 2, 0, True, 5),  # 2×7/3 = 4.67 → 5
        (TWO_THIRDS, 7, 7, 4, 3, 0, False, 5),
        (TWO_THIRDS, 8, 8, 6, 2, 0, True, 6),  # 5.33 → 6
        (TWO_THIRDS, 8, 8, 5, 3, 0, False, 6),
        (TWO_THIRDS, 10, 10, 7, 0, 3, True, 7),  # 6.67 → 7
        (TWO_THIRDS, 10, 10, 6, 0, 4, False, 7),
        (TWO_THIRDS, 1, 1, 1, 0, 0, True, 1),
    ],
)
def test_result_rules_at_every_edge_r12_3(rule, entitled, present, f, a, x, passed, needed):
    result = motion_result(rule=rule, entitled=entitled, present=present, votes_for=f, against=a, abstain=x)
    assert (result.passed, result.needed) == (passed, needed)
    assert result.quorum_met


@pytest.mark.parametrize("rule", [ENTITLED, CAST, TWO_THIRDS])
@pytest.mark.parametrize(("entitled", "present"), [(9, 4), (10, 5), (2, 1), (0, 0)])
def test_quorum_missed_never_passes_r12_3(rule, entitled, present):
    result = motion_result(rule=rule, entitled=entitled, present=present, votes_for=present, against=0, abstain=0)
    assert result.passed is False and result.quorum_met is False
    assert "不足法定人数" in result.reason


@pytest.mark.parametrize(("entitled", "present", "f", "a", "x"), [(5, 6, 0, 0, 0), (5, 3, 2, 1, 1), (5, 5, -1, 0, 0)])
def test_impossible_counts_are_an_error(entitled, present, f, a, x):
    with pytest.raises(ValueError):
        motion_result(rule=ENTITLED, entitled=entitled, present=present, votes_for=f, against=a, abstain=x)


def test_unknown_rule_is_an_error():
    with pytest.raises(ValueError):
        motion_result(rule="acclamation", entitled=3, present=3, votes_for=3, against=0, abstain=0)


# --- the motion's lifecycle ----------------------------------------------------------------------


@pytest.fixture
def s(world):
    session = in_session(world.mine, members=5, guests=1, units=[world.unit, world.sibling_unit])
    mark(session.members + session.guests)
    return session


def open_motion(actor, s, **kw):
    motion = votes.motion_create(actor=actor, meeting=s.meeting, title=kw.pop("title", "停车方案"), **kw)
    return votes.motion_open(actor=actor, motion=motion)


def cast(actor, motion, attendee, choice="for", method=Vote.Method.HANDS):
    return votes.vote_cast(actor=actor, motion=motion, attendee=attendee, choice=choice, method=method)


def test_full_lifecycle_created_open_closed_published_with_history_r12_3(s, secretary_user):
    motion = open_motion(secretary_user, s, agenda_item=s.item)
    for attendee, choice in zip(s.members, ["for", "for", "for", "against", "abstain"], strict=True):
        cast(secretary_user, motion, attendee, choice)
    motion = votes.motion_close(actor=secretary_user, motion=motion)
    assert (motion.status, motion.entitled_count, motion.present_count) == ("closed", 5, 5)
    assert (motion.votes_for, motion.votes_against, motion.votes_abstain, motion.passed) == (3, 1, 1, True)
    assert votes.result_of(motion).needed == 3
    motion = votes.motion_publish(actor=secretary_user, motion=motion)
    assert motion.status == Motion.Status.PUBLISHED
    assert [h.status for h in motion.history.order_by("history_date")] == ["created", "open", "closed", "published"]
    assert {h.history_user for h in motion.history.all()} == {secretary_user}
    vote = Vote.objects.get(motion=motion, attendee=s.members[0])
    assert vote.history.first().history_user == secretary_user and vote.recorded_by == secretary_user


def test_two_against_two_with_one_abstention_fails_r12_3(s, secretary_user):
    motion = open_motion(secretary_user, s)
    for attendee, choice in zip(s.members, ["for", "for", "against", "against", "abstain"], strict=True):
        cast(secretary_user, motion, attendee, choice)
    assert votes.motion_close(actor=secretary_user, motion=motion).passed is False


def test_settings_freeze_once_open_r12_3(s, secretary_user):
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="草案")
    motion = votes.motion_update(actor=secretary_user, motion=motion, title="停车方案", rule=CAST)
    assert (motion.title, motion.rule) == ("停车方案", CAST)
    votes.motion_open(actor=secretary_user, motion=motion)
    with pytest.raises(ValidationError, match="冻结"):
        votes.motion_update(actor=secretary_user, motion=motion, rule=TWO_THIRDS)
    with pytest.raises(ValidationError):
        votes.motion_delete(actor=secretary_user, motion=motion)
    motion.refresh_from_db()
    assert motion.rule == CAST


def test_motion_settings_must_belong_to_the_meeting(s, world, secretary_user):
    other = in_session(world.sibling, members=1)
    with pytest.raises(ValidationError) as exc:
        votes.motion_create(actor=secretary_user, meeting=s.meeting, title="x", agenda_item=other.item)
    assert "agenda_item" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        votes.motion_create(actor=secretary_user, meeting=s.meeting, title="x", concerns_unit=world.other_unit)
    assert "concerns_unit" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        votes.motion_create(actor=secretary_user, meeting=s.meeting, title="  ")
    assert "title" in exc.value.error_dict


def test_a_created_motion_can_be_deleted(s, secretary_user):
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="草案")
    votes.motion_delete(actor=secretary_user, motion=motion)
    assert not Motion.objects.filter(pk=motion.pk).exists()


def test_close_and_publish_only_in_order(s, secretary_user):
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="草案")
    with pytest.raises(ValidationError):
        votes.motion_close(actor=secretary_user, motion=motion)
    with pytest.raises(ValidationError):
        votes.motion_publish(actor=secretary_user, motion=motion)
    votes.motion_open(actor=secretary_user, motion=motion)
    with pytest.raises(ValidationError):
        votes.motion_open(actor=secretary_user, motion=motion)


# --- vote integrity: each refused with a clear message, nothing changed ------------------------------


def test_double_submit_is_refused_r12_3(s, secretary_user):
    motion = open_motion(secretary_user, s)
    cast(secretary_user, motion, s.members[0], "for")
    with pytest.raises(ValidationError, match="已经表决，不能重复表决"):
        cast(secretary_user, motion, s.members[0], "against")
    assert list(motion.votes.values_list("choice", flat=True)) == ["for"]


def test_no_vote_cast_or_changed_after_close_r12_3(s, secretary_user):
    motion = open_motion(secretary_user, s)
    cast(secretary_user, motion, s.members[0], "for")
    votes.motion_close(actor=secretary_user, motion=motion)
    for attendee, choice in ((s.members[1], "for"), (s.members[0], "against")):
        with pytest.raises(ValidationError, match="表决已结束"):
            cast(secretary_user, motion, attendee, choice)
    assert list(motion.votes.values_list("attendee_id", "choice")) == [(s.members[0].pk, "for")]


def test_no_vote_before_the_motion_opens(s, secretary_user):
    motion = votes.motion_create(actor=secretary_user, meeting=s.meeting, title="草案")
    with pytest.raises(ValidationError, match="尚未开始"):
        cast(secretary_user, motion, s.members[0])
    assert not motion.votes.exists()


def test_guests_have_no_vote_r12_3(s, secretary_user):
    motion = open_motion(secretary_user, s)
    with pytest.raises(ValidationError, match="列席人员，没有表决权"):
        cast(secretary_user, motion, s.guests[0])
    assert not motion.votes.exists()


@pytest.mark.parametrize(
    "attendance", [Attendee.Attendance.ABSENT, Attendee.Attendance.LEAVE, Attendee.Attendance.DELEGATE]
)
def test_members_not_present_do_not_vote_r12_3(s, secretary_user, attendance):
    mark(s.members[4:], attendance, note="某某")
    motion = open_motion(secretary_user, s)
    with pytest.raises(ValidationError, match="未登记出席"):
        cast(secretary_user, motion, s.members[4])
    assert not motion.votes.exists()


def test_recused_member_does_not_vote_and_is_not_entitled_r12_3(s, world, secretary_user):
    # members 1 is of world.unit, 2 of world.sibling_unit; the motion concerns world.unit alone
    motion = open_motion(secretary_user, s, concerns_unit=world.unit)
    with pytest.raises(ValidationError, match="应当回避"):
        cast(secretary_user, motion, s.members[0])
    for attendee in s.members[1:4]:
        cast(secretary_user, motion, attendee, "for")
    motion = votes.motion_close(actor=secretary_user, motion=motion)
    assert motion.entitled_count == 4 and motion.votes_for == 3 and motion.passed is True
    voters = {v.attendee_id: v for v in MotionVoter.objects.filter(motion=motion)}
    assert voters[s.members[0].pk].recused is True
    assert sum(not v.recused for v in voters.values()) == 4


def test_a_vote_on_another_meetings_motion_is_refused(s, world, secretary_user):
    other = in_session(world.sibling, members=3)
    mark(other.members)
    motion = open_motion(secretary_user, other)
    with pytest.raises(ValidationError, match="不是本次会议的参会人员"):
        cast(secretary_user, motion, s.members[0])
    assert not motion.votes.exists()


def test_own_device_vote_only_by_the_member_themself_r12_3(world, secretary_user):
    me, someone = UserFactory(role="liaison", unit=world.unit), UserFactory(role="liaison", unit=world.unit)
    s = in_session(world.mine, members=3, users=[me])
    mark(s.members)
    motion = open_motion(secretary_user, s)
    with pytest.raises(ValidationError, match="只能由本人"):
        cast(someone, motion, s.members[0], method=Vote.Method.DEVICE)
    with pytest.raises(ValidationError, match="只能由本人"):
        cast(me, motion, s.members[1], method=Vote.Method.DEVICE)  # a member without an account
    vote = cast(me, motion, s.members[0], "against", method=Vote.Method.DEVICE)
    assert (vote.method, vote.recorded_by) == ("device", me)
    assert motion.votes.count() == 1


def test_bad_choice_is_refused(s, secretary_user):
    motion = open_motion(secretary_user, s)
    with pytest.raises(ValidationError):
        cast(secretary_user, motion, s.members[0], "maybe")


def test_show_of_hands_for_the_room_is_all_or_nothing_r12_3(s, secretary_user):
    motion = open_motion(secretary_user, s)
    choices = {a.pk: "for" for a in s.members[:4]}
    choices[s.guests[0].pk] = "for"  # a guest in the batch spoils it
    with pytest.raises(ValidationError):
        votes.votes_record_hands(actor=secretary_user, motion=motion, choices=choices)
    assert not motion.votes.exists()
    del choices[s.guests[0].pk]
    assert len(votes.votes_record_hands(actor=secretary_user, motion=motion, choices=choices)) == 4


# --- the snapshot at close: later changes alter no result ---------------------------------------------


def test_snapshot_at_close_later_changes_to_posts_change_no_result_r12_3(world, secretary_user):
    s = in_session(world.mine, members=3)  # each member holds a post in force (the factory's)
    mark(s.members[:2])
    motion = open_motion(secretary_user, s)
    cast(secretary_user, motion, s.members[0], "for")
    cast(secretary_user, motion, s.members[1], "for")
    motion = votes.motion_close(actor=secretary_user, motion=motion)
    before = (motion.entitled_count, motion.present_count, motion.votes_for, motion.passed)
    assert before == (3, 2, 2, True)
    # afterwards: a post ends, a new post comes into force, attendance changes
    Post.objects.filter(pk=s.members[0].post_id).update(status=Post.Status.ENDED, ended_on="2025-01-01")
    in_session(world.mine, members=0)  # unrelated meeting
    PostFactory(committee=world.mine, unit=world.unit, status=Post.Status.IN_FORCE, in_force_from="2024-01-02")
    mark(s.members[2:])
    motion.refresh_from_db()
    assert (motion.entitled_count, motion.present_count, motion.votes_for, motion.passed) == before
    snapshot = list(motion.voters.order_by("pk").values_list("name", "present"))
    assert snapshot == [("委员01", True), ("委员02", True), ("委员03", False)]


# --- a real race on PostgreSQL --------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_vote_records_exactly_one_r12_3(world, secretary_user):
    s = in_session(world.mine, members=3)
    mark(s.members)
    motion = open_motion(secretary_user, s)
    barrier = threading.Barrier(4)
    outcomes = []

    def worker(choice):
        try:
            barrier.wait()
            cast(secretary_user, motion, s.members[0], choice)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in ("for", "against", "abstain", "for")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert all("不能重复表决" in o for o in outcomes if o != "ok")
    assert Vote.objects.filter(motion=motion, attendee=s.members[0]).count() == 1
