"""Objects for the R21 scoring tests: a published scheme with leaves, bonuses and a deduction, a
round over the world's county, and helpers that score a task through the services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from assessment import scoring, services
from assessment.models import Indicator, ScoringTask
from tests.assessment.factories import scheme_with_sheets
from tests.factories import UserFactory


def published_scheme(actor, county, *, year=None):
    """Units sheet: 组织共建 (参加会议 40, 认领项目 60), bonuses 获上级表彰 (1, limit 3) and
    志愿服务 (5, limit 2), deduction 违反共建协议 (5, limit 3); departments: 履行共建职责 100."""
    year = year or timezone.localdate().year
    scheme = scheme_with_sheets(actor, county, year=year)
    units = scheme.sheets.get(kind="units")
    services.indicator_create(
        actor=actor, sheet=units, title="志愿服务", kind="bonus", max_points=Decimal("5"), limit=Decimal("2")
    )
    services.indicator_create(
        actor=actor, sheet=units, title="违反共建协议", kind="deduction", max_points=Decimal("5"), limit=Decimal("3")
    )
    return services.scheme_publish(actor=actor, scheme=scheme)


def county_scorer(world, username="zuzhibu"):
    return UserFactory(username=username, role=User.Role.COUNTY, county=world.county, full_name="组织部评分人")


def make_round(actor, world, *, county_scorers=(), combination="average", weight=Decimal("0.50"), deadline=None):
    scheme = published_scheme(actor, world.county)
    return scoring.round_create(
        actor=actor,
        scheme=scheme,
        title="双百分联合评分",
        self_report_deadline=deadline or timezone.localdate() + datetime.timedelta(days=30),
        combination=combination,
        committee_weight=weight,
        county_scorers=county_scorers,
    )


def indicators(task) -> dict[str, Indicator]:
    return {i.title: i for i in Indicator.objects.filter(sheet=task.sheet).exclude(kind="group")}


def scores_for(task, **by_title) -> dict:
    """{indicator id: (points, "")} — unnamed items get 0."""
    return {i.pk: (Decimal(str(by_title.get(t, 0))), "") for t, i in indicators(task).items()}


def full_marks(task, minus=0) -> dict:
    """Leaves at their maximum (the first leaf ``minus`` less), no bonus, no deduction."""
    out = {}
    first = True
    for indicator in indicators(task).values():
        points = indicator.max_points if indicator.kind == "leaf" else Decimal("0")
        if indicator.kind == "leaf" and first:
            points -= Decimal(str(minus))
            first = False
        out[indicator.pk] = (points, "")
    return out


def submit_both(task, *, committee, county, committee_scores, county_scores) -> ScoringTask:
    scoring.scoresheet_save(actor=committee, task=task, scores=committee_scores, submit=True)
    scoring.scoresheet_save(actor=county, task=task, scores=county_scores, submit=True)
    task.refresh_from_db()
    return task


def finalised(task, *, committee, county, admin, committee_minus=0, county_minus=0) -> ScoringTask:
    submit_both(
        task,
        committee=committee,
        county=county,
        committee_scores=full_marks(task, committee_minus),
        county_scores=full_marks(task, county_minus),
    )
    scoring.task_review(actor=admin, task=task)
    return scoring.task_finalise(actor=admin, task=task)
