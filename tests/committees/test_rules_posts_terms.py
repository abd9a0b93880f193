"""Issue #11 items 2–5: the rotation plan's approver (R7), the rotating secretary chairs only with
a post in force (R5/R7), firm composition refused (R3/R4), one year per holder (R7)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from committees import selectors, services
from committees.models import Committee, Post, PostApproval, RotationTerm, Unit
from tests.committees.helpers import body_user, record_decision
from tests.factories import CommitteeFactory, CommunityFactory, CountyFactory, TownshipFactory, UnitFactory, UserFactory

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)
TERM_START = datetime.date(2024, 1, 1)
TERM_END = datetime.date(2028, 12, 31)
ORG, CIVIL = PostApproval.Body.ORG_DEPT, PostApproval.Body.CIVIL_AFFAIRS
APPROVED = PostApproval.Decision.APPROVED

pytestmark = pytest.mark.django_db


class Place:
    pass


def _place(mode=Committee.Mode.ROTATING):
    p = Place()
    p.county = CountyFactory(name="示范县")
    p.township = TownshipFactory(county=p.county, name="城关镇")
    p.community = CommunityFactory(township=p.township, name="陵园社区", party_org_secretary="王社区")
    p.committee = CommitteeFactory(community=p.community, term_start=TERM_START, term_end=TERM_END, mode=mode)
    p.org_unit = UnitFactory(
        community=p.community, name="陵园社区党委", unit_type=Unit.Type.COMMUNITY_ORG, party_org_secretary="王社区"
    )
    p.units = [
        UnitFactory(community=p.community, name=f"单位{c}", party_org_secretary=f"书记{c}") for c in "甲乙丙丁戊"
    ]
    p.staff = UserFactory(username="zhen", full_name="赵干事", role=User.Role.TOWNSHIP, township=p.township)
    p.staff2 = UserFactory(username="zhen2", full_name="钱干事", role=User.Role.TOWNSHIP, township=p.township)
    p.secretary = UserFactory(username="shuji", role=User.Role.SECRETARY, community=p.community)
    return p


@pytest.fixture
def p1(db):
    return _place()


@pytest.fixture
def p3(db):
    return _place(Committee.Mode.ONE_PLUS_X)


def nominate(p, kind, name, unit, *, head=True, day=TODAY - 30 * DAY):
    return services.post_nominate(
        actor=p.staff,
        committee=p.committee,
        kind=kind,
        holder_name=name,
        unit=unit,
        is_unit_party_head=head,
        recommended_by=["township", "community"],
        nominated_on=day,
    )


def approve(post, day=TODAY - 10 * DAY):
    for body in (ORG, CIVIL):
        record_decision(post=post, body=body, decision=APPROVED, decided_on=day)
    post.refresh_from_db()
    return post


def appoint(p, kind, name, unit, **kwargs):
    return approve(nominate(p, kind, name, unit, **kwargs))


def counts():
    return Post.objects.count(), Post.objects.filter(status=Post.Status.IN_FORCE).count()


# --- item 2: the rotation plan's approver (R7) ---------------------------------------------------


class TestR7WhoApprovesTheRotation:
    def _plan(self, p, by):
        return services.rotation_generate(actor=by, committee=p.committee, units=p.units[:3], start=TERM_START)

    def _approved(self, p):
        return RotationTerm.objects.filter(committee=p.committee, approved_on__isnull=False).count()

    def test_r7_the_secretary_proposes_and_township_staff_approve(self, p1):
        self._plan(p1, p1.secretary)
        assert services.rotation_approve(actor=p1.staff, committee=p1.committee, on=TODAY) == 5
        assert set(RotationTerm.objects.values_list("proposed_by", "approved_by")) == {(p1.secretary.pk, p1.staff.pk)}

    @pytest.mark.parametrize("who", ["secretary", "admin", "county reviewer", "other township"])
    def test_r7_nobody_but_the_township_approves(self, p1, who):
        self._plan(p1, p1.staff)
        actor = {
            "secretary": p1.secretary,
            "admin": UserFactory(username="root", is_superuser=True),
            "county reviewer": UserFactory(username="shen", role=User.Role.COUNTY, county=p1.county),
            "other township": UserFactory(
                username="hx", role=User.Role.TOWNSHIP, township=TownshipFactory(county=p1.county, name="河西镇")
            ),
        }[who]
        with pytest.raises(ValidationError) as exc:
            services.rotation_approve(actor=actor, committee=p1.committee, on=TODAY)
        assert "须由镇（街道）党委批准" in exc.value.messages[0] and "城关镇" in exc.value.messages[0]
        assert self._approved(p1) == 0

    def test_r7_the_proposer_never_approves_their_own_plan(self, p1):
        self._plan(p1, p1.staff)
        with pytest.raises(ValidationError) as exc:
            services.rotation_approve(actor=p1.staff, committee=p1.committee, on=TODAY)
        assert "提出人不能自己批准" in exc.value.messages[0]
        assert self._approved(p1) == 0
        assert services.rotation_approve(actor=p1.staff2, committee=p1.committee, on=TODAY) == 5

    def test_r7_who_edits_a_term_proposes_it(self, p1):
        terms = self._plan(p1, p1.staff)
        last = terms[-1]
        services.rotation_term_update(
            actor=p1.staff2, term=last, unit=p1.units[3], holder_name="书记丁", start=last.start, end=last.end
        )
        for actor in (p1.staff, p1.staff2):  # each proposed part of what waits for approval
            with pytest.raises(ValidationError):
                services.rotation_approve(actor=actor, committee=p1.committee, on=TODAY)
        assert self._approved(p1) == 0
        third = UserFactory(username="zhen3", role=User.Role.TOWNSHIP, township=p1.township)
        assert services.rotation_approve(actor=third, committee=p1.committee, on=TODAY) == 5

    def test_r7_a_swap_makes_the_mover_the_proposer(self, p1):
        terms = self._plan(p1, p1.secretary)
        services.rotation_swap(actor=p1.staff, first=terms[3], second=terms[4])
        with pytest.raises(ValidationError):
            services.rotation_approve(actor=p1.staff, committee=p1.committee, on=TODAY)
        assert self._approved(p1) == 0

    def test_r7_county_setting_the_organisation_department_approves(self, p1):
        services.committee_update(
            actor=p1.staff, committee=p1.committee, rotation_approver=Committee.RotationApprover.COUNTY
        )
        self._plan(p1, p1.staff)
        for actor in (p1.staff2, body_user(p1.county, CIVIL), body_user(CountyFactory(name="邻县"), ORG)):
            with pytest.raises(ValidationError) as exc:
                services.rotation_approve(actor=actor, committee=p1.committee, on=TODAY)
            assert "由县委组织部批准" in exc.value.messages[0]
        assert self._approved(p1) == 0
        assert services.rotation_approve(actor=body_user(p1.county, ORG), committee=p1.committee, on=TODAY) == 5

    def test_r7_the_page_says_who_approves_and_the_secretary_is_refused(self, client, p1):
        self._plan(p1, p1.staff)
        client.force_login(p1.secretary)
        url = reverse("committees:rotation_detail", args=[p1.committee.pk])
        page = client.get(url).content.decode()
        assert "须由镇（街道）党委批准" in page
        assert reverse("committees:rotation_approve", args=[p1.committee.pk]) not in page
        response = client.post(reverse("committees:rotation_approve", args=[p1.committee.pk]), follow=True)
        assert "不能批准：书记轮值安排由社区或镇（街道）提出，须由镇（街道）党委批准" in response.content.decode()
        assert self._approved(p1) == 0
        client.force_login(p1.staff2)
        page = client.get(url).content.decode()
        assert reverse("committees:rotation_approve", args=[p1.committee.pk]) in page


# --- item 3: the rotating secretary chairs only with a post in force (R5, R7, R10) -----------------


class TestR7ChairNeedsAPostInForce:
    @pytest.fixture
    def plan(self, p1):
        services.rotation_generate(actor=p1.staff, committee=p1.committee, units=p1.units[:3], start=TERM_START)
        services.rotation_approve(actor=p1.staff2, committee=p1.committee, on=TERM_START - 10 * DAY)
        return list(RotationTerm.objects.filter(committee=p1.committee).order_by("start"))

    def test_r7_a_term_without_an_approved_post_has_no_chair(self, p1, plan):
        term = plan[2]  # 2026: 书记丙
        assert term.start <= TODAY <= term.end
        assert selectors.secretary_on(committee=p1.committee, day=TODAY) is None
        post = nominate(p1, Post.Kind.SECRETARY, "书记丙", p1.units[2])  # nominated only
        record_decision(post=post, body=ORG, decision=APPROVED, decided_on=TODAY - 20 * DAY)
        assert selectors.secretary_on(committee=p1.committee, day=TODAY) is None
        gap = selectors.rotation_chair_gap(
            committee=p1.committee, terms=plan, posts=list(p1.committee.posts.all()), today=TODAY
        )
        assert gap == term

    def test_r7_the_holder_chairs_from_the_day_the_post_is_in_force(self, p1, plan):
        post = appoint(p1, Post.Kind.SECRETARY, "书记丙", p1.units[2])
        assert post.in_force_from == TODAY - 10 * DAY
        assert selectors.secretary_on(committee=p1.committee, day=TODAY) == plan[2]
        assert selectors.secretary_on(committee=p1.committee, day=TODAY - 11 * DAY) is None  # before approval
        posts = list(p1.committee.posts.all())
        assert selectors.rotation_chair_gap(committee=p1.committee, terms=plan, posts=posts, today=TODAY) is None

    def test_r7_another_persons_secretary_post_does_not_make_the_holder_chair(self, p1, plan):
        appoint(p1, Post.Kind.SECRETARY, "书记甲", p1.units[0])  # last year's holder still in force
        assert selectors.secretary_on(committee=p1.committee, day=TODAY) is None
        posts = selectors.committee_posts(committee=p1.committee)
        checks = selectors.composition_checks(committee=p1.committee, posts=posts, terms=plan, today=TODAY)
        gap = next(c for c in checks if c.label == "在任书记与本年度轮值书记一致")
        assert not gap.ok and "书记丙" in gap.detail and "会议没有主持人" in gap.detail

    def test_r7_with_the_fetched_lists_no_query(self, p1, plan, django_assert_num_queries):
        appoint(p1, Post.Kind.SECRETARY, "书记丙", p1.units[2])
        posts = list(p1.committee.posts.all())
        with django_assert_num_queries(0):
            assert selectors.secretary_on(committee=p1.committee, day=TODAY, terms=plan, posts=posts) == plan[2]
            assert selectors.secretary_on(committee=p1.committee, day=TODAY, terms=plan, posts=[]) is None

    def test_r7_the_committee_page_shows_the_gap(self, client, p1, plan, monkeypatch):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
        client.force_login(p1.staff)
        page = client.get(p1.committee.get_absolute_url()).content.decode()
        assert 'id="chair-gap"' in page and "轮值书记 书记丙 的书记职务尚未经县委组织部、县民政局批准" in page
        page = client.get(reverse("committees:rotation_detail", args=[p1.committee.pk])).content.decode()
        assert 'id="chair-gap"' in page and "批准前会议没有主持人" in page


# --- item 4: firm composition is refused (R3, R4) ---------------------------------------------------


class TestR3R4CompositionRefused:
    def _full_deputies(self, p):
        appoint(p, Post.Kind.FULLTIME_DEPUTY, "王社区", p.org_unit)
        appoint(p, Post.Kind.DEPUTY, "书记甲", p.units[0])
        appoint(p, Post.Kind.DEPUTY, "书记乙", p.units[1])

    def test_r3_a_fourth_deputy_is_refused_at_nomination(self, p1):
        self._full_deputies(p1)
        before = counts()
        with pytest.raises(ValidationError) as exc:
            nominate(p1, Post.Kind.DEPUTY, "书记丙", p1.units[2])
        assert exc.value.error_dict["kind"][0].code == "too_many_deputies"
        assert "副书记最多 3 名" in exc.value.messages[0]
        assert counts() == before

    def test_r3_a_fourth_deputy_is_refused_when_it_would_come_into_force(self, p1):
        appoint(p1, Post.Kind.FULLTIME_DEPUTY, "王社区", p1.org_unit)
        appoint(p1, Post.Kind.DEPUTY, "书记甲", p1.units[0])
        waiting = [nominate(p1, Post.Kind.DEPUTY, f"书记{c}", p1.units[i]) for i, c in ((1, "乙"), (2, "丙"))]
        approve(waiting[0])
        record_decision(post=waiting[1], body=ORG, decision=APPROVED, decided_on=TODAY - 5 * DAY)
        with pytest.raises(ValidationError) as exc:
            record_decision(post=waiting[1], body=CIVIL, decision=APPROVED, decided_on=TODAY - 5 * DAY)
        assert "副书记最多 3 名" in exc.value.messages[0]
        waiting[1].refresh_from_db()
        assert waiting[1].status == Post.Status.NOMINATED and waiting[1].approvals.count() == 1

    def test_r3_a_new_fulltime_deputy_replaces_the_one_in_force(self, p1):
        self._full_deputies(p1)
        p1.community.party_org_secretary = "新社区"
        p1.community.save()
        new = appoint(p1, Post.Kind.FULLTIME_DEPUTY, "新社区", p1.org_unit)
        assert new.status == Post.Status.IN_FORCE
        assert Post.objects.filter(kind__in=["deputy", "fulltime_deputy"], status="in_force").count() == 3

    def test_r3_one_person_holds_one_post(self, p1):
        appoint(p1, Post.Kind.MEMBER, "书记甲", p1.units[0])
        before = counts()
        with pytest.raises(ValidationError) as exc:
            nominate(p1, Post.Kind.DEPUTY, "书记甲", p1.units[0])
        assert exc.value.error_dict["holder_name"][0].code == "one_post_per_person"
        assert "书记甲 已在本届大党委担任委员：一人只能担任一个职务" in exc.value.messages[0]
        assert counts() == before

    def test_r3_a_waiting_nomination_counts_and_a_rejected_one_does_not(self, p1):
        first = nominate(p1, Post.Kind.MEMBER, "书记甲", p1.units[0])
        with pytest.raises(ValidationError):
            nominate(p1, Post.Kind.DEPUTY, "书记甲", p1.units[0])
        record_decision(post=first, body=ORG, decision="rejected", decided_on=TODAY, remark="不符合条件")
        again = nominate(p1, Post.Kind.DEPUTY, "书记甲", p1.units[0])
        assert again.status == Post.Status.NOMINATED

    def test_r3_the_database_refuses_a_second_live_post_of_one_person(self, p1):
        post = appoint(p1, Post.Kind.MEMBER, "书记甲", p1.units[0])
        with pytest.raises(IntegrityError), transaction.atomic():
            Post.objects.create(
                committee=p1.committee, kind=Post.Kind.DEPUTY, holder_name="书记甲", unit=post.unit, nominated_on=TODAY
            )

    @pytest.mark.parametrize(
        ("unit", "head"), [("org", True), ("resident", False)], ids=["community org", "not the party head"]
    )
    def test_r4_rotating_mode_secretary_is_a_resident_units_party_head(self, p1, unit, head):
        chosen = p1.org_unit if unit == "org" else p1.units[0]
        with pytest.raises(ValidationError) as exc:
            nominate(p1, Post.Kind.SECRETARY, "某人", chosen, head=head)
        assert "书记由驻区单位党组织负责人兼任" in exc.value.messages[0]
        assert not Post.objects.exists()

    @pytest.mark.parametrize(
        ("name", "unit", "head"),
        [("李别人", "org", True), ("王社区", "resident", True), ("王社区", "org", False)],
        ids=["another person", "a resident unit", "not the party head"],
    )
    def test_r4_rotating_mode_fulltime_deputy_is_the_community_secretary(self, p1, name, unit, head):
        chosen = p1.org_unit if unit == "org" else p1.units[0]
        with pytest.raises(ValidationError) as exc:
            nominate(p1, Post.Kind.FULLTIME_DEPUTY, name, chosen, head=head)
        assert "专职副书记由现任社区党组织书记王社区担任" in exc.value.messages[0]
        assert not Post.objects.exists()

    def test_r4_one_plus_x_mode_sets_neither_rule(self, p3):
        secretary = appoint(p3, Post.Kind.SECRETARY, "王社区", p3.org_unit)
        deputy = appoint(p3, Post.Kind.FULLTIME_DEPUTY, "刘副书记", p3.org_unit, head=False)
        assert (secretary.status, deputy.status) == (Post.Status.IN_FORCE, Post.Status.IN_FORCE)

    def test_r3_one_plus_x_has_no_deputy_flag(self, p3):
        appoint(p3, Post.Kind.SECRETARY, "王社区", p3.org_unit)
        checks = _checks(p3)
        assert not any("副书记" in c.label for c in checks)
        assert [c.label for c in checks if not c.ok] == ["驻区单位负责人任兼职委员（“1+X”模式）"]

    def test_r3_rotating_mode_keeps_fewer_than_two_deputies_as_a_flag(self, p1):
        appoint(p1, Post.Kind.FULLTIME_DEPUTY, "王社区", p1.org_unit)  # one deputy: allowed, flagged
        check = next(c for c in _checks(p1) if "副书记 2–3 名" in c.label)
        assert not check.ok and "补足至 2 名" in check.detail


def _checks(p):
    posts = selectors.committee_posts(committee=p.committee)
    return selectors.composition_checks(committee=p.committee, posts=posts, terms=[], today=TODAY)


# --- item 5: 一年一任 (R7) -----------------------------------------------------------------------------


class TestR7OneYearEach:
    def test_r7_generated_terms_are_one_year_each_cut_at_the_end(self, p1):
        terms = services.rotation_generate(
            actor=p1.staff, committee=p1.committee, units=p1.units[:2], start=datetime.date(2024, 7, 1)
        )
        assert [(t.start, t.end) for t in terms][:2] == [
            (datetime.date(2024, 7, 1), datetime.date(2025, 6, 30)),
            (datetime.date(2025, 7, 1), datetime.date(2026, 6, 30)),
        ]
        assert terms[-1].end == TERM_END and terms[-1].start == datetime.date(2028, 7, 1)

    def test_r7_a_plan_needs_two_holders(self, p1):
        with pytest.raises(ValidationError) as exc:
            services.rotation_generate(actor=p1.staff, committee=p1.committee, units=p1.units[:1], start=TERM_START)
        assert exc.value.error_dict["units"][0].code == "rotation_one_holder"
        assert not RotationTerm.objects.exists()

    def test_r7_a_one_year_committee_may_have_one_holder(self, p1):
        Committee.objects.filter(pk=p1.committee.pk).update(term_end=datetime.date(2024, 12, 31))
        p1.committee.refresh_from_db()
        terms = services.rotation_generate(actor=p1.staff, committee=p1.committee, units=p1.units[:1], start=TERM_START)
        assert len(terms) == 1 and services.rotation_gaps(p1.committee) == []

    @pytest.mark.parametrize(
        ("index", "start_shift", "end_shift"),
        [(1, 0, 1), (1, 0, -1), (2, 0, 40)],
        ids=["a day too long", "a middle term cut", "longer than a year"],
    )
    def test_r7_an_edited_term_must_be_one_year(self, p1, index, start_shift, end_shift):
        terms = services.rotation_generate(actor=p1.staff, committee=p1.committee, units=p1.units[:3], start=TERM_START)
        term = terms[index]
        before = list(RotationTerm.objects.order_by("start").values_list("start", "end"))
        with pytest.raises(ValidationError) as exc:
            services.rotation_term_update(
                actor=p1.staff,
                term=term,
                unit=term.unit,
                holder_name=term.holder_name,
                start=term.start + start_shift * DAY,
                end=term.end + end_shift * DAY,
            )
        assert exc.value.error_dict["end"][0].code == "rotation_one_year"
        assert "书记一年一任" in exc.value.messages[0]
        assert list(RotationTerm.objects.order_by("start").values_list("start", "end")) == before

    def test_r7_the_first_term_may_be_cut_by_the_committee_term(self, p1):
        terms = services.rotation_generate(actor=p1.staff, committee=p1.committee, units=p1.units[:3], start=TERM_START)
        first = services.rotation_term_update(
            actor=p1.staff,
            term=terms[0],
            unit=terms[0].unit,
            holder_name=terms[0].holder_name,
            start=TERM_START,
            end=datetime.date(2024, 6, 30),
        )
        assert first.end == datetime.date(2024, 6, 30)
        problems = services.rotation_gaps(p1.committee)
        assert problems == ["2024年7月1日 至 2024年12月31日 无人轮值，请补充。"]  # a gap, not a wrong length

    def test_r7_the_same_holder_twice_in_a_row_is_refused_at_approval(self, p1):
        terms = services.rotation_generate(actor=p1.staff, committee=p1.committee, units=p1.units[:3], start=TERM_START)
        second = terms[1]
        services.rotation_term_update(
            actor=p1.staff,
            term=second,
            unit=terms[0].unit,
            holder_name=terms[0].holder_name,
            start=second.start,
            end=second.end,
        )
        problems = services.rotation_gaps(p1.committee)
        assert any("连任两期" in problem and "一年一任" in problem for problem in problems)
        with pytest.raises(ValidationError):
            services.rotation_approve(actor=p1.staff2, committee=p1.committee, on=TODAY)
        assert not RotationTerm.objects.filter(approved_on__isnull=False).exists()
