"""Rotation pages (R7) by each role: the plan, generate, edit a term, move it, approve. Outside
the scope → 404, county reviewers → 403 on every change; approval is refused with the gap
messages while a gap exists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from committees import services
from committees.models import Committee, RotationTerm, add_years
from tests.conftest import ROLES
from tests.factories import PostFactory, UnitFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def S(township, secretary, liaison, county, admin):  # noqa: N802 - a table row
    return {"township": township, "secretary": secretary, "liaison": liaison, "county": county, "admin": admin}


def statuses(request, client, url, method="get", data=None):
    got = {}
    for role in ROLES:
        client.force_login(request.getfixturevalue(role))
        got[role.removesuffix("_user")] = getattr(client, method)(url, data or {}).status_code
    return got


def detail(c):
    return reverse("committees:rotation_detail", args=[c.pk])


def generate_url(c):
    return reverse("committees:rotation_generate", args=[c.pk])


def approve_url(c):
    return reverse("committees:rotation_approve", args=[c.pk])


def edit_url(t):
    return reverse("committees:rotation_term_update", args=[t.pk])


def swap_url(t):
    return reverse("committees:rotation_swap", args=[t.pk])


@pytest.fixture
def plans(world, admin_user):
    """Each committee: term two years in, a proposed plan of two alternating units."""
    out = {}
    for name, unit in (("mine", world.unit), ("other", world.other_unit), ("foreign", world.foreign_unit)):
        committee = getattr(world, name)
        Committee.objects.filter(pk=committee.pk).update(
            term_start=add_years(TODAY, -2), term_end=add_years(TODAY, 3) - DAY
        )
        committee.refresh_from_db()
        second = UnitFactory(community=committee.community, name=f"{name}第二单位", party_org_secretary=f"{name}乙")
        out[name] = services.rotation_generate(actor=admin_user, committee=committee, units=[unit, second])
    return out


READ = {
    "mine": S(200, 200, 404, 200, 200),
    "other": S(404, 404, 404, 200, 200),
    "foreign": S(404, 404, 404, 404, 200),
}
CHANGE = {
    "mine": S(200, 200, 404, 403, 200),
    "other": S(404, 404, 404, 403, 200),
    "foreign": S(404, 404, 404, 404, 200),
}


class TestPermissions:
    @pytest.mark.parametrize("which", ["mine", "other", "foreign"])
    def test_pages(self, request, client, world, plans, which):
        committee = getattr(world, which)
        assert statuses(request, client, detail(committee)) == READ[which]
        assert statuses(request, client, generate_url(committee)) == CHANGE[which]
        assert statuses(request, client, edit_url(plans[which][-1])) == CHANGE[which]

    @pytest.mark.parametrize("which", ["mine", "other", "foreign"])
    def test_refused_posts_change_nothing(self, request, client, world, plans, which):
        committee = getattr(world, which)
        before = list(RotationTerm.objects.order_by("pk").values_list("pk", "holder_name", "start", "approved_on"))
        refused = {r: c for r, c in CHANGE[which].items() if c != 200}
        for role, code in refused.items():
            client.force_login(request.getfixturevalue(f"{role}_user"))
            assert client.post(approve_url(committee)).status_code == code
            assert client.post(swap_url(plans[which][-1]), {"direction": "up"}).status_code == code
            assert client.post(generate_url(committee), {}).status_code == code
            term = plans[which][-1]
            data = {"unit": term.unit_id, "holder_name": "改", "start": term.start, "end": term.end}
            assert client.post(edit_url(term), data).status_code == code
        after = list(RotationTerm.objects.order_by("pk").values_list("pk", "holder_name", "start", "approved_on"))
        assert after == before

    def test_swap_and_approve_are_post_only(self, client, world, plans, township_user):
        client.force_login(township_user)
        assert client.get(approve_url(world.mine)).status_code == 405
        assert client.get(swap_url(plans["mine"][-1])).status_code == 405


class TestRotationPages:
    def test_r7_plan_page_shows_terms_gaps_and_today(self, client, world, plans, township_user):
        client.force_login(township_user)
        response = client.get(detail(world.mine))
        page = response.content.decode()
        assert response.context["problems"] == []
        assert "无空档、无重叠" in page
        assert len(response.context["rows"]) == 5
        assert "批准轮值安排（5 个待批准）" in page
        assert "今日无在任书记" in page  # nothing approved yet, no secretary post

    def test_r7_generate_in_the_chosen_order(self, client, world, township_user):
        client.force_login(township_user)
        Committee.objects.filter(pk=world.mine.pk).update(
            term_start=add_years(TODAY, -1), term_end=add_years(TODAY, 4) - DAY
        )
        third = UnitFactory(community=world.mine.community, name="第三单位", party_org_secretary="丙书记")
        form = client.get(generate_url(world.mine)).context["form"]
        assert {u.pk for u in form.candidates} == {world.unit.pk, world.sibling_unit.pk, third.pk}
        response = client.post(
            generate_url(world.mine), {f"order_{third.pk}": "1", f"order_{world.unit.pk}": "2", "start": ""}
        )
        assert response.status_code == 302
        names = list(
            RotationTerm.objects.filter(committee=world.mine).order_by("start").values_list("holder_name", flat=True)
        )
        assert names == ["丙书记", world.unit.party_org_secretary] * 2 + ["丙书记"]

    def test_generate_without_any_unit_says_so(self, client, world, township_user):
        client.force_login(township_user)
        response = client.post(generate_url(world.mine), {})
        assert response.status_code == 200 and "请至少为一个单位填写轮值顺序" in response.content.decode()
        assert not RotationTerm.objects.exists()

    def test_r7_approve_refused_with_the_gap_messages(self, client, world, plans, township_user):
        client.force_login(township_user)
        last = plans["mine"][-1]
        response = client.post(
            edit_url(last),
            {
                "unit": last.unit_id,
                "holder_name": last.holder_name,
                "start": (last.start + 30 * DAY).isoformat(),
                "end": last.end.isoformat(),
            },
        )
        assert response.status_code == 302
        page = client.post(approve_url(world.mine), follow=True).content.decode()
        assert "不能批准" in page and "无人轮值，请补充" in page
        assert not RotationTerm.objects.filter(committee=world.mine, approved_on__isnull=False).exists()

    def test_r7_overlapping_edit_is_refused_on_the_form(self, client, world, plans, township_user):
        client.force_login(township_user)
        second = plans["mine"][1]
        response = client.post(
            edit_url(second),
            {
                "unit": second.unit_id,
                "holder_name": "x",
                "start": (second.start - DAY).isoformat(),
                "end": second.end.isoformat(),
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "重叠" in page and 'value="x"' in page
        second.refresh_from_db()
        assert second.holder_name != "x"

    def test_r7_approve_then_today_and_history_are_shown(self, client, world, plans, township_user):
        client.force_login(township_user)  # the plan was proposed by the administrator
        response = client.post(approve_url(world.mine), follow=True)
        assert "已批准 5 个轮值任期" in response.content.decode()
        ctx = client.get(detail(world.mine)).context
        current = next(t for t in plans["mine"] if t.start <= TODAY <= t.end)
        # R5/R7: no chair until this year's holder holds a secretary post in force
        assert ctx["secretary"] is None and ctx["chair_gap"].pk == current.pk
        PostFactory(
            committee=world.mine,
            unit=current.unit,
            kind="secretary",
            holder_name=current.holder_name,
            status="in_force",
            in_force_from=current.start,
        )
        ctx = client.get(detail(world.mine)).context
        assert ctx["secretary"].pk == current.pk and ctx["chair_gap"] is None
        assert [r["term"].pk for r in ctx["history"]] == [t.pk for t in plans["mine"] if t.start <= TODAY]
        # the committee page names today's rotating secretary
        page = client.get(reverse("committees:committee_detail", args=[world.mine.pk])).content.decode()
        assert current.holder_name in page

    def test_r7_move_down_swaps_holders(self, client, world, plans, township_user):
        client.force_login(township_user)
        a, b = plans["mine"][3], plans["mine"][4]
        names = (a.holder_name, b.holder_name)
        response = client.post(swap_url(a), {"direction": "down"})
        assert response.status_code == 302
        a.refresh_from_db()
        b.refresh_from_db()
        assert (b.holder_name, a.holder_name) == names

    def test_move_beyond_the_end_says_so(self, client, world, plans, township_user):
        client.force_login(township_user)
        page = client.post(swap_url(plans["mine"][-1]), {"direction": "down"}, follow=True).content.decode()
        assert "没有相邻的轮值任期" in page

    def test_r7_history_cannot_be_moved(self, client, world, plans, township_user):
        client.force_login(township_user)
        client.post(approve_url(world.mine))
        current = next(t for t in plans["mine"] if t.start <= TODAY <= t.end)
        page = client.post(swap_url(current), {"direction": "down"}, follow=True).content.decode()
        assert "交接历史，不能调整" in page
        current.refresh_from_db()
        assert current.holder_name == next(t for t in plans["mine"] if t.pk == current.pk).holder_name

    def test_r7_handover_within_a_month_on_the_rotation_page(self, client, world, township_user):
        client.force_login(township_user)
        RotationTerm.objects.create(
            committee=world.mine,
            unit=world.unit,
            holder_name="下一位",
            start=TODAY + 20 * DAY,
            end=TODAY + 200 * DAY,
            approved_on=TODAY,
        )
        page = client.get(detail(world.mine)).content.decode()
        assert "下一位" in page and "接任轮值书记" in page

    def test_query_count_does_not_grow_with_terms(
        self, client, world, township_user, admin_user, django_assert_max_num_queries
    ):
        client.force_login(township_user)
        short = add_years(TODAY, -1)
        Committee.objects.filter(pk=world.mine.pk).update(term_start=short, term_end=add_years(short, 2) - DAY)
        world.mine.refresh_from_db()
        services.rotation_generate(actor=admin_user, committee=world.mine, units=[world.unit, world.sibling_unit])
        with CaptureQueriesContext(connection) as small:
            client.get(detail(world.mine))
        Committee.objects.filter(pk=world.mine.pk).update(term_end=add_years(short, 30) - DAY)
        world.mine.refresh_from_db()
        services.rotation_generate(actor=admin_user, committee=world.mine, units=[world.unit, world.sibling_unit])
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(detail(world.mine))
        assert len(response.context["rows"]) == 30
