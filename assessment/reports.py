"""The R21 reports reviewers print (issue #6 items 5 and 6): each unit's scoring sheet and the
rankings of a committee, a township or the county, as HTML, PDF and Excel.

Reads only. Who may see which task comes from ``assessment.scoring_selectors``: a county
reviewer every unit of their county, township staff their township, a secretary their
community, a liaison their own unit's sheet once the round is released; outside → 404. The
functions that assemble a report take objects already checked (views and the
``assessment_report`` command resolve them), so the command prints without a user.

Every report runs a fixed number of SQL queries whatever the number of units: the ranking is one
``values()`` query over the round's finalised tasks, a sheet one query per kind of row.
"""

import dataclasses
import io
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import Rank
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee, County, Township
from common.permissions import role_of, scope_q

from . import rules
from .models import Indicator, Round, ScoreCorrection, ScoreLine, ScoreSheet, ScoringTask, TaskEvidence
from .scoring_selectors import task_scores_visible_q

SCOPES = ("committee", "township", "county")
RANKING_TEMPLATE = "reports/assessment_ranking.html"
CHART_PLOT = 380  # the longest bar of the grade distribution, in SVG units (the chart is 560 wide)
COMMITTEE, COUNTY = "committee", "county"

# --- the user's rounds and units ---------------------------------------------------------------


def report_years(*, user) -> list[int]:
    """The years of the rounds whose results ``user`` may read, newest first (one query)."""
    tasks = ScoringTask.objects.filter(task_scores_visible_q(user))
    return sorted(set(tasks.values_list("round__year", flat=True).distinct()), reverse=True)


def report_task_list(*, user, year: int, search: str = "") -> QuerySet[ScoringTask]:
    """The units of ``year`` whose sheet ``user`` may open, by community and unit; ``search``
    matches the unit's or the community's name."""
    # the units' printed sheets; a functional department's task is read on its task page
    tasks = ScoringTask.objects.filter(task_scores_visible_q(user), round__year=year, unit__isnull=False)
    search = search.strip()
    if search:
        tasks = tasks.filter(Q(unit__name__icontains=search) | Q(unit__community__name__icontains=search))
    return tasks.select_related("unit__community__township", "round").order_by(
        "unit__community__township__name", "unit__community__name", "unit__name", "pk"
    )


