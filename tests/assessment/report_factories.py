"""Finalised R21 scoring built straight with the ORM for the report tests (the scoring workflow's
services are built elsewhere; the reports only read what they leave behind)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from assessment import rules
from assessment.models import (
    Indicator,
    Round,
    Scheme,
    ScoreCorrection,
    ScoreLine,
    ScoreSheet,
    ScoringTask,
    Sheet,
    TaskEvidence,
)
from committees.models import Unit
from tests.factories import UserFactory

YEAR = 2025


def published_scheme(county, year: int = YEAR, *, extra_leaves: int = 0) -> Scheme:
    """A published scheme whose units sheet is two groups of leaves (100 points), a bonus and a
    deduction; ``extra_leaves`` adds a third group of zero-point leaves for a long sheet."""
    version = (
        Scheme.objects.filter(county=county, year=year).order_by("-version").first() or Scheme(version=0)
    ).version
    scheme = Scheme.objects.create(
        county=county,
        year=year,
        version=version + 1,
        title="社区大党委成员单位双百分考核",
        status=Scheme.Status.PUBLISHED,
        published_at=timezone.now(),
        weight=Decimal("0.2"),
    )
    units = Sheet.objects.create(scheme=scheme, kind=Sheet.Kind.UNITS)
    Sheet.objects.create(scheme=scheme, kind=Sheet.Kind.DEPARTMENTS)

    def add(title, kind="leaf", parent=None, points="0", limit=None, order=0, guidance=""):
        return Indicator.objects.create(
            sheet=units,
            parent=parent,
            title=title,
            kind=kind,
            max_points=Decimal(points),
            limit=None if limit is None else Decimal(limit),
            order=order,
            guidance=guidance,
        )

    organise = add("组织共建", "group", order=1)
    add("参加大党委会议", parent=organise, points="40", order=1, guidance="全年应参会次数全部参加得满分")
    add("认领项目完成", parent=organise, points="30", order=2)
    serve = add("服务群众", "group", order=2)
    add("在职党员报到", parent=serve, points="30", order=1)
    if extra_leaves:
        more = add("其他共建事项", "group", order=3)
        for n in range(extra_leaves):
            add(f"共建事项第{n + 1}项", parent=more, points="0", order=n, guidance="按季度报送共建台账，逐项核实。")
    add("获上级表彰", "bonus", points="1", limit="3", order=8)
    add("未按期完成落实任务", "deduction", points="2", limit="5", order=9)
    return scheme


def make_round(county, year: int = YEAR, *, released: bool = True, combination="average", weight="0.5", **kw):
    """The county's round of ``year`` (one per county and year), on a fresh published scheme."""
    existing = Round.objects.filter(county=county, year=year).first()
    if existing:
        return existing
    scheme = published_scheme(county, year, **kw)
    return Round.objects.create(
        scheme=scheme,
        county=county,
        year=year,
        title="双百分考核",
        self_report_deadline=datetime.date(year, 11, 30),
        combination=combination,
        committee_weight=Decimal(weight),
        released_at=timezone.now() if released else None,
    )


def _scorer(role, name, **scope) -> User:
    user = User.objects.filter(full_name=name).first()
    return user or UserFactory(role=role, full_name=name, **scope)


