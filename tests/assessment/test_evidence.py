"""R21 item 2: suggested scores computed from what the portal knows, checked against
hand-computed fixtures (meetings, follow-up tasks, pledges, projects, dedication days,
in-service members, payments): exact points, exact text, the None case, the cap at 1, and a
fixed number of queries whatever the data size."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import evidence, services
from assessment.evidence import Suggestion, suggestions_for, suggestions_for_tasks
from assessment.models import EvidenceSource as S
from assessment.models import Indicator, ScoringTask
from assessment.rules import plain
from funding import services as funding
from meetings.models import Attendee
from tests.factories import PostFactory, UnitFactory

from . import evidence_factories as ef
from .factories import scheme_with_sheets

A = Attendee.Attendance
TODAY = datetime.date(2026, 1, 15)  # the year 2025 is over: everything due in it is past due
D = Decimal


def one(task, indicator, today=TODAY) -> Suggestion:
    return suggestions_for(task=task, indicators=[indicator], today=today)[indicator.pk]


@pytest.fixture
def task(world):
    return ef.task_for(world.unit)


# --- text and rounding ---------------------------------------------------------------------------


def test_r21_numbers_are_written_without_needless_zeros():
    assert [plain(D(x)) for x in ("7.50", "10.00", "0.00", "6.67", "100")] == [
        "7.5",
        "10",
        "0",
        "6.67",
        "100",
    ]
    assert evidence.money(D("1500")) == "1,500.00"


# --- attendance (R10) ----------------------------------------------------------------------------


@pytest.fixture
def meetings_2025(world):
    """world.unit: invited to 4 meetings held in 2025, attended 3 (present; absent member + delegate
    rep; via its member's post only); on leave at one. Not counted: a 2024 meeting, a cancelled
    and a notified (not held) 2025 meeting, a 2025 meeting only the sibling unit attended."""
    u, mine = world.unit, world.mine
    m1 = ef.held_meeting(mine, ef.day(3, 10))
    ef.invite(m1, u, A.PRESENT)
    ef.invite(m1, world.sibling_unit, A.ABSENT)
    m2 = ef.held_meeting(mine, ef.day(6, 10), status="minutes_approved")
    ef.invite(m2, u, A.ABSENT, role=Attendee.Role.MEMBER)
    ef.invite(m2, u, A.DELEGATE)
    ef.invite(ef.held_meeting(mine, ef.day(9, 10)), u, A.LEAVE)
    post = PostFactory(committee=mine, unit=u)
    ef.invite(ef.held_meeting(mine, ef.day(11, 10)), None, A.PRESENT, post=post, role=Attendee.Role.MEMBER)
    ef.invite(ef.held_meeting(mine, ef.day(12, 20, 2024)), u, A.PRESENT)
    cancelled = ef.held_meeting(mine, ef.day(4, 1), status="notified")
    ef.invite(cancelled, u, A.UNKNOWN)
    g = ef.held_meeting(mine, ef.day(8, 1))
    ef.invite(g, world.sibling_unit, A.PRESENT)


def test_r21_attendance_counts_held_meetings_of_the_year_the_unit_was_invited_to(task, meetings_2025):
    s = one(task, ef.leaf(task, S.ATTENDANCE, "10"))
    assert s == Suggestion(points=D("7.50"), text="参加会议 3/4 次 → 7.5/10 分")


def test_r21_attendance_of_another_unit_in_the_same_round(world, task, meetings_2025):
    sibling = ef.task_for(world.sibling_unit)
    ind = ef.leaf(task, S.ATTENDANCE, "10")
    found = suggestions_for_tasks(tasks=[task, sibling], indicators=[ind], today=TODAY)
    assert found[task.pk, ind.pk].text == "参加会议 3/4 次 → 7.5/10 分"
    assert found[sibling.pk, ind.pk] == Suggestion(points=D("5.00"), text="参加会议 1/2 次 → 5/10 分")


def test_r21_no_meeting_on_record_gives_no_points(task):
    s = one(task, ef.leaf(task, S.ATTENDANCE))
    assert s == Suggestion(points=None, text="本年度无会议记录，请人工评分")


# --- follow-up tasks (R13) -------------------------------------------------------------------------


@pytest.fixture
def tasks_2025(world, secretary_user):
    """world.unit's tasks due in 2025: on time (the day before), on time (the very day), late (closed
    5 days after), open and due 31 Dec. Not counted: a 2024 task, the sibling unit's task."""
    args = (secretary_user, world.mine)
    ef.followup_task(*args, world.unit, due_on=ef.day(3, 31), closed_on=ef.day(3, 30))
    ef.followup_task(*args, world.unit, due_on=ef.day(6, 30), closed_on=ef.day(6, 30))
    ef.followup_task(*args, world.unit, due_on=ef.day(9, 30), closed_on=ef.day(10, 5))
    ef.followup_task(*args, world.unit, due_on=ef.day(12, 31))
    ef.followup_task(*args, world.unit, due_on=ef.day(12, 1, 2024), closed_on=ef.day(11, 1, 2024))
    ef.followup_task(*args, world.sibling_unit, due_on=ef.day(6, 30), closed_on=ef.day(6, 1))


