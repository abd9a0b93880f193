"""R21 item 2: suggested scores from what the portal already knows (meetings attended, tasks
done on time, pledges fulfilled, projects completed, dedication days, in-service members,
contributions paid on time), each with its calculation written out
("参加会议 3/4 次 → 7.5/10 分"). A scorer may override a suggestion with a reason.

Contract used by the scoring pages: :func:`suggestions_for` returns a suggestion for every leaf
among ``indicators`` whose ``evidence_source`` is set, in a fixed number of queries;
:func:`suggestions_for_tasks` does the same for many units at once (a round pre-filling every
unit), with grouped aggregates: one query per source used (and per round year), whatever the
number of units, meetings, tasks, pledges, projects, days, members or payments.

For a unit U and a year Y (the round's year) each source is a ratio ``done / base``; the points
are ``max_points × ratio`` with the ratio capped to [0, 1], to 0.01 (``rules.quantise``). When
``base`` is 0 nothing is on record: the points are None and the text says to score by hand.

- ``attendance`` (R10, R21): the meetings of U's community's committee held in Y (status held or
  minutes approved, ``held_on`` in Y) to which U's people were invited (an Attendee row whose
  unit, or whose post's unit, is U); attended when one of them is recorded present or
  represented by a delegate (委托出席). Leave and absence count as not attended.
- ``tasks_on_time`` (R13, R21): the follow-up tasks with U responsible and a due date in Y,
  done on or before the due date / all of them. An open task not yet past its due date is not
  counted (it may still be done on time); a task closed after its due date counts as late.
- ``pledges_fulfilled`` (R17, R21): U's pledges of Y accepted by the community (accepted or
  fulfilled), fulfilled / accepted.
- ``projects_completed`` (R17, R21): U's claims of projects whose claiming closed in Y (the
  year the co-building overview counts them in), cancelled projects left out; completed /
  claimed. A claim not completed whose project deadline is still ahead is not counted.
- ``dedication_days`` (R18, R21): the dedication days of U's community of Y already held (on or
  before today), those U recorded participation in / held.
- ``in_service_members`` (R20, R21): U's in-service party members active in the portal and
  reported by the end of Y / the ledger's ``Unit.members_in_service`` (capped at 1; a ledger
  of 0 leaves the score to the scorer).
- ``dues_on_time`` (R23, R21): U's share in the active share plan(s) of Y's fiscal year(s),
  paid by the plan's due date / the amount due. A refund counts against the payment it
  returns, so an on-time payment refunded later is not on time.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cobuilding.models import DedicationDay, Pledge, Project, ProjectClaim
from committees.models import Unit
from funding.models import Payment, ShareLine, SharePlan
from meetings.models import Attendee, FollowUpTask, Meeting

from .models import EvidenceSource, Indicator, Round
from .rules import plain, quantise

ZERO = Decimal("0")
ONE = Decimal("1")


@dataclasses.dataclass(frozen=True)
class Suggestion:
    points: Decimal | None  # None: nothing on record to score from (the text says so)
    text: str


def suggestions_for(*, task, indicators: Iterable, today: datetime.date | None = None) -> dict[int, Suggestion]:
    """{indicator id: Suggestion} for ``task`` (a ScoringTask: its unit and round year), R21."""
    found = suggestions_for_tasks(tasks=[task], indicators=indicators, today=today)
    return {indicator_id: suggestion for (_task_id, indicator_id), suggestion in found.items()}


def suggestions_for_tasks(
    *, tasks: Iterable, indicators: Iterable, today: datetime.date | None = None
) -> dict[tuple[int, int], Suggestion]:
    """{(task id, indicator id): Suggestion} for every task and every leaf among ``indicators``
    with an evidence source (R21 item 2). One grouped query per source used and per round year,
    whatever the number of tasks and records."""
    leaves = [i for i in indicators if i.kind == Indicator.Kind.LEAF and i.evidence_source]
    # R21: the portal's records are a unit's; a functional department's task has no suggestions
    tasks = [t for t in tasks if t.unit_id is not None]
    if not leaves or not tasks:
        return {}
    today = today or timezone.localdate()
    sources = {i.evidence_source for i in leaves}
    years = _years(tasks)
    by_year = defaultdict(set)
    for task, year in zip(tasks, years, strict=True):
        by_year[year].add(task.unit_id)
    # (source, year) -> {unit id: (done, base)}; amounts are Decimals, counts ints
    ratios = {}
    for year, unit_ids in by_year.items():
        for source in sources:
            ratios[source, year] = COUNTERS[source](unit_ids=sorted(unit_ids), year=year, today=today)
    result = {}
    for task, year in zip(tasks, years, strict=True):
        for indicator in leaves:
            done, base = ratios[indicator.evidence_source, year].get(task.unit_id, (0, 0))
            result[task.pk, indicator.pk] = _suggest(indicator, done, base)
    return result


def _years(tasks: list) -> list[int]:
    """Each task's round year: from the loaded round, else one query for the rounds not loaded."""
    missing = {t.round_id for t in tasks if not type(t).round.is_cached(t)}
    years = dict(Round.objects.filter(pk__in=missing).values_list("pk", "year")) if missing else {}
    return [t.round.year if type(t).round.is_cached(t) else years[t.round_id] for t in tasks]


