"""The rotating secretary (R7): generate, edit, reorder, approve; no gaps (service), no overlaps
(service and database); who is secretary on a date; handovers shown a month ahead."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from committees import selectors, services
from committees.models import Committee, Post, RotationTerm, Unit, add_years
from tests.factories import CommitteeFactory, CommunityFactory, PostFactory, UnitFactory, UserFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(db):
    return UserFactory(username="staff")


@pytest.fixture
def committee(db):
    """Two years into a five-year term: years 1 and 2 are past, year 3 covers today."""
    return CommitteeFactory(
        community=CommunityFactory(name="陵园社区"), term_start=add_years(TODAY, -2), term_end=add_years(TODAY, 3) - DAY
    )


@pytest.fixture
def units(committee):
    return [
        UnitFactory(community=committee.community, name=f"单位{c}", party_org_secretary=f"书记{c}") for c in "甲乙丙"
    ]


def generate(actor, committee, units, **kwargs):
    return services.rotation_generate(actor=actor, committee=committee, units=units, **kwargs)


def approve(committee, **kwargs):
    """R7: the township's staff approve (never the proposer, ``actor`` here)."""
    approver, _ = User.objects.get_or_create(
        username="approver", defaults={"role": User.Role.TOWNSHIP, "township": committee.community.township}
    )
    return services.rotation_approve(actor=approver, committee=committee, **kwargs)


def terms_of(committee):
    return list(RotationTerm.objects.filter(committee=committee).order_by("start"))


class TestGenerate:
    def test_r7_one_year_per_holder_in_order_covering_the_term(self, actor, committee, units):
        terms = generate(actor, committee, [units[1], units[0]])
        assert [t.holder_name for t in terms] == ["书记乙", "书记甲", "书记乙", "书记甲", "书记乙"]
        assert terms[0].start == committee.term_start
        assert terms[-1].end == committee.term_end
        for a, b in zip(terms, terms[1:], strict=False):
            assert b.start == a.end + DAY  # no gap, no overlap
            assert add_years(a.start, 1) == b.start  # one year each
        assert not any(t.is_approved for t in terms)
        assert services.rotation_gaps(committee) == []
        assert terms[0].history.get().history_user == actor

    def test_r7_last_term_is_cut_at_the_end_of_the_committee_term(self, actor, units):
        # the community's committee in office is this short one (a closed committee is read-only)
        Committee.objects.filter(community=units[0].community).update(is_active=False)
        short = CommitteeFactory(
            community=units[0].community,
            term_start=datetime.date(2024, 3, 1),
            term_end=datetime.date(2025, 9, 30),
        )
        terms = generate(actor, short, units[:2])
        assert [(t.start, t.end) for t in terms] == [
            (datetime.date(2024, 3, 1), datetime.date(2025, 2, 28)),
            (datetime.date(2025, 3, 1), datetime.date(2025, 9, 30)),
        ]

    @pytest.mark.parametrize(
        "make",
        [
            lambda c: UnitFactory(community=c.community, unit_type=Unit.Type.COMMUNITY_ORG, party_org_secretary="王"),
            lambda c: UnitFactory(party_org_secretary="外社区"),
            lambda c: UnitFactory(community=c.community, party_org_secretary=""),
            lambda c: UnitFactory(
                community=c.community, party_org_secretary="停", is_active=False, deactivated_on=TODAY
            ),
        ],
        ids=["community-org", "other-community", "no-secretary", "deactivated"],
    )
    def test_r7_only_active_resident_units_of_the_community_with_a_secretary(self, actor, committee, units, make):
        with pytest.raises(ValidationError) as exc:
            generate(actor, committee, [units[0], make(committee)])
        assert "units" in exc.value.message_dict
        assert not RotationTerm.objects.exists()

    def test_r7_nothing_chosen_is_refused(self, actor, committee):
        with pytest.raises(ValidationError):
            generate(actor, committee, [])

    def test_start_outside_the_term_is_refused(self, actor, committee, units):
        for start in (committee.term_start - DAY, committee.term_end + DAY):
            with pytest.raises(ValidationError) as exc:
                generate(actor, committee, units, start=start)
            assert "start" in exc.value.message_dict

    def test_r7_regenerating_keeps_the_handover_history_and_replaces_the_rest(self, actor, committee, units):
        generate(actor, committee, units)
        approve(committee)
        history = [t for t in terms_of(committee) if t.start <= TODAY]
        assert len(history) == 3
        new = generate(actor, committee, [units[0], units[1]])
        terms = terms_of(committee)
        assert terms[:3] == history  # same rows, untouched
        assert all(t.is_approved for t in terms[:3])
        assert [t.holder_name for t in new] == ["书记甲", "书记乙"]
        assert new[0].start == history[-1].end + DAY
        assert services.rotation_gaps(committee) == []
        # the replaced approved future terms left a deletion in the history, by the actor
        deleted = RotationTerm.history.filter(history_type="-")
        assert deleted.count() == 2 and {r.history_user for r in deleted} == {actor}

    def test_r7_overlapping_the_history_is_refused(self, actor, committee, units):
        generate(actor, committee, units)
        approve(committee)
        with pytest.raises(ValidationError):
            generate(actor, committee, units, start=committee.term_start + DAY)
        assert len(terms_of(committee)) == 5


