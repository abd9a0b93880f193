"""Reads of the R21 scoring rounds, scoped to the user.

Who sees a unit's scoring task: the administrator all; county reviewers every task of their
county; township staff their township's; secretaries their community's; a liaison only their own
unit's task — its self-report always, its scores only once the round's results are released.

Who scores (R21): the committee's body is the unit's community's secretary, the unit's township's
staff, or a user named for the committee; the county organisation department's body is only the
users named for it (a county reviewer who is not named only reads). Nobody scores or reviews
the task of a unit they belong to (recusal).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from committees.models import Post
from common.permissions import role_of, scope_q

from .models import Indicator, Round, RoundScorer, ScoreLine, ScoreSheet, ScoringTask, TaskEvidence
from .selectors import user_county_id

BODIES = (RoundScorer.Body.COMMITTEE, RoundScorer.Body.COUNTY)


def task_visible_q(user) -> Q:
    """The ScoringTask rows ``user`` may see (liaisons: their own unit's). A functional
    department's task (R21) has no community: the administrator sees it, the county reviewers of
    its county, and whoever is named a scorer of its round."""
    q = scope_q(user, ScoringTask)
    role = role_of(user)
    if role in ("admin", "liaison") or not user.is_authenticated:
        return q
    departments = Q(department__isnull=False)
    if role == "county":
        departments &= Q(department__county_id=user.county_id)
    else:
        departments &= Q(round_id__in=RoundScorer.objects.filter(user=user).values("round_id"))
    return q | departments


def task_scores_visible_q(user) -> Q:
    """The ScoringTask rows whose scores ``user`` may read: a liaison only after release."""
    q = task_visible_q(user)
    if role_of(user) == "liaison":
        q &= Q(round__released_at__isnull=False)
    return q


def scores_visible(user, task: ScoringTask) -> bool:
    """R21: a liaison sees their own sheet only once the round's results are released (the task
    is already known to be visible to ``user``)."""
    return role_of(user) != "liaison" or task.round.is_released


def task_list(*, user) -> QuerySet[ScoringTask]:
    return ScoringTask.objects.filter(task_visible_q(user)).select_related(
        "round", "unit__community__township", "sheet"
    )


# --- rounds -------------------------------------------------------------------------------------


def round_list(*, user) -> QuerySet[Round]:
    """The administrator sees every round; everyone else the rounds of their county (a liaison
    only those holding a task of their unit)."""
    rounds = Round.objects.select_related("scheme", "county").annotate(
        task_count=Count("tasks", distinct=True),
        finalised_count=Count("tasks", filter=Q(tasks__status=ScoringTask.Status.FINALISED), distinct=True),
    )
    role = role_of(user)
    if role == "admin":
        return rounds
    if role == "liaison":
        return rounds.filter(tasks__unit_id=user.unit_id)
    county_id = user_county_id(user)
    if county_id is None:
        return rounds.none()
    return rounds.filter(county_id=county_id)


def round_get(*, user, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.select_related("scheme", "county", "released_by").filter(
            pk__in=round_list(user=user).values("pk")
        ),
        pk=pk,
    )


def round_tasks(*, user, round: Round) -> QuerySet[ScoringTask]:
    return (
        task_list(user=user)
        .filter(round=round)
        .select_related("unit__community__township", "department")
        .order_by(
            F("department__order").asc(nulls_first=True),  # R21: the units first, then the departments
            "department__name",
            "unit__community__township__name",
            "unit__community__name",
            "unit__name",
            "pk",
        )
    )


def awaiting_me(*, user, round: Round) -> QuerySet[ScoringTask]:
    """R21: the tasks of ``round`` a named scorer still has to score for their body: not final,
    and no sheet of that body submitted yet (none for a user who is not named in the round)."""
    body = named_body(user, round)
    if not body:
        return ScoringTask.objects.none()
    submitted = ScoreSheet.objects.filter(task=OuterRef("pk"), body=body, status=ScoreSheet.Status.SUBMITTED)
    return round_tasks(user=user, round=round).exclude(status=ScoringTask.Status.FINALISED).exclude(Exists(submitted))


def round_progress(tasks: QuerySet[ScoringTask]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in one query."""
    counts = dict(tasks.order_by().values_list("status").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in ScoringTask.Status.choices]


def liaison_tasks(*, user) -> QuerySet[ScoringTask]:
    return task_list(user=user).order_by("-round__year")


# --- one task -----------------------------------------------------------------------------------


def task_get(*, user, pk: int) -> ScoringTask:
    """The task if ``user`` may see it, else 404."""
    return get_object_or_404(
        task_list(user=user).select_related(
            "round__scheme", "round__county", "reviewed_by", "finalised_by", "unit__community__township", "department"
        ),
        pk=pk,
    )


def evidence_get(*, user, pk: int) -> TaskEvidence:
    return get_object_or_404(
        TaskEvidence.objects.select_related("task__round", "task__unit").filter(scope_q(user, TaskEvidence)), pk=pk
    )


