"""Issue #7 item 2: each role's dashboard shows the right figures from hand-built data, only in
the user's scope, in a fixed number of queries whatever the data size."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from committees.models import Community
from dashboards import selectors
from meetings.models import Attendee, FollowUpTask, Meeting, Minutes, Motion
from tests.factories import CommitteeFactory, CommunityFactory, UnitFactory, UserFactory

from . import builders as b

pytestmark = pytest.mark.django_db

TOWNSHIP = reverse("dashboards:township")
SECRETARY = reverse("dashboards:secretary")
LIAISON = reverse("dashboards:liaison")
COUNTY = reverse("dashboards:county")


# --- landing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("township_user", TOWNSHIP),
        ("secretary_user", SECRETARY),
        ("liaison_user", LIAISON),
        ("county_user", COUNTY),
        ("admin_user", TOWNSHIP),
    ],
)
def test_each_role_lands_on_its_dashboard(request, login, role, target):
    client = login(request.getfixturevalue(role))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200


def test_another_roles_dashboard_sends_one_to_ones_own(login, liaison_user, secretary_user):
    assert login(liaison_user).get(TOWNSHIP)["Location"] == LIAISON
    assert login(secretary_user).get(LIAISON)["Location"] == SECRETARY


# --- township staff -----------------------------------------------------------------------------


def test_township_red_flags_r6_r8_r13_r23(world, township_user, secretary_user, login):
    """A community without a held meeting this quarter is flagged (R8); a vacancy shows its days
    open (R6); an overdue task counts (R13); unpaid shares past due show their amount (R23)."""
    b.meeting(world.sibling)  # held now: the sibling is not flagged
    b.meeting(world.mine, status=Meeting.Status.NOTIFIED)  # not held: does not count
    b.meeting(world.other)  # another township: not shown
    b.vacancy(world.mine, opened_days_ago=7)
    b.task(world.mine, world.unit, due=b.days(-3))  # overdue
    b.task(world.mine, world.unit, due=b.days(5))  # not yet due
    b.task(world.mine, world.unit, due=b.days(-9), status=FollowUpTask.Status.DONE)  # done
    b.task(world.other, world.other_unit, due=b.days(-3))  # out of scope
    fy = b.shares(
        world.mine,
        {world.unit: D("1000.00"), world.sibling_unit: D("500.00")},
        paid={world.unit: D("400.00"), world.sibling_unit: D("500.00")},
        actor=secretary_user,
    )
    b.shares(
        world.sibling,
        {UnitFactory(community=world.sibling.community): D("800.00")},
        due_on=b.days(10),
        actor=secretary_user,
    )  # not yet due: no arrears

    response = login(township_user).get(TOWNSHIP)
    dash = response.context["dash"]
    rows = {r.community.name: r for r in dash.rows}
    assert set(rows) == {"陵园社区", "东关社区"}
    mine, sibling = rows["陵园社区"], rows["东关社区"]
    assert mine.no_meeting_now and not sibling.no_meeting_now and sibling.held_now == 1
    assert [v.days_open for v in mine.vacancies] == [7]
    assert mine.overdue_tasks == 1 and sibling.overdue_tasks == 0
    assert (mine.arrears, mine.arrears_units, mine.arrears_year_id) == (D("600.00"), 1, fy.pk)
    assert sibling.arrears == 0
    assert dash.without_meeting == 1 and dash.overdue_tasks == 1 and dash.arrears == D("600.00")
    page = response.content.decode()
    assert "委员空缺 7 天" in page and "¥600.00" in page and "本期尚未召开" in page
    assert reverse("funding:arrears", args=[fy.pk]) in page
    assert "河西社区" not in page


def test_township_assessment_progress_and_pending_posts(world, township_user, login):
    from committees.models import Post

    rnd = b.scoring_round(world.county)
    b.score(rnd, world.unit, "91.5", "优秀")
    b.score(rnd, world.sibling_unit)
    Post.objects.create(committee=world.mine, kind="member", holder_name="待批人", unit=world.unit)
    rows = {r.community.name: r for r in login(township_user).get(TOWNSHIP).context["dash"].rows}
    assert (rows["陵园社区"].tasks_done, rows["陵园社区"].tasks_total) == (1, 2)
    assert rows["陵园社区"].assessment_percent == 50
    assert rows["陵园社区"].pending_posts == 1 and rows["东关社区"].pending_posts == 0


def test_township_rollout_stage_is_shown(world, township_user, login):
    rows = login(township_user).get(TOWNSHIP).context["dash"].rows
    assert all(r.stage is not None and r.stage.stage == 0 for r in rows)


def test_a_half_yearly_committee_is_judged_by_half_year_r8():
    quarterly = selectors.periods_for("quarterly", datetime.date(2026, 5, 10))
    assert [(p.start, p.end) for p in quarterly] == [
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
    ]
    half = selectors.periods_for("half_yearly", datetime.date(2026, 2, 10))
    assert [(p.start, p.end) for p in half] == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2025, 7, 1), datetime.date(2025, 12, 31)),
    ]
    q4 = selectors.quarter_of(datetime.date(2026, 12, 31))
    assert (q4.start, q4.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))


# --- community secretary ------------------------------------------------------------------------


def test_secretary_sees_own_committees_work(world, secretary_user, liaison_user, login):
    upcoming = b.meeting(
        world.mine, when=b.timezone.now() + datetime.timedelta(days=3), status=Meeting.Status.NOTIFIED, title="下次会议"
    )
    for n, reply in enumerate(["confirmed", "confirmed", "leave", "none"]):
        Attendee.objects.create(
            meeting=upcoming, name=f"委员{n}", reply=reply, reply_reason="出差" if reply == "leave" else ""
        )
    held = b.meeting(world.mine, title="已开会议")
    Motion.objects.create(meeting=held, title="待登记事项", status=Motion.Status.OPEN)
    Minutes.objects.create(meeting=held, committee=world.mine, year=b.TODAY.year, number=1, status="circulated")
    b.task(world.mine, world.unit, due=b.days(-2), title="逾期任务")
    b.task(world.mine, world.unit, due=b.days(60), title="远期任务")
    b.pledge(world.mine, world.unit, title="待审承诺", actor=liaison_user)
    b.pledge(world.sibling, UnitFactory(community=world.sibling.community), title="别的社区", actor=liaison_user)

    response = login(secretary_user).get(SECRETARY)
    dash = response.context["dash"]
    assert dash.next_meeting == upcoming
    assert (dash.next_meeting.invited, dash.next_meeting.confirmed, dash.next_meeting.on_leave) == (4, 2, 1)
    assert [m.title for m in dash.motions] == ["待登记事项"]
    assert [m.meeting.title for m in dash.minutes] == ["已开会议"]
    assert [t.title for t in dash.tasks] == ["逾期任务"] and [t.title for t in dash.overdue] == ["逾期任务"]
    assert [p.title for p in dash.pledges] == ["待审承诺"]
    page = response.content.decode()
    assert "确认参加 2，请假 1，未回复 1" in page and "别的社区" not in page


def test_secretary_sees_the_coming_handover_r7(world, secretary_user, login):
    from committees.models import RotationTerm

    RotationTerm.objects.create(
        committee=world.mine,
        unit=world.unit,
        holder_name="接任人",
        start=b.days(10),
        end=b.days(375),
        approved_on=b.TODAY,
    )
    page = login(secretary_user).get(SECRETARY).content.decode()
    assert "接任人" in page and "书记交接" in page


def test_township_opens_a_communitys_secretary_dashboard_in_scope_only(world, township_user, login):
    client = login(township_user)
    ok = client.get(SECRETARY, {"community": world.sibling.community_id})
    assert ok.status_code == 200 and ok.context["dash"].committee == world.sibling
    assert client.get(SECRETARY, {"community": world.other.community_id}).status_code == 404
    assert client.get(SECRETARY)["Location"] == TOWNSHIP


# --- unit liaison -------------------------------------------------------------------------------


def test_liaison_sees_own_units_pledges_dues_and_results_not_the_siblings(world, liaison_user, secretary_user, login):
    b.pledge(world.mine, world.unit, title="本单位承诺", actor=liaison_user)
    b.pledge(world.mine, world.sibling_unit, title="兄弟单位承诺", actor=liaison_user)
    b.shares(
        world.mine,
        {world.unit: D("1000.00"), world.sibling_unit: D("700.00")},
        paid={world.unit: D("250.00")},
        actor=secretary_user,
    )
    rnd = b.scoring_round(world.county, released=True)
    b.score(rnd, world.unit, "88.00", "良好")
    b.score(rnd, world.sibling_unit, "99.00", "优秀")
    b.task(world.mine, world.unit, due=b.days(4), title="本单位任务")
    b.task(world.mine, world.sibling_unit, due=b.days(4), title="兄弟单位任务")

    response = login(liaison_user).get(LIAISON)
    dash = response.context["dash"]
    assert [p.title for p in dash.workspace.pledges] == ["本单位承诺"]
    assert dash.outstanding == D("750.00")
    assert [(t.unit_id, t.grade) for t in dash.released] == [(world.unit.pk, "良好")]
    assert [t.title for t in dash.tasks] == ["本单位任务"]
    page = response.content.decode()
    assert "本单位承诺" in page and "¥750.00" in page and "良好" in page
    assert "兄弟单位" not in page and "99.00" not in page and "¥700.00" not in page


def test_liaison_does_not_see_unreleased_results(world, liaison_user, login):
    b.score(b.scoring_round(world.county), world.unit, "88.00", "良好")
    assert login(liaison_user).get(LIAISON).context["dash"].released == []


# --- county reviewer ----------------------------------------------------------------------------


def test_county_sees_its_countys_units_and_ranking_only(world, county_user, login):
    rnd = b.scoring_round(world.county)
    b.score(rnd, world.unit, "80.00", "良好")
    b.score(rnd, world.other_unit, "95.00", "优秀")
    b.score(rnd, world.sibling_unit)
    foreign = b.scoring_round(world.foreign.community.township.county)
    b.score(foreign, world.foreign_unit, "99.00", "优秀")

    response = login(county_user).get(COUNTY)
    dash = response.context["dash"]
    assert [t.unit.name for t in dash.ranking] == ["河西医院", "县供电公司"]
    assert (dash.task_done, dash.task_total) == (2, 3)
    assert dash.units == 3 and dash.communities == 3 and dash.committees == 3
    assert {t.name: t.unit_count for t in dash.townships} == {"城关镇": 2, "河西镇": 1}
    page = response.content.decode()
    assert "河西医院" in page and "外县银行" not in page and "邻县" not in page


# --- fixed query counts -------------------------------------------------------------------------


def _grow_township(world, n, actor):
    """``n`` more communities in the township, each with everything the dashboard counts."""
    start = Community.objects.count()
    for i in range(start, start + n):
        committee = CommitteeFactory(community=CommunityFactory(township=world.township, name=f"新社区{i}"))
        unit = UnitFactory(community=committee.community)
        b.meeting(committee)
        b.vacancy(committee, opened_days_ago=i + 1)
        b.task(committee, unit, due=b.days(-1))
        b.shares(committee, {unit: D("100.00")}, actor=actor)


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_township_dashboard_runs_a_fixed_number_of_queries(
    world, township_user, secretary_user, login, django_assert_max_num_queries
):
    client = login(township_user)
    _grow_township(world, 1, secretary_user)  # 2 communities with data (+ the empty sibling)
    small = _queries(client, TOWNSHIP)
    _grow_township(world, 18, secretary_user)  # 20
    with django_assert_max_num_queries(small):
        client.get(TOWNSHIP)
    assert _queries(client, TOWNSHIP) == small <= 16


def _grow_committee(committee, unit, n, actor):
    start = Minutes.objects.count()
    for i in range(start, start + n):
        m = b.meeting(committee, title=f"会议{i}")
        Motion.objects.create(meeting=m, title=f"表决{i}", status=Motion.Status.OPEN)
        Minutes.objects.create(meeting=m, committee=committee, year=b.TODAY.year, number=100 + i)
        b.task(committee, unit, due=b.days(i % 10 - 3))
        b.pledge(committee, UnitFactory(community=committee.community), title=f"承诺{i}", actor=actor)


def test_secretary_dashboard_runs_a_fixed_number_of_queries(
    world, secretary_user, liaison_user, login, django_assert_max_num_queries
):
    client = login(secretary_user)
    _grow_committee(world.mine, world.unit, 2, liaison_user)
    small = _queries(client, SECRETARY)
    _grow_committee(world.mine, world.unit, 18, liaison_user)
    with django_assert_max_num_queries(small):
        client.get(SECRETARY)
    assert _queries(client, SECRETARY) == small <= 18


def test_liaison_dashboard_runs_a_fixed_number_of_queries(
    world, liaison_user, secretary_user, login, django_assert_max_num_queries
):
    client = login(liaison_user)
    rnd = b.scoring_round(world.county, released=True)
    b.score(rnd, world.unit, "90.00", "优秀")

    def grow(n):
        for i in range(n):
            b.pledge(world.mine, world.unit, title=f"承诺{i}", actor=liaison_user)
            b.task(world.mine, world.unit, due=b.days(i))

    grow(2)
    small = _queries(client, LIAISON)
    grow(18)
    with django_assert_max_num_queries(small):
        client.get(LIAISON)
    assert _queries(client, LIAISON) == small <= 24


def test_county_dashboard_runs_a_fixed_number_of_queries(world, county_user, login, django_assert_max_num_queries):
    client = login(county_user)
    rnd = b.scoring_round(world.county)

    def grow(n, start):
        for i in range(n):
            b.score(rnd, UnitFactory(community=world.mine.community, name=f"单位{start + i}"), f"{60 + i}.00", "合格")

    grow(2, 0)
    small = _queries(client, COUNTY)
    grow(18, 2)
    with django_assert_max_num_queries(small):
        client.get(COUNTY)
    assert _queries(client, COUNTY) == small <= 14


def test_admin_sees_every_community(world, admin_user, login):
    names = {r.community.name for r in login(admin_user).get(TOWNSHIP).context["dash"].rows}
    assert names == {"陵园社区", "东关社区", "河西社区", "外县社区"}


def test_county_reviewer_gets_the_township_view_of_the_county(world, county_user, login):
    response = login(county_user).get(TOWNSHIP)
    names = {r.community.name for r in response.context["dash"].rows}
    assert names == {"陵园社区", "东关社区", "河西社区"}
    assert reverse("committees:committee_create") not in response.content.decode()


def test_user_model_roles_are_the_ones_landed(db):
    assert {r for r, _ in User.Role.choices} >= {"township", "secretary", "liaison", "county"}
    assert UserFactory  # the factory is importable for the e2e journeys