class TestEditAndApprove:
    @pytest.fixture
    def plan(self, actor, committee, units):
        return generate(actor, committee, units)

    def test_r7_approve_sets_who_and_when(self, actor, committee, plan):
        assert approve(committee) == 5
        approver = User.objects.get(username="approver")
        assert {(t.approved_on, t.approved_by, t.proposed_by) for t in terms_of(committee)} == {
            (TODAY, approver, actor)
        }
        with pytest.raises(ValidationError):  # nothing left to approve
            approve(committee)

    def test_r7_no_plan_cannot_be_approved(self, actor, committee):
        with pytest.raises(ValidationError) as exc:
            approve(committee)
        assert "尚未制定轮值安排" in exc.value.messages[0]

    def test_r7_a_gap_is_refused_with_its_dates(self, actor, committee, units, plan):
        last = plan[-1]
        services.rotation_term_update(
            actor=actor,
            term=last,
            unit=last.unit,
            holder_name=last.holder_name,
            start=last.start + 10 * DAY,
            end=last.end,
        )
        problems = services.rotation_gaps(committee)
        assert len(problems) == 1 and "无人轮值" in problems[0]
        gap_start = last.start
        assert f"{gap_start.year}年{gap_start.month}月{gap_start.day}日" in problems[0]
        with pytest.raises(ValidationError) as exc:
            approve(committee)
        assert exc.value.messages == problems
        assert not RotationTerm.objects.filter(approved_on__isnull=False).exists()

    def test_r7_an_uncovered_end_of_term_is_a_gap(self, actor, committee, plan):
        last = plan[-1]
        # existing data: the service refuses a last term that stops short (not one year, R7)
        RotationTerm.objects.filter(pk=last.pk).update(end=last.end - DAY)
        problems = services.rotation_gaps(committee)
        assert "任期届满" in problems[0] and "不是一年" in problems[1]

    def test_r7_overlap_refused_by_the_service(self, actor, committee, plan):
        second = plan[1]
        with pytest.raises(ValidationError) as exc:
            services.rotation_term_update(
                actor=actor,
                term=second,
                unit=second.unit,
                holder_name=second.holder_name,
                start=second.start - DAY,
                end=second.end - DAY,
            )
        assert "重叠" in exc.value.messages[0]
        second.refresh_from_db()
        assert second.start == plan[0].end + DAY

    def test_r7_overlap_refused_by_the_database_on_insert(self, committee, plan):
        with pytest.raises(IntegrityError), transaction.atomic():
            RotationTerm.objects.create(
                committee=committee, unit=plan[0].unit, holder_name="插队", start=plan[0].end, end=plan[1].start
            )

    def test_r7_overlap_refused_by_the_database_on_update(self, committee, plan):
        with pytest.raises(IntegrityError), transaction.atomic():
            RotationTerm.objects.filter(pk=plan[1].pk).update(start=plan[0].end)

    def test_r7_database_allows_adjacent_terms_and_other_committees(self, committee, units, plan):
        other = CommitteeFactory(term_start=committee.term_start, term_end=committee.term_end)
        RotationTerm.objects.create(
            committee=other, unit=units[0], holder_name="别的", start=plan[0].start, end=plan[0].end
        )
        assert RotationTerm.objects.count() == 6

    def test_edit_outside_the_committee_term_is_refused(self, actor, committee, plan):
        first = plan[0]
        with pytest.raises(ValidationError):
            services.rotation_term_update(
                actor=actor, term=first, unit=first.unit, holder_name="x", start=first.start - DAY, end=first.end
            )

    def test_edit_needs_a_resident_unit_of_the_community(self, actor, committee, plan):
        org = UnitFactory(community=committee.community, unit_type=Unit.Type.COMMUNITY_ORG)
        with pytest.raises(ValidationError) as exc:
            services.rotation_term_update(
                actor=actor, term=plan[4], unit=org, holder_name="x", start=plan[4].start, end=plan[4].end
            )
        assert "unit" in exc.value.message_dict

    def test_r7_history_cannot_be_edited_and_an_edit_needs_approval_again(self, actor, committee, units, plan):
        approve(committee)
        current = next(t for t in terms_of(committee) if t.start <= TODAY <= t.end)
        with pytest.raises(ValidationError):
            services.rotation_term_update(
                actor=actor, term=current, unit=units[2], holder_name="改", start=current.start, end=current.end
            )
        future = terms_of(committee)[-1]
        services.rotation_term_update(
            actor=actor, term=future, unit=units[2], holder_name="新人", start=future.start, end=future.end
        )
        future.refresh_from_db()
        assert (future.holder_name, future.is_approved) == ("新人", False)
        assert future.history.first().history_user == actor

    def test_r7_swap_exchanges_holders_keeps_dates(self, actor, committee, plan):
        a, b = plan[3], plan[4]
        services.rotation_swap(actor=actor, first=a, second=b)
        a2, b2 = RotationTerm.objects.get(pk=a.pk), RotationTerm.objects.get(pk=b.pk)
        assert (a2.holder_name, a2.unit, a2.start) == (b.holder_name, b.unit, a.start)
        assert (b2.holder_name, b2.unit, b2.start) == (a.holder_name, a.unit, b.start)
        assert services.rotation_gaps(committee) == []

    def test_r7_swap_refuses_history_and_other_committees(self, actor, committee, units, plan):
        approve(committee)
        terms = terms_of(committee)
        with pytest.raises(ValidationError):
            services.rotation_swap(actor=actor, first=terms[2], second=terms[3])  # terms[2] covers today
        other = CommitteeFactory(term_start=committee.term_start, term_end=committee.term_end)
        foreign = RotationTerm.objects.create(
            committee=other, unit=units[0], holder_name="别的", start=terms[4].start, end=terms[4].end
        )
        with pytest.raises(ValidationError):
            services.rotation_swap(actor=actor, first=terms[4], second=foreign)
        with pytest.raises(ValidationError):
            services.rotation_swap(actor=actor, first=terms[4], second=terms[4])


