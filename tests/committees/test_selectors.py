"""Selectors of committees, posts and the rotation (R3–R7): scoped to the user, counting right,
and with a fixed number of queries."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from committees import selectors
from committees.models import Committee, Post, PostApproval, RotationTerm, Unit, Vacancy
from tests.factories import CommitteeFactory, CommunityFactory, PostFactory, UnitFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


class TestCommitteeList:
    def test_r6_counts_are_per_committee_and_not_multiplied(self, world, admin_user):
        for i in range(4):
            UnitFactory(community=world.mine.community, name=f"多{i}")
        UnitFactory(community=world.mine.community, name="停用", is_active=False, deactivated_on=TODAY)
        for i in range(3):
            PostFactory(committee=world.mine, unit=world.unit, holder_name=f"提{i}")
        PostFactory(committee=world.mine, unit=world.unit, status="rejected")
        for i in range(2):
            Vacancy.objects.create(committee=world.mine, kind="member", opened_on=TODAY - i * DAY, reason="辞职")
        Vacancy.objects.create(
            committee=world.mine, kind="member", opened_on=TODAY - 9 * DAY, filled_on=TODAY, reason="已补"
        )
        rows = {c.pk: c for c in selectors.committee_list(user=admin_user)}
        mine = rows[world.mine.pk]
        # 2 world units + 4 here; 3 nominations; 2 open vacancies
        assert (mine.unit_count, mine.pending_posts, mine.open_vacancies) == (6, 3, 2)
        assert (rows[world.other.pk].unit_count, rows[world.other.pk].pending_posts) == (1, 0)

    def test_past_committee_of_the_same_community_counts_the_community_units(self, world, admin_user):
        past = CommitteeFactory(
            community=world.mine.community,
            is_active=False,
            term_start=datetime.date(2019, 1, 1),
            term_end=datetime.date(2023, 12, 31),
        )
        rows = {c.pk: c for c in selectors.committee_list(user=admin_user)}
        assert rows[past.pk].unit_count == rows[world.mine.pk].unit_count == 2

    def test_scoped(self, world, township_user, secretary_user, liaison_user, county_user):
        assert {c.pk for c in selectors.committee_list(user=township_user)} == {world.mine.pk, world.sibling.pk}
        assert {c.pk for c in selectors.committee_list(user=secretary_user)} == {world.mine.pk}
        assert not selectors.committee_list(user=liaison_user).exists()
        assert world.foreign.pk not in {c.pk for c in selectors.committee_list(user=county_user)}

    def test_one_query(self, world, admin_user, django_assert_num_queries):
        with django_assert_num_queries(1):
            rows = list(selectors.committee_list(user=admin_user))
            assert all(r.community.township.name for r in rows)

    def test_committee_get_404_outside_scope(self, world, secretary_user):
        assert selectors.committee_get(user=secretary_user, pk=world.mine.pk) == world.mine
        with pytest.raises(Http404):
            selectors.committee_get(user=secretary_user, pk=world.sibling.pk)


class TestTownship:
    def test_township_get_by_role(self, world, township_user, county_user, secretary_user):
        assert selectors.township_get(user=township_user, pk=world.township.pk) == world.township
        assert selectors.township_get(user=county_user, pk=world.other_township.pk) == world.other_township
        for user, township in ((township_user, world.other_township), (secretary_user, world.township)):
            with pytest.raises(Http404):
                selectors.township_get(user=user, pk=township.pk)

    def test_overview_flags(self, world):
        Committee.objects.filter(pk=world.sibling.pk).update(term_end=TODAY - DAY)
        v = Vacancy.objects.create(committee=world.mine, kind="deputy", opened_on=TODAY - 5 * DAY, reason="调离")
        pending = PostFactory(committee=world.mine, unit=world.unit)
        empty = CommunityFactory(township=world.township, name="空社区")
        rows = {r.community.pk: r for r in selectors.township_overview(township=world.township)}
        mine, sibling, none = rows[world.mine.community_id], rows[world.sibling.community_id], rows[empty.pk]
        assert mine.vacancies == [v] and mine.pending == [pending]
        assert {c.label for c in mine.failing} >= {"书记 1 名在任"}
        assert all(c.code != "term_overdue" for c in sibling.failing)  # shown on its own line
        assert sibling.committee.term_overdue
        assert sibling.flag_count == 1 + len(sibling.failing)
        assert none.committee is None and none.flag_count == 1
        assert world.other.community_id not in rows

    def test_overview_queries_do_not_grow(self, world, django_assert_max_num_queries):
        with django_assert_max_num_queries(5):
            selectors.township_overview(township=world.township)
        for i in range(20):
            c = CommitteeFactory(community=CommunityFactory(township=world.township, name=f"社区{i}"))
            PostFactory(committee=c, status="in_force", in_force_from=TODAY)
            Vacancy.objects.create(committee=c, kind="member", opened_on=TODAY, reason="辞职")
        with django_assert_max_num_queries(5):
            rows = selectors.township_overview(township=world.township)
        assert len(rows) == 22


class TestPosts:
    def test_r3_grouped_secretary_deputies_members(self, world):
        c = world.mine
        kw = {"committee": c, "unit": world.unit, "status": "in_force", "in_force_from": TODAY}
        member = PostFactory(kind="member", **kw)
        deputy = PostFactory(kind="deputy", **kw)
        fulltime = PostFactory(kind="fulltime_deputy", **kw)
        secretary = PostFactory(kind="secretary", **kw)
        PostFactory(committee=c, unit=world.unit, kind="member")  # nominated: not in force
        groups = selectors.posts_in_force_grouped(selectors.committee_posts(committee=c))
        assert [(str(label), rows) for label, rows in groups] == [
            ("书记", [secretary]),
            ("副书记", [fulltime, deputy]),
            ("委员", [member]),
        ]

    def test_r5_approval_grid_names_both_bodies(self, world, admin_user, django_assert_num_queries):
        post = PostFactory(committee=world.mine, unit=world.unit)
        PostApproval.objects.create(
            post=post, body="civil_affairs", decision="approved", decided_on=TODAY, recorded_by=admin_user
        )
        with django_assert_num_queries(2):
            post = selectors.post_get(user=admin_user, pk=post.pk)
        with django_assert_num_queries(0):
            grid = selectors.approval_grid(post)
            assert grid[1][2].recorded_by == admin_user
        assert [(b, str(label), a is not None) for b, label, a in grid] == [
            ("org_dept", "县委组织部", False),
            ("civil_affairs", "县民政局", True),
        ]

    def test_committee_posts_two_queries(self, world, admin_user, django_assert_num_queries):
        for i in range(5):
            p = PostFactory(committee=world.mine, unit=world.unit, holder_name=f"人{i}")
            PostApproval.objects.create(
                post=p, body="org_dept", decision="approved", decided_on=TODAY, recorded_by=admin_user
            )
        with django_assert_num_queries(2):
            posts = selectors.committee_posts(committee=world.mine)
            assert all(p.unit.name and p.approvals.all()[0].recorded_by for p in posts)

    def test_post_get_404_outside_scope(self, world, township_user):
        post = PostFactory(committee=world.other, unit=world.other_unit)
        with pytest.raises(Http404):
            selectors.post_get(user=township_user, pk=post.pk)


class TestRotationReads:
    def test_rotation_term_get_is_scoped(self, world, secretary_user):
        term = RotationTerm.objects.create(
            committee=world.sibling,
            unit=UnitFactory(community=world.sibling.community),
            holder_name="x",
            start=TODAY,
            end=TODAY,
        )
        with pytest.raises(Http404):
            selectors.rotation_term_get(user=secretary_user, pk=term.pk)

    def test_secretary_on_with_lists_runs_no_query(self, world, django_assert_num_queries):
        RotationTerm.objects.create(
            committee=world.mine,
            unit=world.unit,
            holder_name="轮",
            start=TODAY - DAY,
            end=TODAY + DAY,
            approved_on=TODAY,
        )
        # R5/R7: the holder chairs with a secretary post in force
        PostFactory(
            committee=world.mine,
            unit=world.unit,
            kind=Post.Kind.SECRETARY,
            holder_name="轮",
            status=Post.Status.ENDED,
            in_force_from=TODAY - DAY,
            ended_on=TODAY + DAY,
        )
        terms = selectors.rotation_terms(committee=world.mine)
        posts = selectors.committee_posts(committee=world.mine)
        with django_assert_num_queries(0):
            assert selectors.secretary_on(committee=world.mine, day=TODAY, terms=terms, posts=posts).holder_name == "轮"
            assert selectors.secretary_on(committee=world.mine, day=TODAY + 5 * DAY, terms=terms, posts=posts) is None

    def test_unit_types_are_what_checks_expect(self):
        # composition checks treat every type but the community party org as a resident unit (R4)
        assert [t for t in Unit.Type.values if not Unit(unit_type=t).is_resident_unit] == ["community_org"]
        assert Post.Kind.values == ["secretary", "fulltime_deputy", "deputy", "member"]