def is_recused(user, task: ScoringTask) -> bool:
    """R21 recusal: the user belongs to the task's unit (their account's unit, or a post on the
    committee held for that unit). A functional department's task: the county accounts recorded
    as the department's people (``FunctionalDepartment.members``)."""
    if task.unit_id is None:
        return task.department.members.filter(pk=user.pk).exists()
    if user.unit_id is not None and user.unit_id == task.unit_id:
        return True
    return (
        Post.objects.filter(user=user, unit_id=task.unit_id)
        .exclude(status__in=[Post.Status.ENDED, Post.Status.REJECTED])
        .exists()
    )


def named_body(user, round: Round) -> str | None:
    return RoundScorer.objects.filter(round=round, user=user).values_list("body", flat=True).first()


def scorer_body_for(user, task: ScoringTask) -> str | None:
    """The body (committee/county) ``user`` scores ``task`` for, or None (R21). A county user's
    right to score comes from being named (RoundScorer), never from the role; recused users
    (see :func:`is_recused`) score nothing."""
    if not user.is_authenticated or is_recused(user, task):
        return None
    named = named_body(user, task.round)
    if named:
        return named
    role = role_of(user)
    unit = task.unit
    if unit is None:  # R21: a functional department is scored by the named scorers only
        return None
    if role == "secretary" and user.community_id == unit.community_id:
        return RoundScorer.Body.COMMITTEE
    if role == "township" and user.township_id == unit.community.township_id:
        return RoundScorer.Body.COMMITTEE
    return None


def may_review(user, task: ScoringTask) -> bool:
    """R21 审核: the administrator, a named county scorer, or the unit's township staff."""
    if not user.is_authenticated or is_recused(user, task):
        return False
    role = role_of(user)
    if role == "admin":
        return True
    if role == "township" and task.unit_id is not None and user.township_id == task.unit.community.township_id:
        return True
    return named_body(user, task.round) == RoundScorer.Body.COUNTY


def may_finalise(user, task: ScoringTask) -> bool:
    """R21 定分 (and 更正): the administrator or a named county scorer."""
    if not user.is_authenticated or is_recused(user, task):
        return False
    return role_of(user) == "admin" or named_body(user, task.round) == RoundScorer.Body.COUNTY


def may_self_report(user, task: ScoringTask) -> bool:
    """The unit's liaison (and the administrator) write the self-report and attach evidence."""
    role = role_of(user)
    return role == "admin" or (role == "liaison" and user.unit_id == task.unit_id)


def may_manage_rounds(user) -> bool:
    return role_of(user) == "admin"


# --- the sheet side by side ---------------------------------------------------------------------


@dataclass
class Row:
    indicator: Indicator
    depth: int
    lines: dict = field(default_factory=dict)  # body → ScoreLine
    suggestion: object = None

    @property
    def is_group(self) -> bool:
        return self.indicator.kind == Indicator.Kind.GROUP

    def line_for(self, body):
        return self.lines.get(body)

    @property
    def committee(self):
        return self.lines.get(RoundScorer.Body.COMMITTEE)

    @property
    def county(self):
        return self.lines.get(RoundScorer.Body.COUNTY)


def sheet_indicators(sheet) -> list[Indicator]:
    return list(Indicator.objects.filter(sheet=sheet).order_by("order", "pk"))


def indicator_rows(indicators: list[Indicator]) -> list[Row]:
    """The indicator tree flattened depth-first; a group carries the sum of its children."""
    children: dict = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    rows: list[Row] = []

    def walk(parent_id, depth):
        for indicator in children.get(parent_id, []):
            kids = children.get(indicator.pk, [])
            indicator.children_sum = sum((k.max_points for k in kids), Decimal("0"))
            rows.append(Row(indicator=indicator, depth=depth))
            walk(indicator.pk, depth + 1)

    walk(None, 0)
    return rows


def task_scoresheets(task: ScoringTask) -> dict[str, ScoreSheet]:
    """{body: ScoreSheet} with their lines (two queries)."""
    sheets = (
        ScoreSheet.objects.filter(task=task)
        .select_related("scorer")
        .prefetch_related(Prefetch("lines", queryset=ScoreLine.objects.order_by("indicator__order", "indicator__pk")))
    )
    return {s.body: s for s in sheets}


def task_rows(task: ScoringTask, scoresheets: dict[str, ScoreSheet], suggestions: dict) -> list[Row]:
    rows = indicator_rows(sheet_indicators(task.sheet))
    by_indicator: dict = {}
    for body, sheet in scoresheets.items():
        for line in sheet.lines.all():
            by_indicator.setdefault(line.indicator_id, {})[body] = line
    for row in rows:
        row.lines = by_indicator.get(row.indicator.pk, {})
        row.suggestion = suggestions.get(row.indicator.pk)
    return rows