class TestGapsMessages:
    def test_r7_term_outside_the_committee_term_is_named(self, committee, units):
        RotationTerm.objects.create(
            committee=committee,
            unit=units[0],
            holder_name="早",
            start=committee.term_start - 10 * DAY,
            end=committee.term_end,
        )
        problems = services.rotation_gaps(committee)
        assert len(problems) == 2 and "超出大党委任期" in problems[0] and "不是一年" in problems[1]

    def test_r7_overlap_in_memory_is_named(self, committee, units):
        a = RotationTerm(committee=committee, unit=units[0], holder_name="甲", start=committee.term_start, end=TODAY)
        b = RotationTerm(committee=committee, unit=units[1], holder_name="乙", start=TODAY, end=committee.term_end)
        problems = services.rotation_gaps(committee, [a, b])
        assert problems and "重叠" in problems[0]


class TestSecretaryOn:
    @pytest.fixture
    def approved(self, actor, committee, units):
        generate(actor, committee, units)
        approve(committee)
        return terms_of(committee)

    def test_r7_rotation_term_answers_for_each_date_while_its_holder_holds_the_post(self, committee, approved):
        for term in approved:
            for day in (term.start, term.end):  # no secretary post in force: a gap, no chair
                assert selectors.secretary_on(committee=committee, day=day) is None
        for term in approved:
            last = term == approved[-1]
            PostFactory(
                committee=committee,
                unit=term.unit,
                kind=Post.Kind.SECRETARY,
                holder_name=term.holder_name,
                status=Post.Status.IN_FORCE if last else Post.Status.ENDED,
                in_force_from=term.start,
                ended_on=None if last else term.end,
            )
        posts = selectors.committee_posts(committee=committee)
        for term in approved:
            for day in (term.start, term.end):
                assert selectors.secretary_on(committee=committee, day=day) == term
                assert selectors.secretary_on(committee=committee, day=day, terms=approved, posts=posts) == term
                assert selectors.secretary_on(committee=committee, day=day, terms=approved, posts=[]) is None

    def test_unapproved_plan_falls_back_to_the_secretary_post(self, actor, committee, units):
        generate(actor, committee, units)
        post = PostFactory(
            committee=committee, unit=units[0], kind=Post.Kind.SECRETARY, status="in_force", in_force_from=TODAY - DAY
        )
        assert selectors.secretary_on(committee=committee, day=TODAY) == post
        assert selectors.secretary_on(committee=committee, day=TODAY - 2 * DAY) is None
        posts = selectors.committee_posts(committee=committee)
        terms = selectors.rotation_terms(committee=committee)
        assert selectors.secretary_on(committee=committee, day=TODAY, terms=terms, posts=posts) == post

    def test_p3_mode_uses_the_post_and_ended_posts_answer_for_their_time(self, committee, units, approved):
        Committee.objects.filter(pk=committee.pk).update(mode=Committee.Mode.ONE_PLUS_X)
        committee.refresh_from_db()
        old = PostFactory(
            committee=committee,
            unit=units[0],
            kind=Post.Kind.SECRETARY,
            status="ended",
            in_force_from=TODAY - 100 * DAY,
            ended_on=TODAY - 50 * DAY,
        )
        new = PostFactory(
            committee=committee,
            unit=units[1],
            kind=Post.Kind.SECRETARY,
            status="in_force",
            in_force_from=TODAY - 49 * DAY,
        )
        PostFactory(committee=committee, unit=units[2], kind=Post.Kind.SECRETARY, status="rejected")
        assert selectors.secretary_on(committee=committee, day=TODAY - 60 * DAY) == old
        assert selectors.secretary_on(committee=committee, day=TODAY) == new
        posts = selectors.committee_posts(committee=committee)
        assert selectors.secretary_on(committee=committee, day=TODAY - 60 * DAY, terms=approved, posts=posts) == old
        assert selectors.secretary_on(committee=committee, day=TODAY, terms=approved, posts=posts) == new


