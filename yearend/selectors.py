"""Reads of the year-end report (R14): the pages' lists, already scoped to the user, and
``report_data``, everything one committee's report shows for one year, gathered in a fixed
number of queries whatever the number of units, meetings and ledger lines.

yearend sits on top of the other apps and reads them through their selectors (meetings'
R8 compliance periods, co-building's per-unit figures, funding's year totals and shares).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import ScoringTask
from cobuilding import selectors as cobuilding_selectors
from cobuilding.models import Project
from committees import selectors as committee_selectors
from committees.models import Committee, Post, RotationTerm, Vacancy
from common.permissions import scoped
from common.views import scoped_get
from funding import selectors as funding_selectors
from funding.models import FiscalYear
from meetings.models import FollowUpTask, Meeting, Resolution
from meetings.selectors.meetings import HELD, Period, compliance_periods
from needs.models import Need
from proposals.models import Proposal

from .models import YearEndReport

ZERO = Decimal("0.00")


# --- pages -----------------------------------------------------------------------------------


def committee_get(*, user, pk: int) -> Committee:
    """The committee if the user may see it (else 404); liaisons have no committee scope."""
    return committee_selectors.committee_get(user=user, pk=pk)


def report_for(*, committee: Committee, year: int) -> YearEndReport | None:
    return (
        YearEndReport.objects.filter(committee=committee, year=year).select_related("requested_by", "committee").first()
    )


def committee_rows(*, user, year: int) -> list[tuple[Committee, YearEndReport | None]]:
    """Every active committee in the user's scope with its report of ``year`` (two queries)."""
    committees = list(
        scoped(user, Committee.objects.filter(is_active=True))
        .select_related("community__township")
        .order_by("community__township__name", "community__name")
    )
    reports = {
        r.committee_id: r
        for r in YearEndReport.objects.filter(committee__in=[c.pk for c in committees], year=year).select_related(
            "requested_by"
        )
    }
    return [(c, reports.get(c.pk)) for c in committees]


def active_committees() -> QuerySet[Committee]:
    return Committee.objects.filter(is_active=True).order_by("pk")


# --- the report's data -----------------------------------------------------------------------


@dataclass
class ResolutionRow:
    resolution: Resolution
    tasks: list[FollowUpTask]
    status: str  # done / open / overdue / none
    label: str
    progress: int


@dataclass
class Bar:
    label: str
    count: int
    x: float
    y: float
    height: float
    met: bool
    cx: float = 0.0