# --- the text -----------------------------------------------------------------------------


def money(value) -> str:
    return f"{Decimal(value):,.2f}"


SAID = {
    EvidenceSource.ATTENDANCE: lambda d, b: _("参加会议 %(done)s/%(base)s 次") % {"done": d, "base": b},
    EvidenceSource.TASKS_ON_TIME: lambda d, b: _("按期完成任务 %(done)s/%(base)s 项") % {"done": d, "base": b},
    EvidenceSource.PLEDGES_FULFILLED: lambda d, b: _("兑现承诺 %(done)s/%(base)s 项") % {"done": d, "base": b},
    EvidenceSource.PROJECTS_COMPLETED: lambda d, b: _("完成认领项目 %(done)s/%(base)s 个") % {"done": d, "base": b},
    EvidenceSource.DEDICATION_DAYS: lambda d, b: _("参加党员奉献日 %(done)s/%(base)s 次") % {"done": d, "base": b},
    EvidenceSource.IN_SERVICE_MEMBERS: lambda d, b: _("在职党员报到 %(done)s/%(base)s 人") % {"done": d, "base": b},
    EvidenceSource.DUES_ON_TIME: lambda d, b: _("按时缴纳 %(done)s/%(base)s 元") % {"done": money(d), "base": money(b)},
}

NOTHING = {
    EvidenceSource.ATTENDANCE: lambda: _("本年度无会议记录，请人工评分"),
    EvidenceSource.TASKS_ON_TIME: lambda: _("本年度无到期的督办任务，请人工评分"),
    EvidenceSource.PLEDGES_FULFILLED: lambda: _("本年度无已接受的共建承诺，请人工评分"),
    EvidenceSource.PROJECTS_COMPLETED: lambda: _("本年度无认领项目，请人工评分"),
    EvidenceSource.DEDICATION_DAYS: lambda: _("本年度尚未举办党员奉献日，请人工评分"),
    EvidenceSource.IN_SERVICE_MEMBERS: lambda: _("单位台账未填在职党员数，请人工评分"),
    EvidenceSource.DUES_ON_TIME: lambda: _("本年度无该单位的出资分摊，请人工评分"),
}


def _suggest(indicator, done, base) -> Suggestion:
    source = indicator.evidence_source
    if not base:
        return Suggestion(points=None, text=NOTHING[source]())
    ratio = min(max(Decimal(done) / Decimal(base), ZERO), ONE)
    points = quantise(indicator.max_points * ratio)
    text = _("%(said)s → %(points)s/%(max)s 分") % {
        "said": SAID[source](done, base),
        "points": plain(points),
        "max": plain(indicator.max_points),
    }
    return Suggestion(points=points, text=text)


# --- one grouped query per source -----------------------------------------------------------
# Each returns {unit id: (done, base)} for the units given, in exactly one query.


def attendance(*, unit_ids, year, today):
    attended = [Attendee.Attendance.PRESENT, Attendee.Attendance.DELEGATE]
    rows = (
        Attendee.objects.annotate(of_unit=Coalesce("unit_id", "post__unit_id"))
        .filter(
            of_unit__in=unit_ids,
            meeting__status__in=[Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED],
            meeting__held_on__year=year,
        )
        .order_by()
        .values("of_unit")
        .annotate(
            base=Count("meeting", distinct=True),
            done=Count("meeting", filter=Q(attendance__in=attended), distinct=True),
        )
    )
    return {r["of_unit"]: (r["done"], r["base"]) for r in rows}