class TestHandovers:
    @pytest.fixture
    def soon(self, committee, units):
        """An approved term starting in 20 days and one starting in 60."""
        mk = RotationTerm.objects.create
        mk(committee=committee, unit=units[0], holder_name="今", start=TODAY - DAY, end=TODAY + 19 * DAY)
        t1 = mk(
            committee=committee,
            unit=units[1],
            holder_name="近",
            start=TODAY + 20 * DAY,
            end=TODAY + 59 * DAY,
            approved_on=TODAY,
        )
        t2 = mk(
            committee=committee,
            unit=units[2],
            holder_name="远",
            start=TODAY + 60 * DAY,
            end=TODAY + 90 * DAY,
            approved_on=TODAY,
        )
        return t1, t2

    def test_r7_handover_within_a_month_is_shown(self, committee, soon):
        near, far = soon
        terms = selectors.rotation_terms(committee=committee)
        assert selectors.upcoming_handover(terms=terms) == near
        assert selectors.upcoming_handover(terms=terms, today=TODAY + 30 * DAY) == far
        assert selectors.upcoming_handover(terms=terms, today=TODAY - 20 * DAY) is None

    def test_r7_unapproved_handover_is_not_announced(self, committee, soon):
        RotationTerm.objects.filter(pk=soon[0].pk).update(approved_on=None)
        assert selectors.upcoming_handover(terms=selectors.rotation_terms(committee=committee)) is None

    def test_r7_handovers_for_township_staff_next_holder_and_not_others(self, committee, units, soon):
        near = soon[0]
        township = committee.community.township
        staff = UserFactory(role=User.Role.TOWNSHIP, township=township)
        stranger = UserFactory(role=User.Role.TOWNSHIP, township=CommunityFactory().township)
        secretary = UserFactory(role=User.Role.SECRETARY, community=committee.community)
        next_liaison = UserFactory(role=User.Role.LIAISON, unit=units[1])
        other_liaison = UserFactory(role=User.Role.LIAISON, unit=units[0])
        assert selectors.handovers_for_user(user=staff) == [near]
        assert selectors.handovers_for_user(user=secretary) == [near]
        assert selectors.handovers_for_user(user=next_liaison) == [near]
        assert selectors.handovers_for_user(user=other_liaison) == []
        assert selectors.handovers_for_user(user=stranger) == []
