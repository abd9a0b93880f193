"""R22 member reviews, issue #11 item 15: the P2 "twice" counts consecutive reviews (a setting),
reviews may be half-yearly (a setting), paper tallies never exceed the electorate, results go to
the unit's party organisation and its superior, and 列席人员 are reviewed where P3 applies."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from committees.models import Committee, Unit
from inbox.models import Message
from meetings.models import Attendee, Meeting
from reviews import services
from reviews.models import BallotCode, Campaign, Category, Outcome, PaperTally, Period
from tests.factories import UserFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

from .factories import campaign, part_time_member

PM, RES = Category.PARTY_MEMBER, Category.RESIDENT
pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(secretary_user):
    return secretary_user


def paper(actor, c, category, **by_name):
    subjects = {s.holder_name: s.pk for s in c.subjects.all()}
    rows = {
        subjects[name]: dict(zip(("satisfied", "fairly", "basic", "unsatisfied"), counts, strict=True))
        for name, counts in by_name.items()
    }
    return services.tally_save(actor=actor, campaign=c, category=category, rows=rows)


def review(actor, committee, year, *, flagged: bool, period=Period.YEAR, consecutive=True, name="甲"):
    c = campaign(actor, committee, year=year, period=period, consecutive=consecutive)
    paper(actor, c, RES, **{name: (1, 0, 0, 2) if flagged else (2, 0, 0, 1)})
    return services.campaign_close(actor=actor, campaign=c)


# --- the P2 "twice": consecutive reviews (setting) ----------------------------------------------------


def test_r22_twice_in_a_row_is_a_removal_proposal(world, actor):
    part_time_member(world.mine, name="甲")
    review(actor, world.mine, 2024, flagged=True)
    c = review(actor, world.mine, 2025, flagged=True)
    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.kind == Outcome.Kind.REMOVAL and outcome.flagged_times == 2


def test_r22_a_satisfied_review_in_between_restarts_the_count_when_consecutive(world, actor):
    part_time_member(world.mine, name="甲")
    review(actor, world.mine, 2023, flagged=True)
    review(actor, world.mine, 2024, flagged=False)
    c = review(actor, world.mine, 2025, flagged=True, consecutive=True)
    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.kind == Outcome.Kind.CRITICISM and outcome.flagged_times == 1


def test_r22_without_the_consecutive_setting_two_flags_in_all_are_enough(world, actor):
    part_time_member(world.mine, name="甲")
    review(actor, world.mine, 2023, flagged=True)
    review(actor, world.mine, 2024, flagged=False)
    c = review(actor, world.mine, 2025, flagged=True, consecutive=False)
    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.kind == Outcome.Kind.REMOVAL and outcome.flagged_times == 2


# --- half-yearly reviews (setting) ----------------------------------------------------------------------


def test_r22_a_committee_may_review_half_yearly_and_the_halves_are_consecutive(world, actor):
    part_time_member(world.mine, name="甲")
    review(actor, world.mine, 2025, flagged=True, period=Period.FIRST_HALF)
    c = review(actor, world.mine, 2025, flagged=True, period=Period.SECOND_HALF)
    assert c.period_label == "2025年下半年"
    outcome = Outcome.objects.get(subject__campaign=c)
    assert outcome.kind == Outcome.Kind.REMOVAL and outcome.flagged_times == 2


def test_r22_whole_year_and_half_year_reviews_of_one_year_exclude_each_other(world, actor):
    part_time_member(world.mine, name="甲")
    campaign(actor, world.mine, year=2025, period=Period.FIRST_HALF, opened=False)
    with pytest.raises(ValidationError) as exc:
        campaign(actor, world.mine, year=2025, period=Period.YEAR, opened=False)
    assert "已按半年开展测评" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="2025年上半年的委员测评已经建立"):
        campaign(actor, world.mine, year=2025, period=Period.FIRST_HALF, opened=False)
    campaign(actor, world.mine, year=2026, opened=False)
    with pytest.raises(ValidationError, match="已建立全年测评"):
        campaign(actor, world.mine, year=2026, period=Period.SECOND_HALF, opened=False)
    assert Campaign.objects.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            committee=world.mine,
            year=2025,
            period=Period.FIRST_HALF,
            title="x",
            opens_on=datetime.date(2025, 1, 1),
            closes_on=datetime.date(2025, 1, 2),
        )


# --- the electorate bounds what is counted ----------------------------------------------------------


def test_r22_paper_tallies_cannot_exceed_the_electorate(world, actor):
    part_time_member(world.mine, name="甲")
    c = campaign(actor, world.mine, electorate={"party_member": 10, "deputy": 0, "resident": 5})
    services.codes_generate(actor=actor, campaign=c, category=RES, count=2)
    with pytest.raises(ValidationError) as exc:
        paper(actor, c, RES, 甲=(2, 1, 1, 0))  # 2 codes + 4 paper ballots > 5 residents' representatives
    assert exc.value.code == "over_electorate" and "超过应参评人数 5 人" in exc.value.messages[0]
    assert not PaperTally.objects.exists()
    paper(actor, c, RES, 甲=(2, 1, 0, 0))  # 2 + 3 = 5: allowed
    assert PaperTally.objects.get().total == 3


def test_r22_codes_cannot_exceed_the_electorate_either(world, actor):
    part_time_member(world.mine, name="甲")
    c = campaign(actor, world.mine, electorate={"party_member": 3, "deputy": 0, "resident": 0})
    paper(actor, c, PM, 甲=(1, 0, 0, 0))
    with pytest.raises(ValidationError, match="超过应参评人数 3 人"):
        services.codes_generate(actor=actor, campaign=c, category=PM, count=3)
    assert not BallotCode.objects.exists()
    with pytest.raises(ValidationError, match="应参评人数 0 人"):
        services.codes_generate(actor=actor, campaign=c, category=Category.DEPUTY, count=1)
    assert len(services.codes_generate(actor=actor, campaign=c, category=PM, count=2)) == 2


def test_r22_the_tally_page_says_why_in_chinese_and_keeps_nothing(world, actor, login):
    subject_post = part_time_member(world.mine, name="甲")
    c = campaign(actor, world.mine, electorate={"party_member": 0, "deputy": 0, "resident": 2})
    subject = c.subjects.get(post=subject_post)
    response = login(actor).post(
        reverse("reviews:tally", args=[c.pk]) + f"?category={RES}",
        {
            f"s{subject.pk}_satisfied": 3,
            f"s{subject.pk}_fairly": 0,
            f"s{subject.pk}_basic": 0,
            f"s{subject.pk}_unsatisfied": 0,
        },
    )
    assert response.status_code == 400 and "超过应参评人数 2 人" in response.content.decode()
    assert not PaperTally.objects.exists()


# --- results to the unit's party organisation and its superior -------------------------------------------


def test_r22_results_also_go_to_the_superior_party_organisation(world, actor, township_user, liaison_user):
    elsewhere = UserFactory(role=User.Role.TOWNSHIP, township=world.other.community.township)
    part_time_member(world.mine, name="甲", unit=world.unit)
    c = review(actor, world.mine, 2025, flagged=True)
    to_superior = Message.objects.filter(key__startswith=f"review:{c.pk}:", recipient=township_user)
    assert to_superior.count() == 1
    notice = to_superior.get()
    assert "报上级党组织" in notice.subject and "不满意2票" in notice.body and world.unit.name in notice.body
    assert Message.objects.filter(key__startswith=f"review:{c.pk}:", recipient=liaison_user).count() == 1
    assert not Message.objects.filter(recipient=elsewhere).exists()
    services.results_send(campaign=c)  # exactly once
    assert Message.objects.filter(key__startswith=f"review:{c.pk}:", recipient=township_user).count() == 1


# --- 列席人员 where P3 applies --------------------------------------------------------------------------


def _held_with_guests(committee, day, *names):
    meeting = MeetingFactory(
        committee=committee,
        status=Meeting.Status.HELD,
        held_on=day,
        starts_at=datetime.datetime(day.year, day.month, day.day, 1, tzinfo=datetime.UTC),
    )
    unit = Unit.objects.filter(community=committee.community).first()
    for name in names:
        AttendeeFactory(
            meeting=meeting,
            role=Attendee.Role.UNIT_REP,
            name=name,
            unit=unit,
            attendance=Attendee.Attendance.PRESENT,
        )
    AttendeeFactory(meeting=meeting, role=Attendee.Role.GUEST, name="缺席者", attendance=Attendee.Attendance.ABSENT)
    return meeting


def test_r22_p3_committees_review_their_attendees_too(world, actor):
    Committee.objects.filter(pk=world.mine.pk).update(mode=Committee.Mode.ONE_PLUS_X)
    world.mine.refresh_from_db()
    part_time_member(world.mine, name="甲")
    _held_with_guests(world.mine, datetime.date(2025, 3, 5), "列席乙", "列席丙")
    _held_with_guests(world.mine, datetime.date(2025, 6, 5), "列席乙")  # once, whatever the meetings
    _held_with_guests(world.mine, datetime.date(2024, 6, 5), "去年列席")  # another year
    c = campaign(actor, world.mine, year=2025)
    assert c.include_attendees
    subjects = {s.holder_name: s for s in c.subjects.all()}
    assert set(subjects) == {"甲", "列席乙", "列席丙"}
    assert subjects["列席乙"].kind == "attendee" and subjects["列席乙"].post is None
    assert subjects["列席乙"].get_kind_display() == "列席人员"
    paper(actor, c, RES, 列席乙=(0, 0, 1, 2))
    services.campaign_close(actor=actor, campaign=c)
    assert c.subjects.get(holder_name="列席乙").flagged


def test_r22_p1_committees_review_only_part_time_members_by_default(world, actor):
    part_time_member(world.mine, name="甲")
    _held_with_guests(world.mine, datetime.date(2025, 3, 5), "列席乙")
    c = campaign(actor, world.mine, year=2025)
    assert not c.include_attendees
    assert list(c.subjects.values_list("holder_name", flat=True)) == ["甲"]


def test_r22_the_database_keeps_posts_for_members_and_none_for_attendees(world, actor):
    post = part_time_member(world.mine, name="甲")
    c = campaign(actor, world.mine, year=2025)
    subject = c.subjects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(subject).objects.create(campaign=c, post=None, holder_name="无职务", kind="member", unit=post.unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(subject).objects.create(campaign=c, post=post, holder_name="乙", kind="attendee", order=9)
    assert c.subjects.count() == 1