def finalised_task(
    round_: Round,
    unit: Unit,
    *,
    committee=("38", "28", "27"),
    county=("36", "30", "25"),
    bonus=("2", "1"),
    deduction=("0", "2"),
    status=ScoringTask.Status.FINALISED,
    evidence=("2025年度共建工作总结",),
    reason="会议签到表显示缺席一次",
) -> ScoringTask:
    """A task of ``unit`` with both bodies' sheets: ``committee``/``county`` are the leaves'
    points in tree order (extra leaves get 0); ``bonus``/``deduction`` the (committee, county)
    points of the bonus and the deduction item. The totals, final score, grade and conversion
    come from ``assessment.rules`` (R21)."""
    sheet = round_.scheme.sheets.get(kind=Sheet.Kind.UNITS)
    indicators = list(sheet.indicators.order_by("parent_id", "order", "pk"))
    leaves = [i for i in indicators if i.kind == Indicator.Kind.LEAF]
    leaves.sort(key=lambda i: (i.parent.order if i.parent else 0, i.order))
    bonus_item = next(i for i in indicators if i.kind == Indicator.Kind.BONUS)
    deduction_item = next(i for i in indicators if i.kind == Indicator.Kind.DEDUCTION)
    task = ScoringTask.objects.create(round=round_, unit=unit, sheet=sheet, status=ScoringTask.Status.OPEN)
    scorers = {
        "committee": _scorer(User.Role.SECRETARY, "王书记", community=unit.community),
        "county": _scorer(User.Role.COUNTY, "李审核", county=round_.county),
    }
    totals = {}
    for index, (body, points) in enumerate((("committee", committee), ("county", county))):
        scoresheet = ScoreSheet.objects.create(
            task=task, body=body, scorer=scorers[body], status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now()
        )
        leaf_points = [Decimal(p) for p in points] + [Decimal("0")] * (len(leaves) - len(points))
        for leaf, value in zip(leaves, leaf_points, strict=True):
            ScoreLine.objects.create(
                scoresheet=scoresheet,
                indicator=leaf,
                points=value,
                suggested=leaf.max_points,
                suggestion_text=f"按门户记录建议 {leaf.max_points} 分" if leaf.max_points else "",
                reason=reason if value != leaf.max_points and leaf.max_points and body == "committee" else "",
            )
        b, d = Decimal(bonus[index]), Decimal(deduction[index])
        ScoreLine.objects.create(scoresheet=scoresheet, indicator=bonus_item, points=b)
        ScoreLine.objects.create(scoresheet=scoresheet, indicator=deduction_item, points=d)
        totals[body] = rules.sheet_total(leaf_points, [(b, bonus_item.limit)], [(d, deduction_item.limit)])
        scoresheet.total = totals[body]
        scoresheet.save(update_fields=["total"])
    for title in evidence:
        TaskEvidence.objects.create(
            task=task, title=title, file="assessment/evidence/x.pdf", uploaded_by=scorers["committee"]
        )
    task.committee_total, task.county_total = totals["committee"], totals["county"]
    if status == ScoringTask.Status.FINALISED:
        final = rules.combine(totals["committee"], totals["county"], round_.combination, round_.committee_weight)
        task.final_score = final
        task.grade = rules.grade_for(final, round_.scheme.grade_bands)
        task.converted = rules.convert(final, round_.scheme.weight)
        task.finalised_at = timezone.now()
    task.status = status
    task.save()
    return task


def correct(task: ScoringTask, *, new_score: str, reason: str, by: User) -> ScoreCorrection:
    new = Decimal(new_score)
    grade = rules.grade_for(new, task.round.scheme.grade_bands)
    correction = ScoreCorrection.objects.create(
        task=task,
        old_score=task.final_score,
        new_score=new,
        old_grade=task.grade,
        new_grade=grade,
        reason=reason,
        corrected_by=by,
    )
    task.final_score, task.grade = new, grade
    task.converted = rules.convert(new, task.round.scheme.weight)
    task.save(update_fields=["final_score", "grade", "converted"])
    return correction


def bulk_finalised(round_: Round, communities, n: int, *, pending: int = 0) -> list[ScoringTask]:
    """``n`` units spread over ``communities`` with finalised tasks (bulk inserts, no lines) and
    ``pending`` more still open. Scores repeat every 41 units, so the ranking has ties."""
    sheet = round_.scheme.sheets.get(kind=Sheet.Kind.UNITS)
    start = Unit.objects.count()
    units = Unit.objects.bulk_create(
        Unit(community=communities[i % len(communities)], name=f"批量单位{start + i:05d}", unit_type="enterprise")
        for i in range(n + pending)
    )
    now = timezone.now()
    tasks = []
    for i, unit in enumerate(units):
        if i >= n:
            tasks.append(ScoringTask(round=round_, unit=unit, sheet=sheet))
            continue
        final = Decimal("100") - Decimal(i % 41)
        tasks.append(
            ScoringTask(
                round=round_,
                unit=unit,
                sheet=sheet,
                status=ScoringTask.Status.FINALISED,
                committee_total=final,
                county_total=final,
                final_score=final,
                grade=rules.grade_for(final, round_.scheme.grade_bands),
                converted=rules.convert(final, round_.scheme.weight),
                finalised_at=now,
            )
        )
    return ScoringTask.objects.bulk_create(tasks)