def test_r21_tasks_done_by_their_due_date(task, tasks_2025):
    ind = ef.leaf(task, S.TASKS_ON_TIME, "10")
    assert one(task, ind) == Suggestion(points=D("5.00"), text="按期完成任务 2/4 项 → 5/10 分")


def test_r21_an_open_task_not_yet_due_is_not_counted(task, tasks_2025):
    ind = ef.leaf(task, S.TASKS_ON_TIME, "10")
    s = one(task, ind, today=ef.day(12, 20))
    assert s == Suggestion(points=D("6.67"), text="按期完成任务 2/3 项 → 6.67/10 分")


def test_r21_no_task_due_gives_no_points(task):
    s = one(task, ef.leaf(task, S.TASKS_ON_TIME))
    assert s == Suggestion(points=None, text="本年度无到期的督办任务，请人工评分")


# --- pledges (R17) ---------------------------------------------------------------------------------


def test_r21_pledges_fulfilled_of_those_accepted(task, liaison_user, secretary_user):
    ef.pledge(liaison_user, secretary_user, status="fulfilled")
    ef.pledge(liaison_user, secretary_user, status="accepted")
    ef.pledge(liaison_user, secretary_user, status="draft")  # not accepted: not counted
    ef.pledge(liaison_user, secretary_user, status="fulfilled", year=2024)  # another year
    ind = ef.leaf(task, S.PLEDGES_FULFILLED, "8")
    assert one(task, ind) == Suggestion(points=D("4.00"), text="兑现承诺 1/2 项 → 4/8 分")


def test_r21_no_accepted_pledge_gives_no_points(task, liaison_user, secretary_user):
    ef.pledge(liaison_user, secretary_user, status="draft")
    s = one(task, ef.leaf(task, S.PLEDGES_FULFILLED))
    assert s == Suggestion(points=None, text="本年度无已接受的共建承诺，请人工评分")


# --- projects (R17) --------------------------------------------------------------------------------


def test_r21_projects_completed_of_those_claimed(world, task, secretary_user):
    args = (world.mine, world.unit, secretary_user)
    ef.claim(*args, claim_by=ef.day(3, 1), deadline=ef.day(6, 30), completed=True)
    ef.claim(*args, claim_by=ef.day(4, 1), deadline=ef.day(9, 30))  # past due, not completed
    ef.claim(*args, claim_by=ef.day(10, 1), deadline=ef.day(3, 31, 2026))  # in progress, not yet due
    ef.claim(*args, claim_by=ef.day(5, 1), deadline=ef.day(8, 1), project_status="cancelled")
    ef.claim(*args, claim_by=ef.day(5, 1, 2024), deadline=ef.day(8, 1, 2024), completed=True)  # 2024
    ef.claim(world.mine, world.sibling_unit, secretary_user, claim_by=ef.day(3, 1), deadline=ef.day(6, 30))
    ind = ef.leaf(task, S.PROJECTS_COMPLETED, "6")
    assert one(task, ind) == Suggestion(points=D("3.00"), text="完成认领项目 1/2 个 → 3/6 分")
    # once the third deadline has passed it counts too (1/3 of 6 = 2)
    later = one(task, ind, today=ef.day(4, 1, 2026))
    assert later == Suggestion(points=D("2.00"), text="完成认领项目 1/3 个 → 2/6 分")


