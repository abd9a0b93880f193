"""Posts, nomination and two-body approval, vacancies and composition checks (R3–R6)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from committees import selectors, services
from committees.models import Committee, Post, PostApproval, Unit, Vacancy, add_years
from tests.committees.helpers import body_user, record_decision
from tests.factories import CommitteeFactory, CommunityFactory, PostFactory, UnitFactory, UserFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
ORG, CIVIL = PostApproval.Body.ORG_DEPT, PostApproval.Body.CIVIL_AFFAIRS
APPROVED, REJECTED = PostApproval.Decision.APPROVED, PostApproval.Decision.REJECTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(db):
    return UserFactory(username="staff", full_name="镇组织委员")


@pytest.fixture
def committee(db):
    """A P1 committee in office: two years into a five-year term."""
    community = CommunityFactory(name="陵园社区", party_org_secretary="王社区")
    return CommitteeFactory(community=community, term_start=add_years(TODAY, -2), term_end=add_years(TODAY, 3) - DAY)


@pytest.fixture
def org_unit(committee):
    return UnitFactory(
        community=committee.community,
        name="陵园社区党委",
        unit_type=Unit.Type.COMMUNITY_ORG,
        party_org_secretary="王社区",
    )


@pytest.fixture
def unit(committee):
    return UnitFactory(community=committee.community, name="县供电公司", party_org_secretary="李电力")


def nominate(actor, committee, unit, kind=Post.Kind.MEMBER, name="张委员", **kwargs):
    kwargs.setdefault("recommended_by", ["community", "units"])
    kwargs.setdefault("nominated_on", TODAY - 30 * DAY)
    return services.post_nominate(actor=actor, committee=committee, kind=kind, holder_name=name, unit=unit, **kwargs)


def approve_both(actor, post, org_day=None, civil_day=None):
    record_decision(post=post, body=ORG, decision=APPROVED, decided_on=org_day or TODAY - 10 * DAY)
    record_decision(post=post, body=CIVIL, decision=APPROVED, decided_on=civil_day or TODAY - 5 * DAY)
    post.refresh_from_db()
    return post


def in_force(actor, committee, unit, kind=Post.Kind.MEMBER, name="张委员", **kwargs):
    return approve_both(actor, nominate(actor, committee, unit, kind, name, **kwargs))


# --- nomination (R5) ----------------------------------------------------------------------


class TestNominate:
    def test_r5_nomination_is_not_in_force(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        assert post.status == Post.Status.NOMINATED
        assert post.in_force_from is None
        assert post.recommended_by == ["community", "units"]

    def test_r5_recommenders_are_required(self, actor, committee, unit):
        with pytest.raises(ValidationError) as exc:
            nominate(actor, committee, unit, recommended_by=[])
        assert "recommended_by" in exc.value.message_dict
        with pytest.raises(ValidationError):
            nominate(actor, committee, unit, recommended_by=["nobody"])
        assert not Post.objects.exists()

    def test_r5_recommenders_kept_in_plan_order_without_repeats(self, actor, committee, unit):
        post = nominate(actor, committee, unit, recommended_by=["owners", "township", "owners", "bogus"])
        assert post.recommended_by == ["township", "owners"]
        assert post.get_recommended_by_display() == "镇（街道）党委、业主委员会"

    def test_unit_of_another_community_is_refused(self, actor, committee):
        stranger = UnitFactory(name="外社区单位")
        with pytest.raises(ValidationError) as exc:
            nominate(actor, committee, stranger)
        assert "unit" in exc.value.message_dict

    def test_deactivated_unit_is_refused(self, actor, committee, unit):
        Unit.objects.filter(pk=unit.pk).update(is_active=False, deactivated_on=TODAY)
        unit.refresh_from_db()
        with pytest.raises(ValidationError):
            nominate(actor, committee, unit)

    def test_past_committee_takes_no_nominations(self, actor, committee, unit):
        Committee.objects.filter(pk=committee.pk).update(is_active=False)
        committee.refresh_from_db()
        with pytest.raises(ValidationError):
            nominate(actor, committee, unit)

    def test_future_nomination_date_is_refused(self, actor, committee, unit):
        with pytest.raises(ValidationError) as exc:
            nominate(actor, committee, unit, nominated_on=TODAY + DAY)
        assert "nominated_on" in exc.value.message_dict

    def test_r4_fulltime_deputy_is_never_part_time(self, actor, committee, org_unit):
        post = nominate(
            actor, committee, org_unit, Post.Kind.FULLTIME_DEPUTY, "王社区", is_part_time=True, is_unit_party_head=True
        )
        assert post.is_part_time is False

    def test_blank_name_is_refused(self, actor, committee, unit):
        with pytest.raises(ValidationError) as exc:
            nominate(actor, committee, unit, name="   ")
        assert "holder_name" in exc.value.message_dict

    def test_platform_account_is_linked_and_history_names_the_actor(self, actor, committee, unit):
        account = UserFactory(username="zhang")
        post = nominate(actor, committee, unit, user=account)
        assert post.user == account
        assert post.history.get().history_user == actor

    def test_inactive_account_is_refused(self, actor, committee, unit):
        account = UserFactory(username="gone", is_active=False)
        with pytest.raises(ValidationError) as exc:
            nominate(actor, committee, unit, user=account)
        assert "user" in exc.value.message_dict


# --- two-body approval (R5) -------------------------------------------------------------------


class TestApproval:
    def test_r5_one_approval_is_not_enough(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        record_decision(post=post, body=ORG, decision=APPROVED, decided_on=TODAY)
        post.refresh_from_db()
        assert post.status == Post.Status.NOMINATED
        assert post.in_force_from is None

    def test_r5_both_approvals_put_the_post_in_force_from_the_later_date(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        # the second decision recorded carries the earlier date
        post = approve_both(actor, post, org_day=TODAY - 3 * DAY, civil_day=TODAY - 8 * DAY)
        assert post.status == Post.Status.IN_FORCE
        assert post.in_force_from == TODAY - 3 * DAY

    def test_r5_approvals_record_who_when_and_remark(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        a = record_decision(post=post, body=CIVIL, decision=APPROVED, decided_on=TODAY, remark="民组〔2026〕12号")
        clerk = body_user(committee.community.township.county, CIVIL)
        assert (a.recorded_by, a.decided_on, a.remark) == (clerk, TODAY, "民组〔2026〕12号")
        assert a.recorded_at is not None
        assert a.history.get().history_user == clerk

    def test_r5_same_body_twice_is_refused(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        record_decision(post=post, body=ORG, decision=APPROVED, decided_on=TODAY)
        with pytest.raises(ValidationError) as exc:
            record_decision(post=post, body=ORG, decision=APPROVED, decided_on=TODAY)
        assert "body" in exc.value.message_dict
        assert post.approvals.count() == 1

    def test_r5_database_refuses_a_second_decision_of_one_body(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        PostApproval.objects.create(post=post, body=ORG, decision=APPROVED, decided_on=TODAY, recorded_by=actor)
        with pytest.raises(IntegrityError), transaction.atomic():
            PostApproval.objects.create(post=post, body=ORG, decision=REJECTED, decided_on=TODAY, recorded_by=actor)

    def test_r5_a_rejection_is_kept_and_blocks(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        record_decision(post=post, body=ORG, decision=REJECTED, decided_on=TODAY, remark="不符合条件")
        post.refresh_from_db()
        assert post.status == Post.Status.REJECTED
        with pytest.raises(ValidationError):
            record_decision(post=post, body=CIVIL, decision=APPROVED, decided_on=TODAY)
        post.refresh_from_db()
        assert post.status == Post.Status.REJECTED
        assert Post.objects.filter(pk=post.pk).exists()  # kept
        assert list(post.approvals.values_list("body", "decision", "remark")) == [(ORG, REJECTED, "不符合条件")]

    def test_r5_approval_then_rejection_rejects(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        record_decision(post=post, body=ORG, decision=APPROVED, decided_on=TODAY)
        record_decision(post=post, body=CIVIL, decision=REJECTED, decided_on=TODAY, remark="材料不全")
        post.refresh_from_db()
        assert post.status == Post.Status.REJECTED
        assert post.in_force_from is None

    def test_rejection_needs_a_reason(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        with pytest.raises(ValidationError) as exc:
            record_decision(post=post, body=ORG, decision=REJECTED, decided_on=TODAY)
        assert "remark" in exc.value.message_dict
        assert not post.approvals.exists()

    def test_decision_before_nomination_or_in_future_is_refused(self, actor, committee, unit):
        post = nominate(actor, committee, unit, nominated_on=TODAY - 3 * DAY)
        for day in (TODAY - 4 * DAY, TODAY + DAY):
            with pytest.raises(ValidationError) as exc:
                record_decision(post=post, body=ORG, decision=APPROVED, decided_on=day)
            assert "decided_on" in exc.value.message_dict
        assert not post.approvals.exists()

    def test_bad_body_or_decision_is_refused(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        with pytest.raises(ValidationError):
            record_decision(post=post, body="mayor", decision=APPROVED, decided_on=TODAY)
        with pytest.raises(ValidationError):
            record_decision(post=post, body=ORG, decision="maybe", decided_on=TODAY)
        assert not post.approvals.exists()

    def test_post_in_force_takes_no_more_decisions(self, actor, committee, unit):
        post = in_force(actor, committee, unit)
        with pytest.raises(ValidationError):
            record_decision(post=post, body=ORG, decision=APPROVED, decided_on=TODAY)


# --- one secretary, one full-time deputy (R3) ---------------------------------------------------


class TestOneSecretary:
    def test_r3_new_secretary_takes_over_from_the_one_in_force(self, actor, committee, unit):
        other = UnitFactory(community=committee.community, name="县医院")
        first = in_force(actor, committee, unit, Post.Kind.SECRETARY, "李电力", is_unit_party_head=True)
        second = in_force(actor, committee, other, Post.Kind.SECRETARY, "赵医院", is_unit_party_head=True)
        first.refresh_from_db()
        assert second.status == Post.Status.IN_FORCE
        assert first.status == Post.Status.ENDED
        assert first.ended_on == second.in_force_from
        assert "赵医院" in first.end_reason
        assert Post.objects.filter(committee=committee, kind=Post.Kind.SECRETARY, status="in_force").count() == 1
        assert not Vacancy.objects.exists()  # a handover leaves no vacancy

    def test_r3_same_for_the_fulltime_deputy(self, actor, committee, org_unit):
        first = in_force(actor, committee, org_unit, Post.Kind.FULLTIME_DEPUTY, "王社区", is_unit_party_head=True)
        # R4: the community elected a new party secretary, who takes over as full-time deputy
        committee.community.party_org_secretary = "刘社区"
        committee.community.save()
        in_force(actor, committee, org_unit, Post.Kind.FULLTIME_DEPUTY, "刘社区", is_unit_party_head=True)
        first.refresh_from_db()
        assert first.status == Post.Status.ENDED

    def test_r3_deputies_and_members_may_be_many(self, actor, committee, unit):
        for i in range(3):
            in_force(actor, committee, unit, Post.Kind.DEPUTY, f"副书记{i}")
        assert Post.objects.filter(kind=Post.Kind.DEPUTY, status="in_force").count() == 3

    @pytest.mark.parametrize("kind", [Post.Kind.SECRETARY, Post.Kind.FULLTIME_DEPUTY])
    def test_r3_database_refuses_two_in_force(self, committee, unit, kind):
        PostFactory(committee=committee, unit=unit, kind=kind, status="in_force", in_force_from=TODAY)
        with pytest.raises(IntegrityError), transaction.atomic():
            PostFactory(committee=committee, unit=unit, kind=kind, status="in_force", in_force_from=TODAY)

    def test_r3_database_allows_a_secretary_per_committee_and_ended_ones(self, committee, unit):
        PostFactory(committee=committee, unit=unit, kind="secretary", status="in_force", in_force_from=TODAY)
        PostFactory(committee=committee, unit=unit, kind="secretary", status="ended", in_force_from=TODAY)
        PostFactory(committee=committee, unit=unit, kind="secretary", status="nominated")
        PostFactory(kind="secretary", status="in_force", in_force_from=TODAY)  # another committee
        assert Post.objects.filter(kind="secretary").count() == 4

    def test_database_refuses_in_force_without_date(self, committee, unit):
        with pytest.raises(IntegrityError), transaction.atomic():
            PostFactory(committee=committee, unit=unit, status="in_force", in_force_from=None)


# --- vacancies (R6) ----------------------------------------------------------------------------


class TestVacancies:
    def test_r6_ending_a_post_opens_a_vacancy(self, actor, committee, unit):
        post = in_force(actor, committee, unit, Post.Kind.DEPUTY, "李副书记")
        vacancy = services.post_end(actor=actor, post=post, ended_on=TODAY - 4 * DAY, reason="工作调动")
        post.refresh_from_db()
        assert (post.status, post.ended_on, post.end_reason) == (Post.Status.ENDED, TODAY - 4 * DAY, "工作调动")
        assert (vacancy.kind, vacancy.opened_on, vacancy.previous_post) == (Post.Kind.DEPUTY, TODAY - 4 * DAY, post)
        assert vacancy.is_open
        assert vacancy.days_open == 4
        assert vacancy.history.get().history_user == actor
        assert post.history.first().history_change_reason == "工作调动"

    def test_r6_only_a_post_in_force_can_end(self, actor, committee, unit):
        post = nominate(actor, committee, unit)
        with pytest.raises(ValidationError):
            services.post_end(actor=actor, post=post, ended_on=TODAY, reason="撤回")
        assert not Vacancy.objects.exists()

    def test_r6_end_needs_reason_and_a_sensible_date(self, actor, committee, unit):
        post = in_force(actor, committee, unit)
        with pytest.raises(ValidationError) as exc:
            services.post_end(actor=actor, post=post, ended_on=TODAY, reason="  ")
        assert "end_reason" in exc.value.message_dict
        for day in (post.in_force_from - DAY, TODAY + DAY):
            with pytest.raises(ValidationError) as exc:
                services.post_end(actor=actor, post=post, ended_on=day, reason="调动")
            assert "ended_on" in exc.value.message_dict
        post.refresh_from_db()
        assert post.status == Post.Status.IN_FORCE
        assert not Vacancy.objects.exists()

    def test_r6_a_post_in_force_fills_the_oldest_open_vacancy_of_its_kind(self, actor, committee, unit):
        older = services.vacancy_open(
            actor=actor, committee=committee, kind=Post.Kind.MEMBER, opened_on=TODAY - 90 * DAY, reason="辞职"
        )
        newer = services.vacancy_open(
            actor=actor, committee=committee, kind=Post.Kind.MEMBER, opened_on=TODAY - 20 * DAY, reason="调离"
        )
        deputy = services.vacancy_open(
            actor=actor, committee=committee, kind=Post.Kind.DEPUTY, opened_on=TODAY - 120 * DAY, reason="辞职"
        )
        assert [v.days_open for v in (older, newer, deputy)] == [90, 20, 120]
        post = in_force(actor, committee, unit)
        for v in (older, newer, deputy):
            v.refresh_from_db()
        assert older.filled_by == post and older.filled_on == post.in_force_from
        assert older.days_open == (post.in_force_from - older.opened_on).days
        assert newer.is_open and deputy.is_open
        assert selectors.committee_vacancies(committee=committee) == [deputy, newer]

    def test_r6_vacancy_is_not_filled_by_a_nomination_alone(self, actor, committee, unit):
        vacancy = services.vacancy_open(
            actor=actor, committee=committee, kind=Post.Kind.MEMBER, opened_on=TODAY, reason="辞职"
        )
        nominate(actor, committee, unit)
        vacancy.refresh_from_db()
        assert vacancy.is_open

    def test_r6_manual_vacancy_validation(self, actor, committee):
        for kwargs, field in (
            ({"opened_on": TODAY + DAY, "reason": "辞职"}, "opened_on"),
            ({"opened_on": committee.term_start - DAY, "reason": "辞职"}, "opened_on"),
            ({"opened_on": TODAY, "reason": " "}, "reason"),
        ):
            with pytest.raises(ValidationError) as exc:
                services.vacancy_open(actor=actor, committee=committee, kind=Post.Kind.MEMBER, **kwargs)
            assert field in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.vacancy_open(actor=actor, committee=committee, kind="mayor", opened_on=TODAY, reason="辞职")
        assert not Vacancy.objects.exists()


# --- composition checks (R3, R4, R6, R7) ------------------------------------------------------------


def legacy_in_force(committee, unit, kind, name, **kwargs):
    """A post in force saved before the services refused it (existing data): the checks flag it."""
    return PostFactory(
        committee=committee, unit=unit, kind=kind, holder_name=name, status="in_force", in_force_from=TODAY, **kwargs
    )


def _checks(committee):
    committee = Committee.objects.select_related("community").get(pk=committee.pk)
    posts = selectors.committee_posts(committee=committee)
    terms = selectors.rotation_terms(committee=committee)
    return {c.label: c for c in selectors.composition_checks(committee=committee, posts=posts, terms=terms)}


def _failing(committee):
    return sorted(label for label, c in _checks(committee).items() if not c.ok)


class TestCompositionChecks:
    @pytest.fixture
    def p1_complete(self, actor, committee, org_unit, unit):
        deputy_unit = UnitFactory(community=committee.community, name="县第一中学")
        in_force(actor, committee, unit, Post.Kind.SECRETARY, "李电力", is_unit_party_head=True)
        in_force(actor, committee, org_unit, Post.Kind.FULLTIME_DEPUTY, "王社区", is_unit_party_head=True)
        in_force(actor, committee, deputy_unit, Post.Kind.DEPUTY, "陈副书记")
        return committee

    def test_r3_r4_complete_p1_committee_passes(self, p1_complete):
        checks = _checks(p1_complete)
        assert len(checks) == 4
        assert all(c.ok and c.detail == "" for c in checks.values())

    def test_r3_empty_committee_fails_with_what_to_do(self, committee):
        checks = _checks(committee)
        assert not checks["书记 1 名在任"].ok
        assert "请提名书记" in checks["书记 1 名在任"].detail
        assert "补足至 2 名" in checks["副书记 2–3 名在任（含专职副书记）"].detail
        assert "王社区" in checks["专职副书记由社区党组织书记担任"].detail

    def test_r3_existing_fourth_deputy_is_flagged(self, actor, p1_complete, unit):
        in_force(actor, p1_complete, unit, Post.Kind.DEPUTY, "副书记乙")
        assert _failing(p1_complete) == []
        legacy_in_force(p1_complete, unit, Post.Kind.DEPUTY, "副书记丙")  # the services refuse it now
        check = _checks(p1_complete)["副书记 2–3 名在任（含专职副书记）"]
        assert not check.ok and "超过 3 名" in check.detail

    def test_r5_nominated_posts_do_not_count(self, actor, committee, unit):
        nominate(actor, committee, unit, Post.Kind.SECRETARY, "李电力", is_unit_party_head=True)
        assert not _checks(committee)["书记 1 名在任"].ok

    def test_r4_existing_fulltime_deputy_not_the_community_secretary_is_flagged(self, committee, org_unit):
        legacy_in_force(committee, org_unit, Post.Kind.FULLTIME_DEPUTY, "别人", is_unit_party_head=True)
        assert not _checks(committee)["专职副书记由社区党组织书记担任"].ok

    def test_r4_existing_fulltime_deputy_from_a_resident_unit_is_flagged(self, committee, unit):
        legacy_in_force(committee, unit, Post.Kind.FULLTIME_DEPUTY, "王社区", is_unit_party_head=True)
        assert not _checks(committee)["专职副书记由社区党组织书记担任"].ok

    def test_r4_existing_p1_secretary_from_the_community_org_is_flagged(self, committee, org_unit):
        legacy_in_force(committee, org_unit, Post.Kind.SECRETARY, "王社区", is_unit_party_head=True)
        check = _checks(committee)["书记由驻区单位党组织负责人兼任（轮值模式）"]
        assert not check.ok and "驻区单位党组织负责人" in check.detail

    def test_r4_existing_p1_secretary_not_heading_the_unit_party_org_is_flagged(self, committee, unit):
        legacy_in_force(committee, unit, Post.Kind.SECRETARY, "李电力", is_unit_party_head=False)
        assert not _checks(committee)["书记由驻区单位党组织负责人兼任（轮值模式）"].ok

    def test_r4_p3_mode_wants_the_community_secretary_and_part_time_unit_members(
        self, actor, committee, org_unit, unit
    ):
        Committee.objects.filter(pk=committee.pk).update(mode=Committee.Mode.ONE_PLUS_X)
        committee.refresh_from_db()
        labels = set(_checks(committee))
        assert "书记由社区党组织书记担任（“1+X”模式）" in labels
        assert "专职副书记由社区党组织书记担任" not in labels
        assert "书记由驻区单位党组织负责人兼任（轮值模式）" not in labels
        in_force(actor, committee, org_unit, Post.Kind.SECRETARY, "王社区", is_unit_party_head=True)
        member = in_force(actor, committee, unit, Post.Kind.MEMBER, "李电力", is_part_time=False)
        checks = _checks(committee)
        assert checks["书记由社区党组织书记担任（“1+X”模式）"].ok
        assert not checks["驻区单位负责人任兼职委员（“1+X”模式）"].ok
        Post.objects.filter(pk=member.pk).update(is_part_time=True)
        assert _checks(committee)["驻区单位负责人任兼职委员（“1+X”模式）"].ok

    def test_r4_p3_secretary_from_a_resident_unit_fails(self, actor, committee, unit):
        Committee.objects.filter(pk=committee.pk).update(mode=Committee.Mode.ONE_PLUS_X)
        in_force(actor, committee, unit, Post.Kind.SECRETARY, "李电力", is_unit_party_head=True)
        assert not _checks(committee)["书记由社区党组织书记担任（“1+X”模式）"].ok

    def test_r7_secretary_must_match_this_years_rotation(self, actor, p1_complete, unit):
        other = UnitFactory(community=p1_complete.community, name="县医院", party_org_secretary="赵医院")
        services.rotation_generate(actor=actor, committee=p1_complete, units=[other, unit])
        township = p1_complete.community.township
        approver = UserFactory(username="zhen", role="township", township=township)
        services.rotation_approve(actor=approver, committee=p1_complete)
        # the term covering today is the third year: other, unit, other
        check = _checks(p1_complete)["在任书记与本年度轮值书记一致"]
        assert not check.ok and "赵医院" in check.detail

    def test_r6_term_overdue_is_a_failing_check(self, actor, committee):
        Committee.objects.filter(pk=committee.pk).update(term_start=add_years(TODAY, -5), term_end=TODAY - DAY)
        committee.refresh_from_db()
        assert committee.term_overdue
        check = _checks(committee)["大党委任期未届满"]
        assert not check.ok and check.code == "term_overdue" and "换届" in check.detail

    def test_checks_run_no_queries(self, p1_complete, django_assert_num_queries):
        committee = Committee.objects.select_related("community").get(pk=p1_complete.pk)
        posts = selectors.committee_posts(committee=committee)
        with django_assert_num_queries(0):
            selectors.composition_checks(committee=committee, posts=posts, terms=[])


# --- committees (R1, R6) --------------------------------------------------------------------------


class TestCommittee:
    def test_r6_term_defaults_to_five_years(self, actor):
        community = CommunityFactory(name="新社区")
        c = services.committee_create(actor=actor, community=community, name="", term_start=datetime.date(2026, 3, 1))
        assert c.term_end == datetime.date(2031, 2, 28)
        assert c.name == "新社区大党委"
        assert c.history.get().history_user == actor

    def test_r1_one_committee_in_office_per_community(self, actor, committee):
        with pytest.raises(ValidationError) as exc:
            services.committee_create(actor=actor, community=committee.community, name="x", term_start=TODAY)
        assert "community" in exc.value.message_dict

    def test_term_must_be_ordered(self, actor, committee):
        with pytest.raises(ValidationError) as exc:
            services.committee_create(
                actor=actor, community=CommunityFactory(), name="x", term_start=TODAY, term_end=TODAY
            )
        assert "term_end" in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.committee_update(actor=actor, committee=committee, term_end=committee.term_start - DAY)
        committee.refresh_from_db()
        assert committee.term_end > committee.term_start

    def test_update_records_the_change(self, actor, committee):
        services.committee_update(actor=actor, committee=committee, mode=Committee.Mode.ONE_PLUS_X, community=None)
        committee.refresh_from_db()
        assert committee.mode == Committee.Mode.ONE_PLUS_X
        record = committee.history.first()
        assert record.history_user == actor and record.mode == "p3"
