"""R22 member reviews: campaigns, anonymous ballots once per code per member, counting, the
"more than half" flag, the P2 rule once / twice, proposals on the next agenda, notices once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from committees.models import Post
from inbox.models import Message
from meetings.models import Meeting
from meetings.services import scheduling
from reviews import services
from reviews.models import Ballot, BallotCode, BallotReceipt, Campaign, Category, Choice, Outcome, PaperTally, Subject
from tests.factories import PostFactory, UserFactory
from tests.meetings.factories import MeetingFactory

from .factories import campaign, part_time_member, vote

S, F, B, U = Choice.SATISFIED, Choice.FAIRLY, Choice.BASIC, Choice.UNSATISFIED
PM, DEP, RES = Category.PARTY_MEMBER, Category.DEPUTY, Category.RESIDENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(secretary_user):
    return secretary_user


def paper(actor, c, category, **by_name):
    """Paper counts per holder name: name=(satisfied, fairly, basic, unsatisfied)."""
    subjects = {s.holder_name: s.pk for s in c.subjects.all()}
    rows = {
        subjects[name]: dict(zip(("satisfied", "fairly", "basic", "unsatisfied"), counts, strict=True))
        for name, counts in by_name.items()
    }
    return services.tally_save(actor=actor, campaign=c, category=category, rows=rows)


def close(actor, c):
    return services.campaign_close(actor=actor, campaign=c)


# --- who is reviewed (R3–R5) -------------------------------------------------------------------------


def test_r22_subjects_are_the_part_time_posts_in_force_snapshotted_at_open(world, actor):
    committee = world.mine
    secretary = part_time_member(committee, name="轮值书记", kind=Post.Kind.SECRETARY)
    deputy = part_time_member(committee, name="副书记甲", kind=Post.Kind.DEPUTY)
    member = part_time_member(committee, name="委员乙")
    PostFactory(
        committee=committee,
        unit=world.unit,
        kind=Post.Kind.FULLTIME_DEPUTY,
        holder_name="专职",
        is_part_time=False,
        status=Post.Status.IN_FORCE,
        in_force_from=datetime.date(2024, 1, 2),
    )
    PostFactory(committee=committee, unit=world.unit, holder_name="待批", status=Post.Status.NOMINATED)
    part_time_member(committee, name="全职委员", is_part_time=False)
    part_time_member(world.sibling, name="别的社区")

    c = campaign(actor, committee)

    assert [(s.holder_name, s.post_id) for s in c.subjects.all()] == [
        ("轮值书记", secretary.pk),
        ("副书记甲", deputy.pk),
        ("委员乙", member.pk),
    ]
    # a post that ends later does not change the review
    Post.objects.filter(pk=member.pk).update(status=Post.Status.ENDED, ended_on=datetime.date(2025, 3, 1))
    assert c.subjects.count() == 3


def test_open_refuses_without_part_time_members(world, actor):
    c = campaign(actor, world.mine, opened=False)
    with pytest.raises(ValidationError, match="没有在任的兼职委员"):
        services.campaign_open(actor=actor, campaign=c)
    c.refresh_from_db()
    assert c.is_draft


def test_one_campaign_per_committee_and_year(world, actor):
    campaign(actor, world.mine, members=1, opened=False)
    with pytest.raises(ValidationError, match="2025年度的委员测评已经建立"):
        campaign(actor, world.mine, opened=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            committee=world.mine,
            year=2025,
            title="x",
            opens_on=datetime.date(2025, 1, 1),
            closes_on=datetime.date(2025, 1, 2),
        )


def test_dates_must_be_ordered(world, actor):
    with pytest.raises(ValidationError, match="截止日期不能早于开始日期"):
        campaign(
            actor, world.mine, opened=False, opens_on=datetime.date(2025, 5, 2), closes_on=datetime.date(2025, 5, 1)
        )


def test_settings_freeze_when_the_campaign_opens(world, actor):
    c = campaign(actor, world.mine, members=1)
    with pytest.raises(ValidationError, match="不能再修改设置"):
        services.campaign_update(actor=actor, campaign=c, p2_rule=False)


# --- codes and ballots --------------------------------------------------------------------------------


def test_codes_are_random_unique_and_bounded(world, actor):
    c = campaign(actor, world.mine, members=1)
    codes = services.codes_generate(actor=actor, campaign=c, category=PM, count=50)
    values = [code.code for code in codes]
    assert len(set(values)) == 50
    assert all(len(v) == services.CODE_LENGTH and set(v) <= set(services.CODE_ALPHABET) for v in values)
    with pytest.raises(ValidationError):
        services.codes_generate(actor=actor, campaign=c, category=PM, count=0)
    with pytest.raises(ValidationError):
        services.codes_generate(actor=actor, campaign=c, category=PM, count=services.MAX_CODES + 1)
    with pytest.raises(ValidationError):
        services.codes_generate(actor=actor, campaign=c, category="boss", count=1)


def test_r22_a_code_votes_once_per_member_service(world, actor):
    part_time_member(world.mine, name="甲")
    part_time_member(world.mine, name="乙")
    c = campaign(actor, world.mine)
    [code] = services.codes_generate(actor=actor, campaign=c, category=DEP, count=1)
    subjects = {s.holder_name: s.pk for s in c.subjects.all()}
    choices = {subjects["甲"]: S, subjects["乙"]: U}

    assert services.ballot_submit(code=code.display_code.lower(), choices=choices) == 2  # dashes and case forgiven
    with pytest.raises(ValidationError, match="已经使用过") as exc:
        services.ballot_submit(code=code.code, choices=choices)
    assert exc.value.code == "used"
    assert Ballot.objects.count() == 2
    assert sorted(Ballot.objects.values_list("category", "choice")) == [(DEP, S), (DEP, U)]


def test_r22_a_code_votes_once_per_member_database(world, actor):
    c = campaign(actor, world.mine, members=1)
    [code] = services.codes_generate(actor=actor, campaign=c, category=PM, count=1)
    subject = c.subjects.get()
    BallotReceipt.objects.create(code=code, subject=subject)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotReceipt.objects.create(code=code, subject=subject)


def test_r22_ballots_are_anonymous():
    """No column of a ballot leads to a code or a person; the key is random, there is no time."""
    fields = {f.name for f in Ballot._meta.get_fields()}
    assert fields == {"id", "subject", "category", "choice"}
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"
    assert not any(f.is_relation and f.related_model in (BallotCode, User) for f in Ballot._meta.get_fields())
    # the receipt says who voted on whom, never how
    assert "choice" not in {f.name for f in BallotReceipt._meta.get_fields()}
    assert "used_at" not in {f.name for f in BallotCode._meta.get_fields()}


def test_a_ballot_must_rate_every_member(world, actor):
    part_time_member(world.mine, name="甲")
    part_time_member(world.mine, name="乙")
    c = campaign(actor, world.mine)
    [code] = services.codes_generate(actor=actor, campaign=c, category=PM, count=1)
    first = c.subjects.first()
    with pytest.raises(ValidationError, match="请对每一位委员作出评价") as exc:
        services.ballot_submit(code=code.code, choices={first.pk: S})
    assert exc.value.code == "incomplete"
    with pytest.raises(ValidationError):
        services.ballot_submit(code=code.code, choices={s.pk: "great" for s in c.subjects.all()})
    code.refresh_from_db()
    assert not code.used and not Ballot.objects.exists()  # nothing spent on a rejected ballot


def test_unknown_code_and_a_code_of_another_campaign(world, actor):
    c = campaign(actor, world.mine, members=1)
    with pytest.raises(ValidationError, match="测评码无效"):
        services.ballot_submit(code="NOPE-NOPE-NOPE", choices={c.subjects.get().pk: S})
    other = campaign(actor, world.sibling, members=1)
    [code] = services.codes_generate(actor=actor, campaign=other, category=PM, count=1)
    with pytest.raises(ValidationError, match="请对每一位委员"):
        services.ballot_submit(code=code.code, choices={c.subjects.get().pk: S})


def test_closed_campaign_rejects_ballots(world, actor):
    c = campaign(actor, world.mine, members=1)
    [code] = services.codes_generate(actor=actor, campaign=c, category=PM, count=1)
    close(actor, c)
    with pytest.raises(ValidationError, match="已经结束") as exc:
        services.ballot_submit(code=code.code, choices={c.subjects.get().pk: S})
    assert exc.value.code == "closed"
    with pytest.raises(ValidationError, match="不能再生成"):
        services.codes_generate(actor=actor, campaign=c, category=PM, count=1)


def test_draft_and_late_campaigns_reject_ballots(world, actor):
    part_time_member(world.mine)
    draft = campaign(actor, world.mine, opened=False)
    [code] = services.codes_generate(actor=actor, campaign=draft, category=PM, count=1)
    assert services.code_state(code) == "draft"
    services.campaign_open(actor=actor, campaign=draft)
    code.refresh_from_db()
    assert services.code_state(code) == "ok"
    assert services.code_state(code, today=draft.closes_on + datetime.timedelta(days=1)) == "late"


# --- counting and the "more than half" rule ------------------------------------------------------------


def test_r22_counting_adds_online_ballots_and_paper_tallies_per_category(world, actor):
    part_time_member(world.mine, name="甲")
    part_time_member(world.mine, name="乙")
    c = campaign(actor, world.mine)
    vote(c, PM, {"甲": S, "乙": F}, times=2)
    vote(c, RES, {"甲": B, "乙": U})
    paper(actor, c, DEP, 甲=(1, 0, 0, 2), 乙=(0, 0, 0, 0))
    close(actor, c)

    a, b = c.subjects.get(holder_name="甲"), c.subjects.get(holder_name="乙")
    assert (a.satisfied, a.fairly, a.basic, a.unsatisfied, a.total) == (3, 0, 1, 2, 6)
    assert a.by_category == {PM: {S: 2}, RES: {B: 1}, DEP: {S: 1, U: 2}}
    assert (b.satisfied, b.fairly, b.basic, b.unsatisfied, b.total) == (0, 2, 0, 1, 3)
    assert not a.flagged and not b.flagged


@pytest.mark.parametrize(
    ("unsatisfied", "total", "flagged"),
    [
        (0, 0, False),
        (1, 2, False),
        (2, 4, False),
        (3, 6, False),
        (3, 5, True),
        (1, 1, True),
        (4, 7, True),
        (3, 7, False),
    ],
)
def test_r22_more_than_half_rule(unsatisfied, total, flagged):
    """Exactly half is NOT flagged; no ballots is not flagged."""
    assert services.is_flagged(unsatisfied=unsatisfied, total=total) is flagged


def test_r22_exactly_half_is_not_flagged_on_close(world, actor):
    part_time_member(world.mine, name="甲")
    c = campaign(actor, world.mine)
    paper(actor, c, PM, 甲=(1, 1, 0, 2))
    close(actor, c)
    subject = c.subjects.get()
    assert subject.unsatisfied * 2 == subject.total and not subject.flagged
    assert not Outcome.objects.exists()


def test_the_database_refuses_a_flag_without_a_majority(world, actor):
    c = campaign(actor, world.mine, members=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subject.objects.filter(campaign=c).update(flagged=True, satisfied=2, unsatisfied=2)


def test_paper_tally_is_audited_and_rejects_negative_counts(world, actor, township_user):
    part_time_member(world.mine, name="甲")
    c = campaign(actor, world.mine)
    paper(actor, c, PM, 甲=(3, 0, 0, 1))
    paper(township_user, c, PM, 甲=(3, 0, 0, 2))
    tally = PaperTally.objects.get()
    assert tally.unsatisfied == 2 and tally.entered_by == township_user
    assert [h.history_user for h in tally.history.order_by("history_id")] == [actor, township_user]
    with pytest.raises(ValidationError, match="不小于 0"):
        paper(actor, c, PM, 甲=(-1, 0, 0, 0))
    close(actor, c)
    with pytest.raises(ValidationError, match="只有测评中"):
        paper(actor, c, PM, 甲=(1, 0, 0, 0))


# --- the P2 rule ------------------------------------------------------------------------------------


def flagged_year(actor, committee, year, *, p2_rule=True, name="甲"):
    c = campaign(actor, committee, year=year, p2_rule=p2_rule)
    paper(actor, c, RES, **{name: (1, 0, 0, 2)})
    return close(actor, c)


def test_r22_p2_once_is_criticism_and_help(world, actor):
    part_time_member(world.mine, name="甲")
    c = flagged_year(actor, world.mine, 2024)
    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.kind == Outcome.Kind.CRITICISM and outcome.flagged_times == 1
    assert outcome.agenda_item is None and not outcome.is_pending


def test_r22_p2_twice_is_a_removal_proposal_on_the_next_meeting_agenda(world, actor):
    part_time_member(world.mine, name="甲")
    flagged_year(actor, world.mine, 2024)
    later = MeetingFactory(committee=world.mine, starts_at=timezone.now() + datetime.timedelta(days=20))
    sooner = MeetingFactory(committee=world.mine, starts_at=timezone.now() + datetime.timedelta(days=8))
    MeetingFactory(
        committee=world.mine,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        status=Meeting.Status.CANCELLED,
        cancel_reason="改期",
    )
    MeetingFactory(committee=world.sibling, starts_at=timezone.now() + datetime.timedelta(days=2))

    c = flagged_year(actor, world.mine, 2025)

    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.kind == Outcome.Kind.REMOVAL and outcome.flagged_times == 2
    item = outcome.agenda_item
    assert item.meeting == sooner and "建议罢免甲" in item.title
    assert not later.agenda_items.exists()
    assert outcome.history.first().history_user == actor


def test_r22_p2_twice_without_a_meeting_stays_pending_then_joins_the_next_scheduled_meeting(world, actor):
    part_time_member(world.mine, name="甲")
    flagged_year(actor, world.mine, 2024)
    c = flagged_year(actor, world.mine, 2025)
    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.is_pending

    other = scheduling.meeting_schedule(
        actor=actor,
        committee=world.sibling,
        kind=Meeting.Kind.WORK,
        title="别的会",
        starts_at=timezone.now() + datetime.timedelta(days=5),
        duration_minutes=60,
        place="会议室",
    )
    assert not other.agenda_items.exists()
    meeting = scheduling.meeting_schedule(
        actor=actor,
        committee=world.mine,
        kind=Meeting.Kind.WORK,
        title="第三季度工作会议",
        starts_at=timezone.now() + datetime.timedelta(days=5),
        duration_minutes=60,
        place="社区会议室",
    )
    outcome.refresh_from_db()
    assert outcome.agenda_item is not None and outcome.agenda_item.meeting == meeting
    assert outcome.agenda_item.history.first().history_user == actor
    # a second meeting does not take it again
    MeetingFactory(committee=world.mine)
    assert Outcome.objects.get(pk=outcome.pk).agenda_item.meeting == meeting


def test_r22_p2_a_full_agenda_keeps_the_proposal_pending(world, actor):
    part_time_member(world.mine, name="甲")
    flagged_year(actor, world.mine, 2024)
    short = MeetingFactory(committee=world.mine, duration_minutes=10)  # a 15-minute topic does not fit
    c = flagged_year(actor, world.mine, 2025)
    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.kind == Outcome.Kind.REMOVAL and outcome.is_pending
    assert not short.agenda_items.exists()


def test_r22_p2_matches_the_same_person_on_a_new_post(world, actor):
    old = part_time_member(world.mine, name="甲", unit=world.unit)
    flagged_year(actor, world.mine, 2024)
    Post.objects.filter(pk=old.pk).update(status=Post.Status.ENDED, ended_on=datetime.date(2024, 12, 31))
    part_time_member(world.mine, name="甲", unit=world.unit, kind=Post.Kind.DEPUTY)
    c = flagged_year(actor, world.mine, 2025)
    assert Outcome.objects.get(subject__campaign=c).kind == Outcome.Kind.REMOVAL


def test_r22_p2_a_different_member_flagged_before_does_not_count(world, actor):
    part_time_member(world.mine, name="乙")
    flagged_year(actor, world.mine, 2024, name="乙")
    Post.objects.update(status=Post.Status.ENDED, ended_on=datetime.date(2024, 12, 31))
    part_time_member(world.mine, name="甲")
    c = flagged_year(actor, world.mine, 2025)
    assert Outcome.objects.get(subject__campaign=c).kind == Outcome.Kind.CRITICISM


def test_r22_p2_off_flags_only(world, actor):
    part_time_member(world.mine, name="甲")
    flagged_year(actor, world.mine, 2024, p2_rule=False)
    MeetingFactory(committee=world.mine)
    c = flagged_year(actor, world.mine, 2025, p2_rule=False)
    assert c.subjects.get().flagged
    assert not Outcome.objects.exists()
    assert not Meeting.objects.filter(agenda_items__title__contains="罢免").exists()


def test_r22_p2_a_flag_of_a_p2_off_year_counts_for_a_later_p2_year(world, actor):
    part_time_member(world.mine, name="甲")
    flagged_year(actor, world.mine, 2024, p2_rule=False)
    c = flagged_year(actor, world.mine, 2025)
    assert Outcome.objects.get(subject__campaign=c).kind == Outcome.Kind.REMOVAL


# --- results sent back ---------------------------------------------------------------------------------


def test_r22_results_go_to_the_unit_liaisons_and_the_unit_email_exactly_once(world, actor, liaison_user):
    other_liaison = UserFactory(role=User.Role.LIAISON, unit=world.sibling_unit, email="x@example.cn")
    part_time_member(world.mine, name="甲", unit=world.unit)
    c = flagged_year(actor, world.mine, 2025)

    messages = Message.objects.filter(key__startswith=f"review:{c.pk}:")
    assert {(m.recipient_id, m.email) for m in messages} == {
        (liaison_user.pk, liaison_user.email),
        (None, world.unit.contact_email),
    }
    notice = messages.get(recipient=liaison_user)
    assert "甲" in notice.subject and "不满意2票" in notice.body and "批评帮助" in notice.body
    assert not Message.objects.filter(recipient=other_liaison).exists()

    # close twice → refused; sending again → still one message per recipient
    with pytest.raises(ValidationError, match="不能结束"):
        close(actor, c)
    services.results_send(campaign=c)
    assert Message.objects.filter(key__startswith=f"review:{c.pk}:").count() == 2


def test_no_unit_email_twice_when_the_liaison_uses_it(world, actor):
    liaison = UserFactory(role=User.Role.LIAISON, unit=world.unit, email=world.unit.contact_email.upper())
    part_time_member(world.mine, unit=world.unit)
    c = campaign(actor, world.mine)
    close(actor, c)
    assert list(Message.objects.values_list("recipient_id", flat=True)) == [liaison.pk]