def test_r21_a_withdrawn_claim_is_not_counted_as_failed(world, task, secretary_user):
    """R17: a claim given back (withdrawn) freed its place; it neither completes nor fails."""
    args = (world.mine, world.unit, secretary_user)
    ef.claim(*args, claim_by=ef.day(3, 1), deadline=ef.day(6, 30), completed=True)
    withdrawn = ef.claim(*args, claim_by=ef.day(4, 1), deadline=ef.day(9, 30))
    withdrawn.status, withdrawn.place_no, withdrawn.withdraw_reason = "withdrawn", None, "人手不足"
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["status", "place_no", "withdraw_reason", "withdrawn_at"])
    ind = ef.leaf(task, S.PROJECTS_COMPLETED, "6")
    assert one(task, ind) == Suggestion(points=D("6.00"), text="完成认领项目 1/1 个 → 6/6 分")


def test_r21_no_claim_gives_no_points(task):
    s = one(task, ef.leaf(task, S.PROJECTS_COMPLETED))
    assert s == Suggestion(points=None, text="本年度无认领项目，请人工评分")


# --- dedication days (R18) ---------------------------------------------------------------------------


def test_r21_dedication_days_taken_part_in_of_those_held(world, task, secretary_user):
    first = ef.dedication_day(world.mine, ef.day(4, 20), 1)
    ef.dedication_day(world.mine, ef.day(10, 20), 2)
    ef.took_part(first, world.unit, secretary_user)
    ef.took_part(first, world.sibling_unit, secretary_user)
    last_year = ef.dedication_day(world.mine, ef.day(10, 20, 2024), 2)
    ef.took_part(last_year, world.unit, secretary_user)
    ef.dedication_day(world.sibling, ef.day(5, 1), 1)  # another community's day
    ind = ef.leaf(task, S.DEDICATION_DAYS, "5")
    assert one(task, ind) == Suggestion(points=D("2.50"), text="参加党员奉献日 1/2 次 → 2.5/5 分")
    # before the second day is held only the first counts: 1/1
    assert one(task, ind, today=ef.day(6, 1)) == Suggestion(points=D("5.00"), text="参加党员奉献日 1/1 次 → 5/5 分")


def test_r21_no_dedication_day_held_gives_no_points(task):
    s = one(task, ef.leaf(task, S.DEDICATION_DAYS))
    assert s == Suggestion(points=None, text="本年度尚未举办党员奉献日，请人工评分")


# --- in-service members (R20) ----------------------------------------------------------------------


def test_r21_in_service_members_reported_of_the_ledger(world, task):
    world.unit.members_in_service = 10
    world.unit.save(update_fields=["members_in_service"])
    ef.members(world.unit, 8)
    ef.members(world.unit, 1, is_active=False)  # left the roll
    ef.members(world.unit, 2, reported_on=ef.day(1, 10, 2026))  # reported after the year
    ef.members(world.sibling_unit, 3)
    ind = ef.leaf(task, S.IN_SERVICE_MEMBERS, "10")
    assert one(task, ind) == Suggestion(points=D("8.00"), text="在职党员报到 8/10 人 → 8/10 分")


def test_r21_in_service_ratio_is_capped_at_1(world, task):
    world.unit.members_in_service = 10
    world.unit.save(update_fields=["members_in_service"])
    ef.members(world.unit, 12)
    ind = ef.leaf(task, S.IN_SERVICE_MEMBERS, "10")
    assert one(task, ind) == Suggestion(points=D("10.00"), text="在职党员报到 12/10 人 → 10/10 分")


def test_r21_in_service_without_ledger_figure_gives_no_points(world, task):
    ef.members(world.unit, 2)  # the ledger says 0
    s = one(task, ef.leaf(task, S.IN_SERVICE_MEMBERS))
    assert s == Suggestion(points=None, text="单位台账未填在职党员数，请人工评分")


# --- dues (R23) --------------------------------------------------------------------------------------


