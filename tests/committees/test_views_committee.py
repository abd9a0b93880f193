"""Committee list, committee page, township page and committee create/edit by each role (R1,
R3–R7): outside the scope a committee does not exist (404), a visible committee the role may not
change is a 403; each page runs a fixed number of queries whatever the data size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from committees import services
from committees.models import Committee, Post, PostApproval, RotationTerm, Unit, Vacancy, add_years
from tests.committees.helpers import record_decision
from tests.conftest import ROLES
from tests.factories import CommitteeFactory, CommunityFactory, PostFactory, UnitFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def detail(c):
    return reverse("committees:committee_detail", args=[c.pk])


def edit(c):
    return reverse("committees:committee_update", args=[c.pk])


def township_page(t):
    return reverse("committees:township_detail", args=[t.pk])


CREATE = reverse("committees:committee_create")
LIST = reverse("committees:committee_list")


def status_by_role(request, client, url, method="get", data=None):
    got = {}
    for role in ROLES:
        client.force_login(request.getfixturevalue(role))
        got[role.removesuffix("_user")] = getattr(client, method)(url, data or {}).status_code
    return got


def S(township, secretary, liaison, county, admin):  # noqa: N802 - a table row
    return {"township": township, "secretary": secretary, "liaison": liaison, "county": county, "admin": admin}


class TestPermissions:
    @pytest.mark.parametrize(
        ("which", "expected"),
        [
            ("mine", S(200, 200, 404, 200, 200)),
            ("sibling", S(200, 404, 404, 200, 200)),
            ("other", S(404, 404, 404, 200, 200)),
            ("foreign", S(404, 404, 404, 404, 200)),
        ],
    )
    def test_committee_page(self, request, client, world, which, expected):
        assert status_by_role(request, client, detail(getattr(world, which))) == expected

    @pytest.mark.parametrize(
        ("which", "expected"),
        [
            ("mine", S(200, 200, 404, 403, 200)),
            ("sibling", S(200, 404, 404, 403, 200)),
            ("other", S(404, 404, 404, 403, 200)),
            ("foreign", S(404, 404, 404, 404, 200)),
        ],
    )
    def test_committee_edit_get_and_post(self, request, client, world, which, expected):
        committee = getattr(world, which)
        assert status_by_role(request, client, edit(committee)) == expected
        data = {"name": "改名", "term_start": "2024-01-01", "term_end": "2028-12-31", "mode": "p3"}
        data["meeting_frequency"] = "quarterly"
        got = status_by_role(request, client, edit(committee), "post", data)
        assert got == {role: 302 if code == 200 else code for role, code in expected.items()}

    def test_refused_edit_changes_nothing(self, world, county_user, login):
        response = login(county_user).post(edit(world.mine), {"name": "县里改的"})
        assert response.status_code == 403
        world.mine.refresh_from_db()
        assert world.mine.name != "县里改的"

    def test_committee_create_for_township_staff_and_admin_only(self, request, client, world):
        assert status_by_role(request, client, CREATE) == S(200, 403, 403, 403, 200)

    @pytest.mark.parametrize(
        ("which", "expected"),
        [("township", S(200, 404, 404, 200, 200)), ("other_township", S(404, 404, 404, 200, 200))],
    )
    def test_township_page(self, request, client, world, which, expected):
        assert status_by_role(request, client, township_page(getattr(world, which))) == expected

    def test_township_page_of_another_county(self, world, county_user, login):
        foreign = world.foreign.community.township
        assert login(county_user).get(township_page(foreign)).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, world):
        for url in (LIST, detail(world.mine), CREATE, township_page(world.township)):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class TestCommitteeList:
    def test_each_role_sees_its_scope(self, world, login, township_user, secretary_user, liaison_user, county_user):
        def seen(user):
            return {c.pk for c in login(user).get(LIST).context["page_obj"]}

        assert seen(township_user) == {world.mine.pk, world.sibling.pk}
        assert seen(secretary_user) == {world.mine.pk}
        assert seen(liaison_user) == set()
        assert seen(county_user) == {world.mine.pk, world.sibling.pk, world.other.pk}

    def test_r6_counts_and_overdue_flag(self, world, township_user, login):
        UnitFactory(community=world.mine.community, is_active=False, deactivated_on=TODAY)  # not counted
        Vacancy.objects.create(committee=world.mine, kind="member", opened_on=TODAY, reason="辞职")
        PostFactory(committee=world.mine, unit=world.unit)  # nominated
        PostFactory(committee=world.mine, unit=world.unit, status="in_force", in_force_from=TODAY)
        Committee.objects.filter(pk=world.sibling.pk).update(term_end=TODAY - DAY)
        response = login(township_user).get(LIST)
        rows = {c.pk: c for c in response.context["page_obj"]}
        mine = rows[world.mine.pk]
        assert (mine.unit_count, mine.open_vacancies, mine.pending_posts) == (2, 1, 1)
        assert rows[world.sibling.pk].unit_count == 0
        page = response.content.decode()
        assert page.count(">已届满<") == 1
        assert "2024年1月1日" in page

    def test_create_button_only_for_those_who_may_create(self, world, login, township_user, secretary_user):
        assert CREATE in login(township_user).get(LIST).content.decode()
        assert CREATE not in login(secretary_user).get(LIST).content.decode()


class TestCreateAndEdit:
    def test_r6_township_creates_a_committee_with_a_five_year_term(self, world, township_user, login):
        community = CommunityFactory(township=world.township, name="新城社区")
        response = login(township_user).post(
            CREATE,
            {
                "community": community.pk,
                "name": "",
                "term_start": "2026-03-01",
                "mode": "p1",
                "meeting_frequency": "quarterly",
            },
        )
        committee = Committee.objects.get(community=community)
        assert response.status_code == 302 and response["Location"] == detail(committee)
        assert (committee.name, committee.term_end) == ("新城社区大党委", datetime.date(2031, 2, 28))
        assert committee.history.get().history_user == township_user

    def test_only_communities_of_the_own_township_are_offered(self, world, township_user, login):
        other = CommunityFactory(township=world.other_township, name="河西新社区")
        free = CommunityFactory(township=world.township, name="城关新社区")
        form = login(township_user).get(CREATE).context["form"]
        assert set(form.fields["community"].queryset) == {free}  # own township, no committee in office
        response = login(township_user).post(
            CREATE, {"community": other.pk, "term_start": "2026-03-01", "mode": "p1", "meeting_frequency": "quarterly"}
        )
        assert response.status_code == 200
        assert "community" in response.context["form"].errors
        assert not Committee.objects.filter(community=other).exists()

    def test_r1_second_committee_in_office_is_refused_keeping_the_input(self, world, township_user, login):
        response = login(township_user).post(
            CREATE,
            {
                "community": world.mine.community.pk,
                "name": "重复",
                "term_start": "2026-03-01",
                "mode": "p1",
                "meeting_frequency": "quarterly",
            },
        )
        assert response.status_code == 200
        assert "community" in response.context["form"].errors
        assert world.mine.community not in response.context["form"].fields["community"].queryset
        assert 'value="重复"' in response.content.decode()
        assert Committee.objects.filter(community=world.mine.community).count() == 1

    def test_bad_term_is_shown_in_chinese(self, world, township_user, login):
        response = login(township_user).post(
            edit(world.mine),
            {
                "name": "x",
                "term_start": "2026-01-01",
                "term_end": "2025-01-01",
                "mode": "p1",
                "meeting_frequency": "quarterly",
            },
        )
        assert response.status_code == 200
        assert "任期届满日期必须晚于任期开始日期" in response.content.decode()

    def test_secretary_edits_own_committee_and_the_history_shows_it(self, world, secretary_user, login):
        client = login(secretary_user)
        response = client.post(
            edit(world.mine),
            {
                "name": "陵园社区大党委（第二届）",
                "term_start": "2024-01-01",
                "term_end": "2028-12-31",
                "mode": "p3",
                "meeting_frequency": "half_yearly",
                "community": world.other.community.pk,
            },
        )
        assert response.status_code == 302
        world.mine.refresh_from_db()
        assert (world.mine.name, world.mine.mode, world.mine.community_id) == (
            "陵园社区大党委（第二届）",
            "p3",
            world.mine.community_id,
        )
        page = client.get(detail(world.mine)).content.decode()
        assert "变更记录" in page and "陵园社区大党委（第二届）" in page and secretary_user.display_name in page


def _build(committee, *, units: int, posts: int):
    """Bulk data: units of every kind, posts in force, nominations with approvals, vacancies, a
    rotation plan."""
    community = committee.community
    Unit.objects.bulk_create(
        Unit(
            community=community,
            name=f"单位{committee.pk}-{i}",
            unit_type=Unit.Type.ENTERPRISE,
            party_org_secretary=f"书{i}",
        )
        for i in range(units)
    )
    unit_list = list(Unit.objects.filter(community=community)[:5])
    made = Post.objects.bulk_create(
        Post(
            committee=committee,
            kind=Post.Kind.MEMBER if i % 3 else Post.Kind.DEPUTY,
            holder_name=f"人{i}",
            unit=unit_list[i % len(unit_list)],
            recommended_by=["community"],
            nominated_on=TODAY - 60 * DAY,
            status=("in_force", "nominated", "rejected", "ended")[i % 4],
            in_force_from=TODAY - 30 * DAY if i % 4 in (0, 3) else None,
            ended_on=TODAY - DAY if i % 4 == 3 else None,
        )
        for i in range(posts)
    )
    from accounts.models import User

    recorder = User.objects.filter(is_superuser=True).first() or User.objects.first()
    PostApproval.objects.bulk_create(
        PostApproval(
            post=p,
            body="org_dept",
            decision="rejected" if p.status == "rejected" else "approved",
            decided_on=TODAY - 20 * DAY,
            recorded_by=recorder,
        )
        for p in made
        if p.status != "in_force"
    )
    Vacancy.objects.bulk_create(
        Vacancy(committee=committee, kind="member", opened_on=TODAY - i * DAY, reason="辞职") for i in range(posts // 3)
    )
    RotationTerm.objects.bulk_create(
        RotationTerm(
            committee=committee,
            unit=unit_list[0],
            holder_name=f"轮{y}",
            start=add_years(committee.term_start, y),
            end=add_years(committee.term_start, y + 1) - DAY,
            approved_on=TODAY,
        )
        for y in range(5)
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


class TestQueryCounts:
    """The pages run the same number of queries for 10 and for 1,000 units, 3 and 30 posts."""

    @pytest.fixture
    def big(self, world):
        committee = world.sibling
        _build(committee, units=1000, posts=30)
        for i in range(30):
            c = CommitteeFactory(community=CommunityFactory(township=world.township, name=f"社区{i}"))
            PostFactory(committee=c)
        return committee

    def test_committee_page(self, world, township_user, login, big, django_assert_max_num_queries):
        _build(world.mine, units=10, posts=3)
        client = login(township_user)
        small = _count(client, detail(world.mine))
        with django_assert_max_num_queries(small):
            response = client.get(detail(big))
        assert len(response.context["ended"]) + sum(len(r) for _, r in response.context["groups"]) == 15

    def test_committee_list(self, world, admin_user, login, big, django_assert_max_num_queries):
        client = login(admin_user)
        small = _count(client, LIST)
        _build(world.mine, units=10, posts=3)
        with django_assert_max_num_queries(small):
            response = client.get(LIST)
        assert response.context["page_obj"].paginator.count == 34

    def test_township_page(self, world, township_user, login, django_assert_max_num_queries):
        client = login(township_user)
        _build(world.mine, units=10, posts=3)
        small = _count(client, township_page(world.township))
        _build(world.sibling, units=1000, posts=30)
        for i in range(20):
            c = CommitteeFactory(community=CommunityFactory(township=world.township, name=f"社区{i}"))
            PostFactory(committee=c)
        with django_assert_max_num_queries(small):
            response = client.get(township_page(world.township))
        assert len(response.context["rows"]) == 22


class TestCommitteePage:
    def test_r3_r5_r6_r7_what_the_page_shows(self, world, township_user, login):
        committee = world.mine
        Committee.objects.filter(pk=committee.pk).update(
            term_start=add_years(TODAY, -2), term_end=add_years(TODAY, 3) - DAY
        )
        committee.refresh_from_db()
        actor = township_user
        secretary = services.post_nominate(
            actor=actor,
            committee=committee,
            kind="secretary",
            holder_name="李电力",
            unit=world.unit,
            recommended_by=["units"],
            is_unit_party_head=True,
            nominated_on=TODAY - 10 * DAY,
        )
        for body in ("org_dept", "civil_affairs"):
            record_decision(post=secretary, body=body, decision="approved", decided_on=TODAY)
        pending = services.post_nominate(
            actor=actor,
            committee=committee,
            kind="deputy",
            holder_name="陈待批",
            unit=world.sibling_unit,
            recommended_by=["community"],
            nominated_on=TODAY - 5 * DAY,
        )
        record_decision(post=pending, body="civil_affairs", decision="approved", decided_on=TODAY - DAY)
        refused = services.post_nominate(
            actor=actor,
            committee=committee,
            kind="member",
            holder_name="周未批",
            unit=world.unit,
            recommended_by=["owners"],
            nominated_on=TODAY - 5 * DAY,
        )
        record_decision(post=refused, body="org_dept", decision="rejected", decided_on=TODAY, remark="不符合条件")
        services.vacancy_open(
            actor=actor, committee=committee, kind="deputy", opened_on=TODAY - 12 * DAY, reason="辞职"
        )
        RotationTerm.objects.create(
            committee=committee,
            unit=world.sibling_unit,
            holder_name="下任书记",
            start=TODAY + 10 * DAY,
            end=committee.term_end,
            approved_on=TODAY,
        )
        response = login(township_user).get(detail(committee))
        page = response.content.decode()
        ctx = response.context
        assert [p.holder_name for p in dict(ctx["groups"])["书记"]] == ["李电力"]
        assert ctx["secretary"].holder_name == "李电力"
        assert "陈待批" in page and "待审批" in page
        assert [p.holder_name for p, _ in ctx["rejected"]] == ["周未批"] and "不符合条件" in page
        assert "12 天" in page
        assert "下任书记" in page and "接任轮值书记" in page
        assert ctx["handover"].holder_name == "下任书记"
        labels = {c.label: c.ok for c in ctx["checks"]}
        assert labels["书记 1 名在任"] is True
        assert labels["副书记 2–3 名在任（含专职副书记）"] is False
        assert "请提名补足至 2 名" in page
        assert f"{reverse('committees:unit_list')}?community={committee.community_id}" in page
        assert reverse("committees:grid_list", args=[committee.community_id]) in page
        assert reverse("committees:rotation_detail", args=[committee.pk]) in page
        assert reverse("committees:post_nominate", args=[committee.pk]) in page

    def test_county_reads_without_change_buttons(self, world, county_user, login):
        page = login(county_user).get(detail(world.mine)).content.decode()
        assert reverse("committees:post_nominate", args=[world.mine.pk]) not in page
        assert edit(world.mine) not in page
        assert reverse("committees:vacancy_create", args=[world.mine.pk]) not in page

    def test_secretary_lands_on_the_dashboard(self, world, secretary_user, login):
        response = login(secretary_user).get(reverse("home"))  # issue #7: the dashboard links the committee
        assert response["Location"] == reverse("dashboards:secretary")


class TestTownshipPage:
    def test_red_flags_and_handovers(self, world, township_user, login):
        Committee.objects.filter(pk=world.sibling.pk).update(term_end=TODAY - DAY)
        Vacancy.objects.create(committee=world.mine, kind="member", opened_on=TODAY - 7 * DAY, reason="调离")
        PostFactory(committee=world.mine, unit=world.unit, holder_name="待批人")
        CommunityFactory(township=world.township, name="新建社区")
        RotationTerm.objects.create(
            committee=world.mine,
            unit=world.unit,
            holder_name="接任人",
            start=TODAY + 5 * DAY,
            end=TODAY + 300 * DAY,
            approved_on=TODAY,
        )
        RotationTerm.objects.create(  # another township's handover is not shown here
            committee=world.other,
            unit=world.other_unit,
            holder_name="河西接任",
            start=TODAY + 5 * DAY,
            end=TODAY + 300 * DAY,
            approved_on=TODAY,
        )
        response = login(township_user).get(township_page(world.township))
        page = response.content.decode()
        rows = {r.community.name: r for r in response.context["rows"]}
        assert set(rows) == {"陵园社区", "东关社区", "新建社区"}
        assert rows["新建社区"].committee is None and "尚未成立大党委" in page
        assert [v.days_open for v in rows["陵园社区"].vacancies] == [7] and "空缺 7 天" in page
        assert [p.holder_name for p in rows["陵园社区"].pending] == ["待批人"] and "1 项提名待审批" in page
        assert "请组织换届" in page
        assert any("书记 1 名在任" in c.label for c in rows["东关社区"].failing)
        assert "接任人" in page and "河西接任" not in page
        assert f"{CREATE}?community={rows['新建社区'].community.pk}" in page

    def test_township_staff_lands_on_the_dashboard(self, world, township_user, login):
        assert login(township_user).get(reverse("home"))["Location"] == reverse("dashboards:township")