@dataclass
class ReportData:
    committee: Committee
    year: int
    generated_on: datetime.date
    posts: list[tuple[str, list[Post]]]
    rotation: list[RotationTerm]
    meetings: list[Meeting]
    periods: list[Period]
    resolutions: list[ResolutionRow]
    units: list  # cobuilding.selectors.UnitRow
    dedication: cobuilding_selectors.DedicationYear
    projects: list[Project]
    scores: list[ScoringTask]
    fiscal_year: FiscalYear | None
    totals: funding_selectors.YearTotals | None
    shares: funding_selectors.ShareStatus | None
    vacancies: list[Vacancy]
    next_year_plan: str = ""
    unit_count: int = 0
    proposals: dict = field(default_factory=dict)  # R27: the year's proposals by outcome
    commended: list = field(default_factory=list)  # R27: the year's 优秀建议案
    needs: dict = field(default_factory=dict)  # R28: residents' needs collected and met
    notes: list[str] = field(default_factory=list)

    # -- meetings (R8) --
    @property
    def periods_met(self) -> int:
        return sum(1 for p in self.periods if p.status == "met")

    @property
    def periods_missed(self) -> list[Period]:
        return [p for p in self.periods if p.status == "missed"]

    @property
    def missed_labels(self) -> str:
        return "、".join(str(p.label) for p in self.periods_missed)

    @property
    def meeting_chart(self) -> dict:
        """Geometry of the meetings-per-period bar chart (an inline SVG in the PDF)."""
        width, height, left, bottom, top = 440, 170, 40, 30, 16
        plot_h = height - bottom - top
        peak = max([len(p.meetings) for p in self.periods] + [2])
        slot = (width - left - 10) / max(len(self.periods), 1)
        bars = []
        for i, p in enumerate(self.periods):
            n = len(p.meetings)
            h = plot_h * n / peak
            x = left + i * slot + slot * 0.25
            bars.append(Bar(str(p.label), n, x, top + plot_h - h, h, n > 0, cx=x + slot * 0.25))
        ticks = [(v, top + plot_h - plot_h * v / peak) for v in range(0, peak + 1)]
        return {
            "width": width,
            "height": height,
            "left": left,
            "base": top + plot_h,
            "bar_width": slot * 0.5,
            "bars": bars,
            "ticks": ticks,
            "one": top + plot_h - plot_h / peak,  # the R8 minimum: one meeting per period
            "right": width - 10,
        }

    # -- resolutions (R12.4, R13) --
    @property
    def resolutions_done(self) -> int:
        return sum(1 for r in self.resolutions if r.status == "done")

    # -- co-building (R15–R20) --
    @property
    def pledges_total(self) -> int:
        return sum(r.pledges for r in self.units)

    @property
    def pledged_value(self) -> Decimal:
        return sum((r.pledged_value for r in self.units), ZERO)

    @property
    def delivered_value(self) -> Decimal:
        return sum((r.delivered for r in self.units), ZERO)

    @property
    def dedication_people(self) -> int:
        return sum(d.people for d in self.dedication.days)

    # -- assessment (R21) --
    @property
    def score_average(self) -> Decimal | None:
        values = [t.final_score for t in self.scores if t.final_score is not None]
        if not values:
            return None
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))

    @property
    def grade_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for t in self.scores:
            counts[t.grade or _("未定等次")] = counts.get(t.grade or _("未定等次"), 0) + 1
        return sorted(counts.items(), key=lambda kv: -kv[1])

    # -- vacancies (R6) --
    @property
    def open_vacancies(self) -> list[Vacancy]:
        return [v for v in self.vacancies if v.filled_on is None]

    @property
    def plan_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.next_year_plan.splitlines() if line.strip()]


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date, datetime.datetime, datetime.datetime]:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    return first, last, start, end


def _posts_of_year(committee: Committee, first: datetime.date, last: datetime.date) -> list[tuple[str, list[Post]]]:
    """R3–R5: the posts that were in force at some time in the year, grouped 书记/副书记/委员."""
    served = [
        p
        for p in Post.objects.filter(committee=committee, status__in=[Post.Status.IN_FORCE, Post.Status.ENDED])
        .select_related("unit")
        .order_by("in_force_from", "pk")
        if p.in_force_from and p.in_force_from <= last and (p.ended_on is None or p.ended_on >= first)
    ]
    groups = []
    for label, kinds in committee_selectors.POST_GROUPS:
        rows = sorted((p for p in served if p.kind in kinds), key=lambda p: (kinds.index(p.kind), p.in_force_from))
        groups.append((str(label), rows))
    return groups


def resolution_status(tasks: list[FollowUpTask], today: datetime.date) -> tuple[str, str, int]:
    """R13: how a resolution was carried out, from its follow-up tasks."""
    if not tasks:
        return "none", _("未分解督办任务"), 0
    progress = round(sum(100 if t.status == FollowUpTask.Status.DONE else t.progress for t in tasks) / len(tasks))
    if all(t.status == FollowUpTask.Status.DONE for t in tasks):
        last = max(t.closed_on for t in tasks)
        return "done", _("已落实（%(m)s月%(d)s日完成）") % {"m": last.month, "d": last.day}, 100
    if any(t.status == FollowUpTask.Status.OPEN and t.due_on < today for t in tasks):
        return "overdue", _("逾期未完成（进度%(p)s%%）") % {"p": progress}, progress
    return "open", _("推进中（进度%(p)s%%）") % {"p": progress}, progress