def test_r21_dues_paid_by_the_due_date(world, task, secretary_user):
    plan = ef.active_plan(secretary_user, world.mine, {world.unit: "2000.00", world.sibling_unit: "1000.00"})
    ef.pay(secretary_user, plan, world.unit, "1000.00", ef.day(2, 1))
    ef.pay(secretary_user, plan, world.unit, "500.00", ef.day(3, 31))  # on the very day
    ef.pay(secretary_user, plan, world.unit, "500.00", ef.day(4, 1))  # a day late
    ef.pay(secretary_user, plan, world.sibling_unit, "1000.00", ef.day(1, 5))
    ind = ef.leaf(task, S.DUES_ON_TIME, "10")
    assert one(task, ind) == Suggestion(points=D("7.50"), text="按时缴纳 1,500.00/2,000.00 元 → 7.5/10 分")


def test_r21_a_refund_counts_against_the_payment_it_returns(world, task, secretary_user):
    plan = ef.active_plan(secretary_user, world.mine, {world.unit: "2000.00"})
    wrong = ef.pay(secretary_user, plan, world.unit, "2000.00", ef.day(3, 1))
    funding.payment_refund(actor=secretary_user, payment=wrong, amount=D("1200.00"), paid_on=ef.day(5, 1))
    ind = ef.leaf(task, S.DUES_ON_TIME, "10")
    assert one(task, ind) == Suggestion(points=D("4.00"), text="按时缴纳 800.00/2,000.00 元 → 4/10 分")


def test_r21_overpaying_is_capped_at_the_share(world, task, secretary_user):
    plan = ef.active_plan(secretary_user, world.mine, {world.unit: "2000.00"})
    ef.pay(secretary_user, plan, world.unit, "2500.00", ef.day(3, 1))
    ind = ef.leaf(task, S.DUES_ON_TIME, "10")
    assert one(task, ind) == Suggestion(points=D("10.00"), text="按时缴纳 2,000.00/2,000.00 元 → 10/10 分")


def test_r21_no_share_gives_no_points(world, task, secretary_user):
    ef.active_plan(secretary_user, world.mine, {world.sibling_unit: "1000.00"})
    s = one(task, ef.leaf(task, S.DUES_ON_TIME))
    assert s == Suggestion(points=None, text="本年度无该单位的出资分摊，请人工评分")


# --- which indicators ------------------------------------------------------------------------------


def test_r21_only_leaves_with_a_source_get_a_suggestion(task, meetings_2025):
    with_source = ef.leaf(task, S.ATTENDANCE, "10")
    manual = Indicator.objects.create(sheet=task.sheet, title="人工", kind="leaf", max_points=D("5"))
    bonus = ef.leaf(task, S.ATTENDANCE, "2", kind="bonus")
    found = suggestions_for(task=task, indicators=[with_source, manual, bonus], today=TODAY)
    assert list(found) == [with_source.pk]


def test_r21_a_task_without_its_round_loaded_is_found_too(task, meetings_2025):
    ind = ef.leaf(task, S.ATTENDANCE, "10")
    fresh = ScoringTask.objects.get(pk=task.pk)  # round not loaded: one extra query, not one per task
    assert suggestions_for(task=fresh, indicators=[ind], today=TODAY)[ind.pk].points == D("7.50")


# --- fixed number of queries ---------------------------------------------------------------------------


def grow(world, secretary_user, liaison_user, n: int):
    """n of each kind of record for world.unit in 2025 (and one share plan with n payments)."""
    for i in range(n):
        m = ef.held_meeting(world.mine, ef.day(1 + i % 12, 1 + i % 28))
        ef.invite(m, world.unit, A.PRESENT if i % 2 else A.ABSENT)
        ef.followup_task(secretary_user, world.mine, world.unit, due_on=ef.day(6, 30), closed_on=ef.day(6, 1))
        ef.pledge(liaison_user, secretary_user, status="accepted")
        ef.claim(world.mine, world.unit, secretary_user, claim_by=ef.day(3, 1), deadline=ef.day(6, 30))
    ef.members(world.unit, n)
    for seq, month in ((1, 4), (2, 10)):
        ef.took_part(ef.dedication_day(world.mine, ef.day(month, 1), seq), world.unit, secretary_user)
    plan = ef.active_plan(secretary_user, world.mine, {world.unit: "10000.00"})
    for i in range(n):
        ef.pay(secretary_user, plan, world.unit, "10.00", ef.day(2, 1 + i % 28))


