"""The reads of the four dashboards (issue #7), each a fixed number of aggregate queries whatever
the number of communities, units, meetings or tasks: counts are correlated subqueries or one
grouped query over every community at once, never one query per community.

Dependencies point one way: this app sits on top and reads the others through their selectors
where those fit (township handovers, the liaison workspace, a unit's dues, meeting compliance)
and through its own grouped queries where a per-object selector would run once per row.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Round, ScoringTask
from cobuilding.models import Fulfilment, Pledge
from committees.models import Committee, Community, County, Post, RotationTerm, Township, Unit, Vacancy
from committees.selectors import handovers_for_user
from common.permissions import role_of, scoped
from funding.models import Payment, ShareLine, SharePlan
from funding.selectors import fen
from meetings.models import Attendee, FollowUpTask, Meeting, Minutes, Motion
from meetings.selectors.meetings import Span as Period
from meetings.selectors.meetings import (
    half_of,
    held_count,
    in_term,
    period_of,
    periods_of_year,
    portal_midnight,
    quarter_of,
)
from needs.models import Need, NeedRequest
from proposals.models import Assignment, Proposal
from yearend.evaluations import last_year_evaluations

HELD = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)
ZERO = Decimal("0.00")
TASKS_AHEAD_DAYS = 14
NEEDS_OLD = datetime.timedelta(days=90)


# --- periods (R8): computed once, in meetings.selectors.meetings ---------------------------------


def periods_for(frequency: str, today: datetime.date) -> tuple[Period, Period]:
    """R8: the running period and the one before it, by the committee's meeting frequency
    (quarterly by default, half-yearly under the community plan)."""
    current = period_of(frequency, today)
    return current, period_of(frequency, current.start - datetime.timedelta(days=1))


def _aware(day: datetime.date) -> datetime.datetime:
    return portal_midnight(day)


def _count(queryset: QuerySet, field_name: str) -> Coalesce:
    """A correlated COUNT subquery on the outer row's pk: no join fan-out, one query per list."""
    counted = (
        queryset.filter(**{field_name: OuterRef("pk")})
        .order_by()
        .values(field_name)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def held_by_quarter(*, starts: list[datetime.datetime], year: int) -> list[tuple[str, int]]:
    """Meetings held per quarter of ``year`` from already fetched start times (chart rows)."""
    return [(span.name, held_count(span, starts)) for span in periods_of_year("quarterly", year)]


# --- township staff (and the administrator, over everything) ----------------------------------


@dataclass
class CommunityRow:
    """One community with its red flags (R6, R8, R13, R21, R23, R25)."""

    community: Community
    committee: Committee | None
    period: Period | None = None
    previous: Period | None = None
    held_now: int = 0
    held_before: int = 0
    now_in_term: bool = True  # R8 counts only periods inside the committee's term
    before_in_term: bool = True
    vacancies: list[Vacancy] = field(default_factory=list)
    pending_posts: int = 0
    overdue_tasks: int = 0
    arrears: Decimal = ZERO
    arrears_units: int = 0
    arrears_year_id: int | None = None
    tasks_done: int = 0
    tasks_total: int = 0
    stage: object | None = None  # rollout.selectors.StageStatus
    old_needs: int = 0  # R28: residents' needs open for more than 90 days

    @property
    def no_meeting_now(self) -> bool:
        return self.committee is not None and self.now_in_term and self.held_now == 0

    @property
    def missed_before(self) -> bool:
        return self.committee is not None and self.before_in_term and self.held_before == 0

    @property
    def flag_count(self) -> int:
        if self.committee is None:
            return 1
        return (
            int(self.no_meeting_now)
            + int(self.missed_before)
            + len(self.vacancies)
            + int(self.pending_posts > 0)
            + int(self.overdue_tasks > 0)
            + int(self.arrears > 0)
            + int(bool(self.stage and self.stage.late))
        )

    @property
    def assessment_percent(self) -> int | None:
        if not self.tasks_total:
            return None
        return round(self.tasks_done * 100 / self.tasks_total)


@dataclass
class TownshipDashboard:
    rows: list[CommunityRow]
    handovers: list[RotationTerm]
    assessment_year: int | None
    quarters: list[tuple[str, int]]  # meetings held per quarter of this year, all communities
    year: int

    @property
    def flagged(self) -> list[CommunityRow]:
        return [r for r in self.rows if r.flag_count]

    def _sum(self, attr) -> int:
        return sum(getattr(r, attr) for r in self.rows)

    @property
    def without_meeting(self) -> int:
        return sum(r.no_meeting_now for r in self.rows)

    @property
    def vacancy_count(self) -> int:
        return sum(len(r.vacancies) for r in self.rows)

    @property
    def pending_posts(self) -> int:
        return self._sum("pending_posts")

    @property
    def overdue_tasks(self) -> int:
        return self._sum("overdue_tasks")

    @property
    def arrears(self) -> Decimal:
        return sum((r.arrears for r in self.rows), ZERO)

    @property
    def late_stages(self) -> int:
        return sum(1 for r in self.rows if r.stage and r.stage.late)

    @property
    def stage_chart(self) -> list[tuple[str, int]]:
        counts = defaultdict(int)
        for r in self.rows:
            if r.stage is not None:
                counts[r.stage.stage] += 1
        return [(_("第%(n)s阶段") % {"n": n} if n else _("未开始"), counts[n]) for n in range(6)]


def township_dashboard(*, user, today: datetime.date | None = None) -> TownshipDashboard:
    """Every community in the user's scope (their township; the county's for a reviewer; all for
    the administrator) with its red flags, in nine queries whatever the number of communities."""
    from rollout.selectors import community_stages

    today = today or timezone.localdate()
    scope = scoped(user, Community.objects.all())
    open_vacancies = Vacancy.objects.filter(filled_on__isnull=True).order_by("opened_on", "pk")
    current = Committee.objects.filter(is_active=True).prefetch_related(
        Prefetch("vacancies", queryset=open_vacancies, to_attr="open")
    )
    communities = list(
        scope.select_related("township")
        .annotate(
            pending_posts=_count(
                Post.objects.filter(status=Post.Status.NOMINATED, committee__is_active=True), "committee__community"
            ),
            overdue_tasks=_count(
                FollowUpTask.objects.filter(status=FollowUpTask.Status.OPEN, due_on__lt=today), "committee__community"
            ),
            old_needs=_count(
                Need.objects.filter(
                    status__in=Need.OPEN, committee__is_active=True, collected_on__lte=today - NEEDS_OLD
                ),
                "committee__community",
            ),
        )
        .prefetch_related(Prefetch("committees", queryset=current, to_attr="current"))
        .order_by("township__name", "name")
    )  # 3 queries
    ids = Community.objects.filter(pk__in=scope.values("pk")).values("pk")
    earliest = min(half_of(today).start, quarter_of(today).start) - datetime.timedelta(days=190)
    earliest = min(earliest, datetime.date(today.year, 1, 1))
    held = list(
        Meeting.objects.filter(
            committee__community__in=ids,
            committee__is_active=True,
            status__in=HELD,
            starts_at__gte=_aware(earliest),
            starts_at__lt=_aware(today + datetime.timedelta(days=1)),
        ).values_list("committee__community_id", "starts_at")
    )  # 1
    arrears = _arrears_by_community(community_ids=ids, today=today)  # 1
    year = Round.objects.filter(county__townships__communities__in=ids, year__lte=today.year).aggregate(y=Max("year"))[
        "y"
    ]  # 1
    progress = {}
    if year is not None:
        progress = {
            r["unit__community_id"]: (r["done"], r["total"])
            for r in ScoringTask.objects.filter(round__year=year, unit__community__in=ids)
            .values("unit__community_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=ScoringTask.Status.FINALISED)))
        }  # 1
    stages = community_stages(community_ids=[c.pk for c in communities], today=today)  # 3
    rows = []
    for c in communities:
        committee = c.current[0] if c.current else None
        row = CommunityRow(community=c, committee=committee, stage=stages.get(c.pk))
        if committee is not None:
            row.period, row.previous = periods_for(committee.meeting_frequency, today)
            starts = [s for cid, s in held if cid == c.pk]
            row.held_now = held_count(row.period, starts)
            row.held_before = held_count(row.previous, starts)
            row.now_in_term = in_term(row.period, committee)
            row.before_in_term = in_term(row.previous, committee)
            row.vacancies = committee.open
            row.pending_posts = c.pending_posts
            row.overdue_tasks = c.overdue_tasks
            row.old_needs = c.old_needs
        row.arrears, row.arrears_units, row.arrears_year_id = arrears.get(c.pk, (ZERO, 0, None))
        row.tasks_done, row.tasks_total = progress.get(c.pk, (0, 0))
        rows.append(row)
    return TownshipDashboard(
        rows=rows,
        handovers=handovers_for_user(user=user, today=today),  # 1
        assessment_year=year,
        quarters=held_by_quarter(starts=[s for _cid, s in held], year=today.year),
        year=today.year,
    )


def _arrears_by_community(*, community_ids, today: datetime.date) -> dict[int, tuple[Decimal, int, int | None]]:
    """R23: shares of plans in force whose due date has passed and that are not fully paid, per
    community: (amount outstanding, units behind, the latest such fiscal year). One query: each
    share line carries what its unit paid in that year as a subquery."""
    paid = (
        Payment.objects.filter(fiscal_year_id=OuterRef("plan__fiscal_year_id"), unit_id=OuterRef("unit_id"))
        .order_by()
        .values("unit_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    lines = (
        ShareLine.objects.filter(
            plan__status=SharePlan.Status.ACTIVE,
            plan__due_on__lt=today,
            plan__fiscal_year__committee__community__in=community_ids,
        )
        .annotate(paid=Coalesce(Subquery(paid, output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO))
        .values_list("plan__fiscal_year__committee__community_id", "plan__fiscal_year_id", "amount", "paid")
    )
    out: dict[int, tuple[Decimal, int, int | None]] = {}
    for cid, fy_id, amount, paid_amount in lines:
        owed = fen(amount) - fen(paid_amount)
        if owed <= 0:
            continue
        total, units, latest = out.get(cid, (ZERO, 0, None))
        out[cid] = (total + owed, units + 1, max(fy_id, latest or 0))
    return out


# --- community secretary ----------------------------------------------------------------------


@dataclass
class SecretaryDashboard:
    community: Community
    committee: Committee | None
    next_meeting: Meeting | None = None
    motions: list[Motion] = field(default_factory=list)
    minutes: list[Minutes] = field(default_factory=list)
    without_minutes: list[Meeting] = field(default_factory=list)
    tasks: list[FollowUpTask] = field(default_factory=list)
    task_counts: dict = field(default_factory=dict)
    pledges: list[Pledge] = field(default_factory=list)
    reports: list[Fulfilment] = field(default_factory=list)
    handovers: list[RotationTerm] = field(default_factory=list)
    quarters: list[tuple[str, int]] = field(default_factory=list)
    period: Period | None = None
    held_now: int = 0
    today: datetime.date | None = None
    evaluations: list = field(default_factory=list)  # R14: last year's report evaluation (issue #11)
    proposals: dict = field(default_factory=dict)  # R27: proposals waiting per state
    needs: dict = field(default_factory=dict)  # R28: open needs by age

    @property
    def minutes_count(self) -> int:
        return len(self.minutes) + len(self.without_minutes)

    @property
    def overdue(self) -> list[FollowUpTask]:
        return [t for t in self.tasks if t.due_on < self.today]

    @property
    def task_chart(self) -> list[tuple[str, int]]:
        c = self.task_counts
        return [(_("已逾期"), c.get("overdue", 0)), (_("推进中"), c.get("open", 0)), (_("已完成"), c.get("done", 0))]


def secretary_dashboard(*, user, community: Community, today: datetime.date | None = None) -> SecretaryDashboard:
    """R8–R13, R17, R7: what the community's secretary has to do, in eleven queries whatever the
    number of meetings, motions, tasks and pledges."""
    today = today or timezone.localdate()
    committee = Committee.objects.filter(community=community, is_active=True).first()  # 1
    dash = SecretaryDashboard(community=community, committee=committee, today=today)
    dash.handovers = [
        h for h in handovers_for_user(user=user, today=today) if h.committee.community_id == community.pk
    ]  # 1
    if committee is None:
        return dash
    reply = "attendees__reply"
    dash.next_meeting = (
        Meeting.objects.filter(
            committee=committee,
            status__in=(Meeting.Status.DRAFT, Meeting.Status.NOTIFIED),
            starts_at__gte=_aware(today),
        )
        .annotate(
            invited=Count("attendees"),
            confirmed=Count("attendees", filter=Q(**{reply: Attendee.Reply.CONFIRMED})),
            on_leave=Count("attendees", filter=Q(**{reply: Attendee.Reply.LEAVE})),
            no_reply=Count("attendees", filter=Q(**{reply: Attendee.Reply.NONE})),
        )
        .order_by("starts_at")
        .first()
    )  # 1
    dash.motions = list(
        Motion.objects.filter(
            meeting__committee=committee,
            status__in=(Motion.Status.CREATED, Motion.Status.OPEN, Motion.Status.CLOSED),
            meeting__status__in=(Meeting.Status.NOTIFIED, *HELD),
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )  # 1
    dash.minutes = list(
        Minutes.objects.filter(committee=committee, status__in=(Minutes.Status.DRAFT, Minutes.Status.CIRCULATED))
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )  # 1
    dash.without_minutes = list(
        Meeting.objects.filter(committee=committee, status=Meeting.Status.HELD, minutes__isnull=True).order_by(
            "starts_at"
        )
    )  # 1
    dash.tasks = list(
        FollowUpTask.objects.filter(
            committee=committee,
            status=FollowUpTask.Status.OPEN,
            due_on__lte=today + datetime.timedelta(TASKS_AHEAD_DAYS),
        )
        .select_related("responsible_unit")
        .order_by("due_on", "pk")
    )  # 1
    dash.task_counts = FollowUpTask.objects.filter(committee=committee).aggregate(
        overdue=Count("pk", filter=Q(status=FollowUpTask.Status.OPEN, due_on__lt=today)),
        open=Count("pk", filter=Q(status=FollowUpTask.Status.OPEN, due_on__gte=today)),
        done=Count("pk", filter=Q(status=FollowUpTask.Status.DONE)),
    )  # 1
    dash.pledges = list(
        Pledge.objects.filter(committee=committee, status=Pledge.Status.SUBMITTED)
        .select_related("unit")
        .order_by("submitted_at", "pk")
    )  # 1
    dash.reports = list(
        Fulfilment.objects.filter(pledge__committee=committee, status=Fulfilment.Status.SUBMITTED)
        .select_related("pledge__unit")
        .order_by("created_at", "pk")
    )  # 1
    dash.period, _previous = periods_for(committee.meeting_frequency, today)
    starts = list(
        Meeting.objects.filter(
            committee=committee,
            status__in=HELD,
            starts_at__gte=_aware(min(dash.period.start, today.replace(month=1, day=1))),
        ).values_list("starts_at", flat=True)
    )  # 1
    dash.held_now = held_count(dash.period, starts)
    dash.quarters = held_by_quarter(starts=starts, year=today.year)
    dash.evaluations = last_year_evaluations(committee=committee, today=today)  # 1
    dash.proposals = Proposal.objects.filter(committee=committee).aggregate(
        submitted=Count("pk", filter=Q(status=Proposal.Status.SUBMITTED)),
        handling=Count("pk", filter=Q(status=Proposal.Status.HANDLING)),
        overdue=Count("pk", filter=Q(status=Proposal.Status.HANDLING, due_on__lt=today)),
        answered=Count("pk", filter=Q(status=Proposal.Status.ANSWERED)),
    )  # 1
    open_needs = Q(status__in=Need.OPEN)
    dash.needs = Need.objects.filter(committee=committee).aggregate(
        fresh=Count("pk", filter=open_needs & Q(collected_on__gt=today - datetime.timedelta(days=30))),
        ageing=Count(
            "pk",
            filter=open_needs
            & Q(collected_on__lte=today - datetime.timedelta(days=30), collected_on__gt=today - NEEDS_OLD),
        ),
        old=Count("pk", filter=open_needs & Q(collected_on__lte=today - NEEDS_OLD)),
        to_visit=Count("pk", filter=Q(status=Need.Status.DONE)),
    )  # 1
    return dash


# --- unit liaison -----------------------------------------------------------------------------


@dataclass
class LiaisonDashboard:
    workspace: object  # cobuilding.selectors.Workspace
    dues: list  # funding.selectors.UnitYear, newest first
    released: list[ScoringTask]
    tasks: list[FollowUpTask]
    today: datetime.date
    replies: list = field(default_factory=list)  # R27: proposals waiting for the unit's reply
    asked: list = field(default_factory=list)  # R28: needs the community asked the unit to take on
    handling: list = field(default_factory=list)  # R28: needs the unit claimed and has not finished

    @property
    def dues_now(self):
        return self.dues[0] if self.dues else None

    @property
    def outstanding(self) -> Decimal:
        return sum((d.outstanding for d in self.dues), ZERO)


def liaison_dashboard(*, user, today: datetime.date | None = None) -> LiaisonDashboard:
    """R15–R23, R13, R21 for the liaison's own unit only: the workspace's next step, pledges and
    deadlines, the unit's dues, its follow-up tasks and its released assessment results."""
    from cobuilding.selectors import workspace_get
    from funding.selectors import unit_dues

    today = today or timezone.localdate()
    ws = workspace_get(user=user, today=today)
    released = list(
        ScoringTask.objects.filter(unit_id=user.unit_id, round__released_at__isnull=False)
        .select_related("round")
        .order_by("-round__year", "-pk")[:3]
    )
    tasks = list(
        FollowUpTask.objects.filter(responsible_unit_id=user.unit_id, status=FollowUpTask.Status.OPEN).order_by(
            "due_on", "pk"
        )[:10]
    )
    replies = list(
        Assignment.objects.filter(
            unit_id=user.unit_id, replied_at__isnull=True, proposal__status=Proposal.Status.HANDLING
        )
        .select_related("proposal")
        .order_by("proposal__due_on", "pk")
    )
    asked = list(
        NeedRequest.objects.filter(unit_id=user.unit_id, status=NeedRequest.Status.ASKED)
        .select_related("need")
        .order_by("created_at", "pk")
    )
    handling = list(
        Need.objects.filter(unit_id=user.unit_id, status__in=(Need.Status.CLAIMED, Need.Status.IN_PROGRESS)).order_by(
            "collected_on", "pk"
        )
    )
    return LiaisonDashboard(
        workspace=ws,
        dues=unit_dues(unit=ws.unit),
        released=released,
        tasks=tasks,
        today=today,
        replies=replies,
        asked=asked,
        handling=handling,
    )


# --- county reviewer --------------------------------------------------------------------------


@dataclass
class CountyDashboard:
    counties: list[County]
    townships: list[Township]
    round: Round | None
    ranking: list[ScoringTask]
    task_total: int
    task_done: int
    grades: list[tuple[str, int]]
    units: int
    communities: int
    committees: int
    party_members: int
    awaiting: int | None = None  # R21: tasks a named scorer of the round still has to score

    @property
    def top_chart(self) -> list[tuple[str, object]]:
        return [(t.unit.name, t.final_score) for t in self.ranking[:10] if t.final_score is not None]


RANKING_ROWS = 30


def county_dashboard(*, user) -> CountyDashboard:
    """R21, R2: the county's townships with their communities, units and party members, the latest
    assessment round's ranking and progress. Seven queries whatever the number of units."""
    counties = list(County.objects.filter(scope_county_q(user)).order_by("name"))  # 1
    county_ids = [c.pk for c in counties]
    active_units = Unit.objects.filter(is_active=True)
    townships = list(
        Township.objects.filter(county_id__in=county_ids)
        .select_related("county")
        .annotate(
            community_count=_count(Community.objects.all(), "township"),
            committee_count=_count(Committee.objects.filter(is_active=True), "community__township"),
            unit_count=_count(active_units, "community__township"),
        )
        .order_by("county__name", "name")
    )  # 1
    totals = active_units.filter(community__township__county_id__in=county_ids).aggregate(
        units=Count("pk"),
        members=Coalesce(Sum(F("members_direct") + F("members_in_service") + F("members_floating")), 0),
    )  # 1
    committees = Committee.objects.filter(is_active=True, community__township__county_id__in=county_ids).count()  # 1
    rnd = Round.objects.filter(county_id__in=county_ids).order_by("-year", "-pk").select_related("county").first()  # 1
    ranking, grades, total, done = [], [], 0, 0
    if rnd is not None:
        tasks = ScoringTask.objects.filter(round=rnd)
        agg = tasks.aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=ScoringTask.Status.FINALISED)),
            avg=Avg("final_score"),
        )  # 1
        total, done = agg["total"], agg["done"]
        ranking = list(
            tasks.filter(final_score__isnull=False, unit__isnull=False)  # the units (R21 departments apart)
            .select_related("unit__community__township")
            .order_by("-final_score", "unit__name")[:RANKING_ROWS]
        )  # 1
        grades = [
            (r["grade"] or _("未定等次"), r["n"])
            for r in tasks.filter(final_score__isnull=False)
            .values("grade")
            .annotate(n=Count("pk"), top=Max("final_score"))
            .order_by("-top")
        ]  # 1
    return CountyDashboard(
        counties=counties,
        townships=townships,
        round=rnd,
        ranking=ranking,
        task_total=total,
        task_done=done,
        grades=grades,
        units=totals["units"],
        communities=Community.objects.filter(township__county_id__in=county_ids).count(),  # 1
        committees=committees,
        party_members=totals["members"],
        awaiting=_awaiting(user, rnd),
    )


def _awaiting(user, rnd: Round | None) -> int | None:
    """How many tasks of the latest round wait for this named scorer (None: not a scorer of it)."""
    from assessment.scoring_selectors import awaiting_me, named_body

    if rnd is None or not named_body(user, rnd):  # 1
        return None
    return awaiting_me(user=user, round=rnd).count()  # 2


def scope_county_q(user) -> Q:
    if role_of(user) == "admin":
        return Q()
    return Q(pk=user.county_id)