def report_data(
    *, committee: Committee, year: int, next_year_plan: str = "", today: datetime.date | None = None
) -> ReportData:
    """R14: everything the year-end report of ``committee`` for ``year`` shows. A fixed number of
    queries (about 25) whatever the number of units, meetings, resolutions and ledger lines."""
    today = today or timezone.localdate()
    first, last, start, end = _year_bounds(year)
    committee = Committee.objects.select_related("community__township__county").get(pk=committee.pk)

    posts = _posts_of_year(committee, first, last)
    rotation = list(
        RotationTerm.objects.filter(committee=committee, start__lte=last, end__gte=first)
        .select_related("unit")
        .order_by("start")
    )
    meetings = list(
        Meeting.objects.filter(committee=committee, status__in=HELD, starts_at__gte=start, starts_at__lt=end)
        .annotate(resolution_count=Count("resolutions"))
        .order_by("starts_at")
    )
    periods = compliance_periods(committee=committee, year=year, held=meetings, today=today)

    resolutions = list(
        Resolution.objects.filter(
            meeting__committee=committee, meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .select_related("meeting", "responsible_unit", "motion")
        .prefetch_related("tasks")
        .order_by("meeting__starts_at", "pk")
    )
    resolution_rows = []
    for r in resolutions:
        tasks = list(r.tasks.all())
        status, label, progress = resolution_status(tasks, today)
        resolution_rows.append(ResolutionRow(r, tasks, status, label, progress))

    units = list(cobuilding_selectors.committee_units(committee=committee))
    unit_rows = cobuilding_selectors.unit_rows(units=units, year=year, committee=committee)
    dedication = cobuilding_selectors.dedication_year(committee=committee, year=year)
    projects = list(
        Project.objects.filter(committee=committee, claim_by__year=year)
        .annotate(
            claimed=Count("claims", filter=~Q(claims__status="withdrawn")),
            completed=Count("claims", filter=Q(claims__status="completed")),
        )
        .order_by("claim_by", "pk")
    )

    # R21: finalised scores of the county's round of that year for this community's units, once
    # the round's results are released (the report goes to the units and the party members).
    scores = list(
        ScoringTask.objects.filter(
            round__year=year,
            round__released_at__isnull=False,
            round__county_id=committee.community.township.county_id,
            unit__community_id=committee.community_id,
            status=ScoringTask.Status.FINALISED,
        )
        .select_related("unit", "sheet")
        .order_by("-final_score", "unit__name")
    )

    fiscal_year = FiscalYear.objects.filter(committee=committee, year=year).first()
    totals = shares = None
    if fiscal_year is not None:
        totals = funding_selectors.year_totals(fiscal_year=fiscal_year)
        shares = funding_selectors.share_status(fiscal_year=fiscal_year, today=min(today, last))

    vacancies = list(
        Vacancy.objects.filter(committee=committee, opened_on__lte=last)
        .filter(Q(filled_on__isnull=True) | Q(filled_on__gte=first))
        .select_related("filled_by")
        .order_by("opened_on", "pk")
    )

    proposal_counts = Proposal.objects.filter(committee=committee, year=year).aggregate(
        tabled=Count("pk"),
        registered=Count("pk", filter=~Q(status__in=(Proposal.Status.SUBMITTED, Proposal.Status.DECLINED))),
        closed=Count("pk", filter=Q(status=Proposal.Status.CLOSED)),
        satisfied=Count("pk", filter=Q(satisfaction=Proposal.Satisfaction.SATISFIED)),
    )
    commended = list(
        Proposal.objects.filter(committee=committee, year=year, commended=True).order_by("number_seq", "pk")
    )
    # R28: needs of the year; a need entered twice and merged counts once; met = done by the report day.
    need_counts = (
        Need.objects.filter(committee=committee, year=year)
        .exclude(status=Need.Status.MERGED)
        .aggregate(
            collected=Count("pk"),
            met=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=today)),
            visited=Count("pk", filter=Q(status=Need.Status.VISITED)),
            satisfied=Count("pk", filter=Q(feedback_satisfied=True)),
            projects=Count("pk", filter=Q(project__isnull=False)),
        )
    )

    return ReportData(
        committee=committee,
        year=year,
        generated_on=today,
        posts=posts,
        rotation=rotation,
        meetings=meetings,
        periods=periods,
        resolutions=resolution_rows,
        units=unit_rows,
        dedication=dedication,
        projects=projects,
        scores=scores,
        fiscal_year=fiscal_year,
        totals=totals,
        shares=shares,
        vacancies=vacancies,
        next_year_plan=next_year_plan,
        unit_count=len(units),
        proposals=proposal_counts,
        commended=commended,
        needs=need_counts,
    )


def report_get_for_download(*, user, committee_pk: int, year: int) -> YearEndReport:
    committee = committee_get(user=user, pk=committee_pk)
    return scoped_get(
        user, YearEndReport.objects.select_related("committee"), committee=committee, year=year, status="ready"
    )