@pytest.mark.parametrize("n", [2, 20])
def test_r21_one_query_per_source_whatever_the_data_size(
    world, task, secretary_user, liaison_user, django_assert_num_queries, n
):
    grow(world, secretary_user, liaison_user, n)
    indicators = [ef.leaf(task, source, "10") for source in S.values]
    task = ScoringTask.objects.select_related("round").get(pk=task.pk)
    with django_assert_num_queries(len(S.values)):
        found = suggestions_for(task=task, indicators=indicators, today=TODAY)
    assert len(found) == len(S.values)
    assert found[indicators[0].pk].text == f"参加会议 {n // 2}/{n} 次 → 5/10 分"


@pytest.mark.parametrize("n_units", [2, 20])
def test_r21_a_whole_round_in_one_query_per_source(world, meetings_2025, django_assert_num_queries, n_units):
    tasks = [ef.task_for(world.unit)] + [
        ef.task_for(UnitFactory(community=world.mine.community)) for _ in range(n_units)
    ]
    indicators = [ef.leaf(tasks[0], source, "10") for source in S.values]
    tasks = list(ScoringTask.objects.select_related("round").filter(pk__in=[t.pk for t in tasks]))
    with django_assert_num_queries(len(S.values)):
        found = suggestions_for_tasks(tasks=tasks, indicators=indicators, today=TODAY)
    assert len(found) == len(tasks) * len(S.values)


# --- the scheme: form, new version, detail page --------------------------------------------------------


@pytest.fixture
def county(world):
    return world.county


def test_r21_new_version_copies_the_data_source(admin_user, county):
    scheme = scheme_with_sheets(admin_user, county)
    leaf = Indicator.objects.get(sheet__scheme=scheme, title="参加会议")
    services.indicator_update(actor=admin_user, indicator=leaf, evidence_source=S.ATTENDANCE)
    scheme = services.scheme_publish(actor=admin_user, scheme=scheme)
    copy = services.scheme_new_version(actor=admin_user, scheme=scheme)
    assert Indicator.objects.get(sheet__scheme=copy, title="参加会议").evidence_source == "attendance"
    assert Indicator.objects.get(sheet__scheme=copy, title="认领项目").evidence_source == ""


def test_r21_indicator_form_sets_the_source_and_detail_shows_it(login, admin_user, county):
    scheme = scheme_with_sheets(admin_user, county)
    sheet = scheme.sheets.get(kind="units")
    client = login(admin_user)
    post = {"title": "按时缴纳共建经费", "kind": "leaf", "max_points": "10", "evidence_source": "dues_on_time"}
    response = client.post(reverse("assessment:indicator_create", args=[sheet.pk]), post)
    assert response.status_code == 302
    assert Indicator.objects.get(title="按时缴纳共建经费").evidence_source == "dues_on_time"
    page = client.get(scheme.get_absolute_url()).content.decode()
    assert "数据来源" in page and "按时足额缴纳共建经费" in page and "人工评分" in page
    # editing shows the current source selected
    ind = Indicator.objects.get(title="按时缴纳共建经费")
    edit = client.get(reverse("assessment:indicator_update", args=[ind.pk])).content.decode()
    assert 'value="dues_on_time" selected' in edit


def test_r21_only_a_leaf_may_have_a_source(login, admin_user, county):
    scheme = scheme_with_sheets(admin_user, county)
    sheet = scheme.sheets.get(kind="units")
    client = login(admin_user)
    post = {"title": "分组甲", "kind": "group", "max_points": "0", "evidence_source": "attendance"}
    response = client.post(reverse("assessment:indicator_create", args=[sheet.pk]), post)
    assert response.status_code == 200
    assert "只有评分项可以设置数据来源。" in response.content.decode()
    assert not Indicator.objects.filter(title="分组甲").exists()
