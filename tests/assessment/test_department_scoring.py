"""R21 double hundred points for the functional departments (职能部门): each scoring round gives
every active department of its county's list a task on the scheme's "departments" sheet; the
two bodies' named scorers score it like a unit's, it is reviewed and finalised; the county's
ranking shows the departments in their own group."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessment import departments, scoring
from assessment.models import RoundScorer, ScoringTask
from tests.factories import CountyFactory

from .scoring_factories import county_scorer, finalised, full_marks, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def minzheng(admin_user, world):
    return departments.department_create(actor=admin_user, county=world.county, name="县民政局", duties="社区治理")


@pytest.fixture
def zhujian(admin_user, world):
    return departments.department_create(
        actor=admin_user, county=world.county, name="县住建局", duties="老旧小区改造", is_active=False
    )


@pytest.fixture
def zzb(world):
    return county_scorer(world)


@pytest.fixture
def rnd(admin_user, world, zzb, minzheng, zhujian, secretary_user):
    departments.department_create(actor=admin_user, county=CountyFactory(name="第二县"), name="县教育局", duties="教育")
    rnd = make_round(admin_user, world, county_scorers=[zzb])
    scoring.round_scorer_add(actor=admin_user, round=rnd, user=secretary_user, body=RoundScorer.Body.COMMITTEE)
    return rnd


@pytest.fixture
def dept_task(rnd, minzheng):
    return ScoringTask.objects.get(round=rnd, department=minzheng)


def test_r21_a_round_gives_each_active_department_of_its_county_a_task(admin_user, rnd, minzheng, zhujian):
    tasks = list(ScoringTask.objects.filter(round=rnd, department__isnull=False))
    assert [t.department for t in tasks] == [minzheng]
    assert tasks[0].unit_id is None
    assert tasks[0].sheet.kind == "departments" and tasks[0].sheet.scheme_id == rnd.scheme_id
    # the units still get theirs
    assert ScoringTask.objects.filter(round=rnd, unit__isnull=False).count() > 0
    # idempotent; a department put back on the list gets its task at the next sync
    assert scoring.round_tasks_generate(actor=admin_user, round=rnd) == 0
    departments.department_update(actor=admin_user, department=zhujian, is_active=True)
    assert scoring.round_tasks_generate(actor=admin_user, round=rnd) == 1
    assert ScoringTask.objects.filter(round=rnd, department=zhujian).count() == 1


def test_r21_a_task_scores_exactly_one_unit_or_department(rnd, dept_task, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringTask.objects.filter(pk=dept_task.pk).update(unit=world.unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringTask.objects.filter(pk=dept_task.pk).update(department=None)
    dept_task.refresh_from_db()
    assert (dept_task.unit_id, dept_task.department.name) == (None, "县民政局")


def test_r21_a_department_is_scored_reviewed_and_finalised_like_a_unit(admin_user, zzb, secretary_user, dept_task):
    task = finalised(dept_task, committee=secretary_user, county=zzb, admin=admin_user, committee_minus=10)
    assert task.status == ScoringTask.Status.FINALISED
    assert (task.committee_total, task.county_total, task.final_score) == (
        Decimal("90.00"),
        Decimal("100.00"),
        Decimal("95.00"),
    )
    assert task.grade == "优秀" and task.converted == Decimal("19.00")
    assert task.history.first().history_change_reason == "定分"


def test_r21_only_named_scorers_score_a_department(
    admin_user, township_user, county_user, dept_task, secretary_user, world
):
    # township staff and an unnamed county reviewer have no department to score
    for user in (township_user, county_user):
        with pytest.raises(PermissionDenied):
            scoring.scoresheet_save(actor=user, task=dept_task, scores=full_marks(dept_task), submit=True)
    assert not dept_task.scoresheets.exists()
    # nobody is recused from a department (no account belongs to one)
    scoring.scoresheet_save(actor=secretary_user, task=dept_task, scores=full_marks(dept_task))
    assert dept_task.scoresheets.get().body == "committee"


def test_r21_release_waits_for_the_departments(admin_user, zzb, secretary_user, rnd, dept_task):
    for task in ScoringTask.objects.filter(round=rnd, unit__isnull=False):
        ScoringTask.objects.filter(pk=task.pk).update(
            status="finalised", final_score=90, grade="良好", converted=18, finalised_at=task.created_at
        )
    with pytest.raises(Exception, match="尚有 1 个单位未定分"):
        scoring.round_release(actor=admin_user, round=rnd)
    finalised(dept_task, committee=secretary_user, county=zzb, admin=admin_user)
    scoring.round_release(actor=admin_user, round=rnd)  # no liaison to notify for a department: no error
    rnd.refresh_from_db()
    assert rnd.is_released


def test_r21_department_tasks_are_read_by_the_county_and_the_named_scorers(
    login, rnd, dept_task, county_user, township_user, secretary_user, liaison_user
):
    url = reverse("assessment:task_detail", args=[dept_task.pk])
    assert login(county_user).get(url).status_code == 200
    page = login(secretary_user).get(url)  # named for the committee
    assert page.status_code == 200 and "县民政局" in page.content.decode() and "职能部门" in page.content.decode()
    assert login(township_user).get(url).status_code == 404
    assert login(liaison_user).get(url).status_code == 404


def test_r21_county_ranking_shows_departments_in_their_own_group_in_fixed_queries(
    login, admin_user, zzb, secretary_user, rnd, dept_task, county_user, world, django_assert_max_num_queries
):
    finalised(dept_task, committee=secretary_user, county=zzb, admin=admin_user)
    unit_task = ScoringTask.objects.get(round=rnd, unit=world.other_unit)
    finalised(unit_task, committee=secretary_user, county=zzb, admin=admin_user, county_minus=20)
    client = login(county_user)
    query = {"year": rnd.year, "scope": "county", "id": world.county.pk}
    with django_assert_max_num_queries(14):
        response = client.get(reverse("assessment:ranking"), query)
    assert response.status_code == 200
    assert [r["unit_name"] for r in response.context["rows"]] == [world.other_unit.name]
    assert [(r["rank"], r["department_name"]) for r in response.context["departments"]] == [(1, "县民政局")]
    assert response.context["departments_pending"] == 0
    html = response.content.decode()
    assert "职能部门排名" in html and "县民政局" in html
    # a township's ranking holds its units only
    response = client.get(reverse("assessment:ranking"), {**query, "scope": "township", "id": world.township.pk})
    assert response.status_code == 200 and "职能部门排名" not in response.content.decode()
    assert response.context["departments"] == []


def test_r21_a_department_member_is_recused_from_its_task(admin_user, world, rnd, dept_task, minzheng):
    from accounts.models import User
    from tests.factories import UserFactory

    staff = UserFactory(username="mz_staff", role=User.Role.COUNTY, county=world.county, full_name="民政局干部")
    scoring.round_scorer_add(actor=admin_user, round=rnd, user=staff, body=RoundScorer.Body.COUNTY)
    departments.department_update(actor=admin_user, department=minzheng, members=[staff])
    assert list(minzheng.members.all()) == [staff]
    with pytest.raises(PermissionDenied, match="回避"):
        scoring.scoresheet_save(actor=staff, task=dept_task, scores=full_marks(dept_task))
    assert not dept_task.scoresheets.exists()
    # the unit tasks are not theirs to avoid
    unit_task = ScoringTask.objects.get(round=rnd, unit=world.unit)
    scoring.scoresheet_save(actor=staff, task=unit_task, scores=full_marks(unit_task))
    assert unit_task.scoresheets.get().body == "county"


def test_r21_a_department_member_is_a_county_account_of_its_county(admin_user, minzheng, township_user):
    from tests.factories import UserFactory

    outsider = UserFactory(username="other_county", role="county", county=CountyFactory(name="第三县"))
    for user in (township_user, outsider):
        with pytest.raises(Exception, match="不是本县（区）的县级账号"):
            departments.department_update(actor=admin_user, department=minzheng, members=[user])
    assert not minzheng.members.exists()