def report_task_get(*, user, pk: int) -> ScoringTask:
    """A task whose sheet ``user`` may read, else 404 (a liaison: their own, after release)."""
    task = (
        ScoringTask.objects.filter(task_scores_visible_q(user), unit__isnull=False)
        .select_related(
            "round__scheme",
            "round__county",
            "unit__community__township",
            "sheet__scheme",
            "finalised_by",
            "reviewed_by",
        )
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


# --- one unit's sheet ------------------------------------------------------------------------------


@dataclasses.dataclass
class SheetRow:
    indicator: Indicator
    depth: int
    committee: object = None  # ScoreLine or None
    county: object = None
    committee_sum: Decimal | None = None  # groups: the sum of their leaves' points
    county_sum: Decimal | None = None
    max_sum: Decimal | None = None

    @property
    def kind(self) -> str:
        return self.indicator.kind

    @property
    def reasons(self) -> list[tuple[str, str]]:
        out = []
        for label, line in ((_("大党委"), self.committee), (_("县委组织部"), self.county)):
            if line is not None and line.reason:
                out.append((label, line.reason))
        return out

    @property
    def suggestion(self) -> str:
        for line in (self.committee, self.county):
            if line is not None and line.suggestion_text:
                return line.suggestion_text
        return ""


def _tree(indicators: list[Indicator]) -> list[tuple[Indicator, int]]:
    children: dict = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    rows: list = []

    def walk(parent_id, depth):
        for indicator in children.get(parent_id, []):
            rows.append((indicator, depth))
            walk(indicator.pk, depth + 1)

    walk(None, 0)
    return rows


def unit_sheet(task: ScoringTask) -> dict:
    """Everything the printed sheet shows, in five queries after the task: indicators, the two
    bodies' sheets with their scorers, their lines, evidence and corrections (R21)."""
    scheme = task.sheet.scheme  # the scheme the unit was scored on (a township's refinement or the county's)
    indicators = list(Indicator.objects.filter(sheet_id=task.sheet_id).order_by("order", "pk"))
    finalised = task.is_finalised
    scoresheets = {}
    lines: dict = {}
    if finalised:
        for scoresheet in ScoreSheet.objects.filter(task=task).select_related("scorer"):
            scoresheets[scoresheet.body] = scoresheet
        for line in (
            ScoreLine.objects.filter(scoresheet__task=task)
            .select_related("scoresheet")
            .only("points", "suggested", "suggestion_text", "reason", "indicator_id", "scoresheet__body")
        ):
            lines[(line.scoresheet.body, line.indicator_id)] = line

    rows = [
        SheetRow(indicator, depth, lines.get((COMMITTEE, indicator.pk)), lines.get((COUNTY, indicator.pk)))
        for indicator, depth in _tree(indicators)
    ]
    _group_sums(rows)
    main = [r for r in rows if r.kind not in (Indicator.Kind.BONUS, Indicator.Kind.DEDUCTION)]
    extras = [r for r in rows if r.kind in (Indicator.Kind.BONUS, Indicator.Kind.DEDUCTION)]
    evidence = list(TaskEvidence.objects.filter(task=task).select_related("uploaded_by").order_by("created_at", "pk"))
    corrections = list(
        ScoreCorrection.objects.filter(task=task).select_related("corrected_by").order_by("corrected_at", "pk")
    )
    round_ = task.round
    return {
        "task": task,
        "round": round_,
        "scheme": scheme,
        "unit": task.unit,
        "community": task.unit.community,
        "township": task.unit.community.township,
        "finalised": finalised,
        "rows": main,
        "extras": extras,
        "max_total": sum((r.indicator.max_points for r in main if r.kind == Indicator.Kind.LEAF), Decimal("0")),
        "committee_leaves": _leaf_sum(main, "committee"),
        "county_leaves": _leaf_sum(main, "county"),
        "committee_sheet": scoresheets.get(COMMITTEE),
        "county_sheet": scoresheets.get(COUNTY),
        "combination": rules.combination_text(round_.combination, round_.committee_weight),
        "formula": rules.formula_text(scheme.weight),
        "evidence": evidence,
        "corrections": corrections,
    }


def _leaf_sum(rows: list[SheetRow], body: str) -> Decimal | None:
    points = [getattr(r, body).points for r in rows if r.kind == Indicator.Kind.LEAF and getattr(r, body)]
    return sum(points, Decimal("0")) if points else None


def _group_sums(rows: list[SheetRow]) -> None:
    """A group shows the sum of the leaves below it (any depth), for each body."""
    by_pk = {r.indicator.pk: r for r in rows}
    for row in rows:
        if row.kind != Indicator.Kind.GROUP:
            continue
        row.max_sum, row.committee_sum, row.county_sum = Decimal("0"), None, None
    for row in rows:
        if row.kind != Indicator.Kind.LEAF:
            continue
        parent_id = row.indicator.parent_id
        while parent_id is not None and parent_id in by_pk:
            group = by_pk[parent_id]
            group.max_sum += row.indicator.max_points
            for body in ("committee", "county"):
                line = getattr(row, body)
                if line is not None:
                    setattr(group, f"{body}_sum", (getattr(group, f"{body}_sum") or Decimal("0")) + line.points)
            parent_id = group.indicator.parent_id


# --- rankings -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Scope:
    kind: str  # committee | township | county
    obj: object
    county: County

    @property
    def title(self) -> str:
        return self.obj.name

    @property
    def kind_label(self) -> str:
        return {"committee": _("大党委"), "township": _("镇（街道）"), "county": _("县（区）")}[self.kind]


def ranking_scope(*, user, kind: str, pk) -> Scope:
    """The committee, township or county ``user`` may rank, else 404: township staff their
    township and its committees; a secretary their committee; county reviewers their county, its
    townships and committees; the administrator any. A missing kind or id picks the user's own."""
    role = role_of(user)
    if role not in ("admin", "county", "township", "secretary"):
        raise Http404
    if not kind:
        kind = {"township": "township", "secretary": "committee"}.get(role, "county")
    if kind not in SCOPES:
        raise Http404
    try:
        pk = int(pk) if pk not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if kind == "committee":
        committees = Committee.objects.filter(scope_q(user, Committee)).select_related("community__township__county")
        if pk is None:
            committee = committees.filter(is_active=True).order_by("pk").first()
        else:
            committee = committees.filter(pk=pk).first()
        if committee is None:
            raise Http404
        return Scope(kind, committee, committee.community.township.county)
    if kind == "township":
        if role not in ("admin", "county", "township"):
            raise Http404
        townships = Township.objects.select_related("county")
        if role == "county":
            townships = townships.filter(county_id=user.county_id)
        elif role == "township":
            townships = townships.filter(pk=user.township_id)
        township = (townships.filter(pk=pk) if pk is not None else townships.order_by("pk")).first()
        if township is None:
            raise Http404
        return Scope(kind, township, township.county)
    if role not in ("admin", "county"):
        raise Http404
    counties = County.objects.all() if role == "admin" else County.objects.filter(pk=user.county_id)
    county = (counties.filter(pk=pk) if pk is not None else counties.order_by("pk")).first()
    if county is None:
        raise Http404
    return Scope(kind, county, county)


def scope_get(*, kind: str, pk: int) -> Scope:
    """The scope of a stored ranking file, without a user (the Celery task, the command line):
    the caller has checked the user already. A vanished object raises ``DoesNotExist``."""
    if kind == "committee":
        committee = Committee.objects.select_related("community__township__county").get(pk=pk)
        return Scope(kind, committee, committee.community.township.county)
    if kind == "township":
        township = Township.objects.select_related("county").get(pk=pk)
        return Scope(kind, township, township.county)
    if kind == "county":
        county = County.objects.get(pk=pk)
        return Scope(kind, county, county)
    raise ValueError(kind)


def round_for(*, county: County, year: int) -> Round | None:
    return Round.objects.select_related("scheme").filter(county=county, year=year).first()


def ranking_years(*, scope: Scope) -> list[int]:
    return list(Round.objects.filter(county=scope.county).order_by("-year").values_list("year", flat=True))


def _tasks_in(scope: Scope, round_: Round) -> QuerySet[ScoringTask]:
    """The scope's tasks: its units'; the county's also its functional departments' (R21)."""
    tasks = ScoringTask.objects.filter(round=round_)
    if scope.kind == "committee":
        tasks = tasks.filter(unit__community_id=scope.obj.community_id)
    elif scope.kind == "township":
        tasks = tasks.filter(unit__community__township_id=scope.obj.pk)
    return tasks


RANKING_FIELDS = {
    "unit_name": F("unit__name"),
    "community_name": F("unit__community__name"),
    "township_name": F("unit__community__township__name"),
    "department_name": F("department__name"),
}


def _ranked(tasks: QuerySet[ScoringTask], *, departments: bool) -> QuerySet:
    """The finalised units (or functional departments) of ``tasks`` in ranking order, each with
    its rank computed by the database over all of them (ties share a rank, the next rank skips:
    1, 2, 2, 4), so a slice of it — a page — keeps the ranks of the whole list."""
    order = ("department__order", "department__name") if departments else ("unit__name",)
    return (
        tasks.filter(status=ScoringTask.Status.FINALISED, department__isnull=not departments)
        .annotate(rank=Window(Rank(), order_by=F("final_score").desc()))
        .order_by("-final_score", *order, "pk")
        .values("pk", "final_score", "grade", "converted", "committee_total", "county_total", "rank", **RANKING_FIELDS)
    )


def ranking(*, scope: Scope, round_: Round | None, page=None, per_page: int = 100) -> dict:
    """The scope's finalised units ranked by final score (ties share a rank, the next rank skips:
    1, 2, 2, 4), the count per grade band in the scheme's order, and how many units are still
    without a final score; the county's ranking also ranks its functional departments in their
    own group (R21: ``departments``, ``departments_pending``).

    Every row for the printed ranking and the Excel file; with ``page`` (a page number, as the
    page's ``?page=`` gives it) only that page's rows, ranked among all, and the ``page`` itself
    (issue #17: a county has thousands). A fixed number of queries whatever the number of units."""
    if round_ is None:
        return {
            "scope": scope,
            "round": None,
            "rows": [],
            "distribution": [],
            "pending": 0,
            "total": 0,
            "departments": [],
            "departments_pending": 0,
        }
    tasks = _tasks_in(scope, round_)
    counts = dict(
        tasks.filter(status=ScoringTask.Status.FINALISED, unit__isnull=False)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    total = sum(counts.values())
    units = _ranked(tasks, departments=False)
    paged = None
    if page is None:
        rows = list(units)
    else:
        paginator = Paginator(units, per_page)
        paginator.count = total  # known from the distribution: no COUNT query
        paged = paginator.get_page(page)
        rows = list(paged.object_list)
    departments = list(_ranked(tasks, departments=True)) if scope.kind == "county" else []
    waiting = tasks.exclude(status=ScoringTask.Status.FINALISED).aggregate(
        units=Count("pk", filter=Q(unit__isnull=False)), departments=Count("pk", filter=Q(department__isnull=False))
    )
    pending, departments_pending = waiting["units"], waiting["departments"]
    labels = [band["label"] for band in round_.scheme.grade_bands]
    labels += sorted(k for k in counts if k not in labels)  # a grade outside today's bands (a correction)
    distribution = [(label, counts.get(label, 0)) for label in labels]
    top = max((count for _label, count in distribution), default=0) or 1
    chart = [
        {"label": label, "count": count, "y": 8 + i * 26, "width": max(1, round(count / top * CHART_PLOT))}
        for i, (label, count) in enumerate(distribution)
    ]
    return {
        "scope": scope,
        "round": round_,
        "rows": rows,
        "page": paged,
        "distribution": distribution,
        "chart": chart,
        "chart_height": 16 + 26 * len(chart),
        "pending": pending,
        "total": total,
        "departments": departments,
        "departments_pending": departments_pending,
        "combination": rules.combination_text(round_.combination, round_.committee_weight),
        "formula": rules.formula_text(round_.scheme.weight),
    }


def ranking_data_stamp(*, scope: Scope, round_: Round) -> object:
    """The newest change of the data a ranking of ``scope`` shows: a task finalised, corrected or
    otherwise saved (``updated_at``), a correction recorded, the round changed or released. A file
    built for an older stamp is stale. One query."""
    stamps = _tasks_in(scope, round_).aggregate(task=Max("updated_at"), correction=Max("corrections__corrected_at"))
    return max(s for s in (round_.updated_at, round_.released_at, stamps["task"], stamps["correction"]) if s)


def ranking_document(*, scope: Scope, round_: Round | None, page=None) -> dict:
    """The context of the printed ranking (the PDF and the command line's files): the ranking,
    its year, title and print time (with ``page``: the ranking page's rows, see ``ranking``)."""
    data = ranking(scope=scope, round_=round_, page=page)
    data.update(year=round_.year if round_ else None, printed_at=timezone.now())
    data["title"] = ranking_title(data)
    return data


def ranking_pdf(data: dict) -> bytes:
    """The ranking as a PDF: what the page's "下载PDF" gives at once for a small scope, what the
    Celery task stores for a large one, and what ``manage.py assessment_report`` writes."""
    from common.pdf import render_pdf

    return render_pdf(RANKING_TEMPLATE, data)


def ranking_title(data: dict) -> str:
    scope = data["scope"]
    year = data["round"].year if data["round"] else ""
    return _("%(name)s %(year)s年度“双百分”考核排名") % {"name": scope.title, "year": year}


def ranking_workbook(data: dict) -> bytes:
    """The ranking as an Excel file: a header row in bold, frozen, sized columns, scores as
    numbers; a second sheet with the grade distribution."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from common import xlsx

    book = Workbook()
    sheet = book.active
    sheet.title = _("排名")
    headers = [
        (_("名次"), 8),
        (_("单位"), 30),
        (_("社区"), 18),
        (_("镇（街道）"), 14),
        (_("大党委评分"), 12),
        (_("县委组织部评分"), 14),
        (_("最终得分"), 11),
        (_("等次"), 9),
        (_("折算分"), 10),
    ]
    xlsx.append(sheet, [h for h, _w in headers])
    for column, (_h, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "A2"
    for row in data["rows"]:
        xlsx.append(
            sheet,
            [
                row["rank"],
                row["unit_name"],
                row["community_name"],
                row["township_name"],
                _number(row["committee_total"]),
                _number(row["county_total"]),
                _number(row["final_score"]),
                row["grade"],
                _number(row["converted"]),
            ],
        )
    for column in (5, 6, 7, 9):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.00"
    stats = book.create_sheet(_("等次分布"))
    xlsx.append(stats, [_("等次"), _("单位数")])
    for cell in stats[1]:
        cell.font = Font(bold=True)
    stats.freeze_panes = "A2"
    stats.column_dimensions["A"].width = 14
    stats.column_dimensions["B"].width = 10
    for label, count in data["distribution"]:
        xlsx.append(stats, [label, count])
    xlsx.append(stats, [_("尚未定分"), data["pending"]])
    if data.get("departments") or data.get("departments_pending"):  # R21: the county's departments
        group = book.create_sheet(_("职能部门"))
        xlsx.append(
            group,
            [_("名次"), _("职能部门"), _("大党委评分"), _("县委组织部评分"), _("最终得分"), _("等次"), _("折算分")],
        )
        for cell in group[1]:
            cell.font = Font(bold=True)
        group.freeze_panes = "A2"
        group.column_dimensions["B"].width = 24
        for row in data["departments"]:
            xlsx.append(
                group,
                [
                    row["rank"],
                    row["department_name"],
                    _number(row["committee_total"]),
                    _number(row["county_total"]),
                    _number(row["final_score"]),
                    row["grade"],
                    _number(row["converted"]),
                ],
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(value):
    return None if value is None else float(value)