def tasks_on_time(*, unit_ids, year, today):
    done = Q(status=FollowUpTask.Status.DONE)
    rows = (
        FollowUpTask.objects.filter(responsible_unit_id__in=unit_ids, due_on__year=year)
        .filter(done | Q(due_on__lt=today))
        .order_by()
        .values("responsible_unit_id")
        .annotate(base=Count("pk"), done=Count("pk", filter=done & Q(closed_on__lte=F("due_on"))))
    )
    return {r["responsible_unit_id"]: (r["done"], r["base"]) for r in rows}


def pledges_fulfilled(*, unit_ids, year, today):
    rows = (
        Pledge.objects.filter(
            unit_id__in=unit_ids, year=year, status__in=[Pledge.Status.ACCEPTED, Pledge.Status.FULFILLED]
        )
        .order_by()
        .values("unit_id")
        .annotate(base=Count("pk"), done=Count("pk", filter=Q(status=Pledge.Status.FULFILLED)))
    )
    return {r["unit_id"]: (r["done"], r["base"]) for r in rows}


def projects_completed(*, unit_ids, year, today):
    completed = Q(status=ProjectClaim.Status.COMPLETED)
    rows = (
        ProjectClaim.objects.filter(unit_id__in=unit_ids, project__claim_by__year=year)
        .exclude(project__status=Project.Status.CANCELLED)
        .exclude(status=ProjectClaim.Status.WITHDRAWN)  # a withdrawn claim was given back, not failed
        .filter(completed | Q(project__deadline__lt=today))
        .order_by()
        .values("unit_id")
        .annotate(base=Count("pk"), done=Count("pk", filter=completed))
    )
    return {r["unit_id"]: (r["done"], r["base"]) for r in rows}


def dedication_days(*, unit_ids, year, today):
    held = DedicationDay.objects.filter(
        committee__community=OuterRef("community_id"), year=year, held_on__lte=today
    ).order_by()
    rows = (
        Unit.objects.filter(pk__in=unit_ids)
        .annotate(
            base=Subquery(held.values("committee__community").annotate(n=Count("pk")).values("n")),
            done=Count(
                "dedication_participations",
                filter=Q(
                    dedication_participations__day__year=year,
                    dedication_participations__day__held_on__lte=today,
                ),
                distinct=True,
            ),
        )
        .values_list("pk", "done", "base")
    )
    return {pk: (done, base or 0) for pk, done, base in rows}


def in_service_members(*, unit_ids, year, today):
    reported = Q(in_service_members__is_active=True, in_service_members__reported_on__lte=datetime.date(year, 12, 31))
    rows = (
        Unit.objects.filter(pk__in=unit_ids)
        .annotate(done=Count("in_service_members", filter=reported))
        .values_list("pk", "done", "members_in_service")
    )
    return {pk: (done, base) for pk, done, base in rows}


def dues_on_time(*, unit_ids, year, today):
    money_field = DecimalField(max_digits=14, decimal_places=2)
    due_on = OuterRef("plan__due_on")
    on_time = (
        Payment.objects.filter(unit_id=OuterRef("unit_id"), fiscal_year_id=OuterRef("plan__fiscal_year_id"))
        .filter(
            Q(kind=Payment.Kind.PAYMENT, paid_on__lte=due_on)
            | Q(kind=Payment.Kind.REFUND, refund_of__paid_on__lte=due_on)
        )
        .order_by()
        .values("unit_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    rows = (
        ShareLine.objects.filter(
            unit_id__in=unit_ids, plan__status=SharePlan.Status.ACTIVE, plan__fiscal_year__year=year
        )
        .annotate(paid=Coalesce(Subquery(on_time, output_field=money_field), ZERO, output_field=money_field))
        .values_list("unit_id", "amount", "paid")
    )
    found = {}
    for unit_id, amount, paid in rows:
        done, base = found.get(unit_id, (ZERO, ZERO))
        # paid beyond one plan's share does not make up for another's
        found[unit_id] = (done + min(max(Decimal(paid), ZERO), amount), base + amount)
    return found


COUNTERS = {
    EvidenceSource.ATTENDANCE: attendance,
    EvidenceSource.TASKS_ON_TIME: tasks_on_time,
    EvidenceSource.PLEDGES_FULFILLED: pledges_fulfilled,
    EvidenceSource.PROJECTS_COMPLETED: projects_completed,
    EvidenceSource.DEDICATION_DAYS: dedication_days,
    EvidenceSource.IN_SERVICE_MEMBERS: in_service_members,
    EvidenceSource.DUES_ON_TIME: dues_on_time,
}
