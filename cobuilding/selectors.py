"""Every non-trivial read of co-building, already scoped to the user, with the joins the pages
need: each page runs a fixed number of queries whatever the number of units and pledges."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee, Unit
from common.permissions import role_of as _role
from common.permissions import scoped
from common.text import inner_quotes

from .models import (
    ZERO,
    Agreement,
    Commitment,
    DedicationDay,
    DedicationParticipation,
    Fulfilment,
    InServiceMember,
    Pledge,
    PledgeCall,
    PledgeKind,
    Project,
    ProjectClaim,
)

DEADLINE_HORIZON_DAYS = 60


# --- committee in context ---------------------------------------------------------------


def committee_for(*, user, committee_id: int | None = None) -> Committee | None:
    """The committee a page works on: the user's own one for a liaison or a secretary, else the
    one asked for (404 outside the scope) or the first visible active one."""
    role = _role(user)
    if role == "liaison":
        return (
            Committee.objects.select_related("community")
            .filter(community_id=user.unit.community_id, is_active=True)
            .first()
        )
    if role == "secretary":
        return (
            Committee.objects.select_related("community").filter(community_id=user.community_id, is_active=True).first()
        )
    qs = scoped(user, Committee.objects.select_related("community"))
    if committee_id is not None:
        committee = qs.filter(pk=committee_id).first()
        if committee is None:
            raise Http404
        return committee
    return qs.filter(is_active=True).order_by("community__township__name", "community__name").first()


def committee_choices(*, user) -> QuerySet[Committee]:
    return scoped(user, Committee.objects.select_related("community").filter(is_active=True))


def committee_units(*, committee: Committee) -> QuerySet[Unit]:
    return Unit.objects.filter(community_id=committee.community_id, is_active=True).order_by("name")


# --- pledges (R17) ----------------------------------------------------------------------


def with_progress(qs: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """Annotate what ``Pledge.percent`` needs: the confirmed amount and whether a confirmed
    report said the pledge is fully delivered; plus reports waiting for confirmation."""
    confirmed = Q(fulfilments__status=Fulfilment.Status.CONFIRMED)
    return qs.annotate(
        confirmed_amount=Coalesce(Sum("fulfilments__amount", filter=confirmed), Value(ZERO)),
        pending_reports=Count("fulfilments", filter=Q(fulfilments__status=Fulfilment.Status.SUBMITTED)),
        final_confirmed=Exists(
            Fulfilment.objects.filter(pledge=OuterRef("pk"), status=Fulfilment.Status.CONFIRMED, is_final=True)
        ),
    )


def pledge_list(
    *, user, committee: Committee | None = None, year: int | None = None, status: str | None = None
) -> QuerySet[Pledge]:
    qs = scoped(user, with_progress(Pledge.objects.select_related("unit")))
    if committee is not None:
        qs = qs.filter(committee=committee)
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("unit__name", "kind", "pk")


def pledge_get(*, user, pk: int) -> Pledge:
    qs = scoped(
        user,
        with_progress(Pledge.objects.select_related("unit", "committee", "reviewed_by", "created_by", "resolution")),
    ).prefetch_related(
        Prefetch("fulfilments", queryset=Fulfilment.objects.select_related("reported_by", "reviewed_by")),
        "fulfilments__photos",
    )
    pledge = qs.filter(pk=pk).first()
    if pledge is None:
        raise Http404
    return pledge


def unit_percent(pledges) -> int | None:
    """R17: a unit's fulfilment % is the mean of its accepted pledges' percentages (each pledge
    weighs the same, whether it carries a value or not); None when nothing is accepted yet."""
    counted = [p.percent for p in pledges if p.counts_for_fulfilment]
    if not counted:
        return None
    return round(sum(counted) / len(counted))


# --- the liaison workspace --------------------------------------------------------------


@dataclass
class Deadline:
    day: datetime.date
    label: str
    url: str

    @property
    def days_left(self) -> int:
        return (self.day - timezone.localdate()).days


@dataclass
class NextStep:
    text: str
    url: str
    button: str
    tone: str = "primary"


@dataclass
class Workspace:
    unit: Unit
    committee: Committee | None
    year: int
    call: PledgeCall | None
    agreement: Agreement | None
    pledges: list[Pledge]
    returned_reports: list[Fulfilment]
    claims: list[ProjectClaim]
    open_projects: list[Project]
    days: list[DedicationDay]
    participation: dict[int, DedicationParticipation]
    members_count: int
    commitments: list[Commitment]
    deadlines: list[Deadline] = field(default_factory=list)
    next_step: NextStep | None = None

    @property
    def returned(self) -> list[Pledge]:
        return [p for p in self.pledges if p.status == Pledge.Status.RETURNED]

    @property
    def drafts(self) -> list[Pledge]:
        return [p for p in self.pledges if p.status == Pledge.Status.DRAFT]

    @property
    def percent(self) -> int | None:
        return unit_percent(self.pledges)


def workspace_get(*, user, today: datetime.date | None = None) -> Workspace:
    """Everything a liaison needs on one page, for their own unit only (R15–R20)."""
    today = today or timezone.localdate()
    unit = Unit.objects.select_related("community").get(pk=user.unit_id)
    committee = Committee.objects.filter(community_id=unit.community_id, is_active=True).first()
    year = today.year
    pledges = list(with_progress(Pledge.objects.filter(unit=unit, year=year)).order_by("status", "kind", "pk"))
    agreements = list(Agreement.objects.filter(unit=unit).order_by("-period_start")[:2])
    agreement = next((a for a in agreements if a.period_start <= today), agreements[0] if agreements else None)
    # A draft renewal for the next period is not the liaison's business yet; a sent one is.
    for a in agreements:
        if a.status == Agreement.Status.SENT:
            agreement = a
    returned_reports = list(
        Fulfilment.objects.filter(pledge__unit=unit, status=Fulfilment.Status.RETURNED)
        .select_related("pledge")
        .order_by("-reviewed_at")[:10]
    )
    claims = list(
        ProjectClaim.objects.filter(unit=unit)
        .exclude(status=ProjectClaim.Status.WITHDRAWN)
        .exclude(status=ProjectClaim.Status.COMPLETED, completed_on__lt=today - datetime.timedelta(days=365))
        .select_related("project")
        .order_by("project__deadline")
    )
    call = None
    open_projects, days, participation, commitments = [], [], {}, []
    if committee is not None:
        call = PledgeCall.objects.filter(committee=committee, year=year).first()
        open_projects = [
            p
            for p in Project.objects.filter(committee=committee, status=Project.Status.OPEN, claim_by__gte=today)
            .exclude(pk__in=_active_claims().filter(unit=unit).values("project_id"))
            .annotate(taken=_TAKEN)
            .order_by("claim_by")
            if p.taken < p.places
        ]
        days = list(DedicationDay.objects.filter(committee=committee, year=year).order_by("sequence"))
        participation = {
            p.day_id: p
            for p in DedicationParticipation.objects.filter(unit=unit, day__committee=committee, day__year=year)
        }
        commitments = list(Commitment.objects.filter(unit=unit, year=year).order_by("side", "area", "pk"))
    members_count = InServiceMember.objects.filter(unit=unit, is_active=True).count()
    ws = Workspace(
        unit=unit,
        committee=committee,
        year=year,
        call=call,
        agreement=agreement,
        pledges=pledges,
        returned_reports=returned_reports,
        claims=claims,
        open_projects=open_projects,
        days=days,
        participation=participation,
        members_count=members_count,
        commitments=commitments,
    )
    ws.deadlines = _deadlines(ws, today)
    ws.next_step = _next_step(ws, today)
    return ws


def _deadlines(ws: Workspace, today: datetime.date) -> list[Deadline]:
    horizon = today + datetime.timedelta(days=DEADLINE_HORIZON_DAYS)
    items = []
    if ws.call and not any(p.status != Pledge.Status.DRAFT for p in ws.pledges):
        items.append(Deadline(ws.call.submit_by, _("提交本年度共建承诺"), reverse("cobuilding:pledge_create")))
    for p in ws.pledges:
        if p.status == Pledge.Status.ACCEPTED:
            items.append(Deadline(p.period_end, _("兑现承诺：%(t)s") % {"t": p.title}, p.get_absolute_url()))
    for c in ws.claims:
        if c.status != ProjectClaim.Status.COMPLETED:
            items.append(
                Deadline(c.project.deadline, _("完成项目：%(t)s") % {"t": c.project.title}, c.get_absolute_url())
            )
    for pr in ws.open_projects:
        items.append(Deadline(pr.claim_by, _("项目认领截止：%(t)s") % {"t": pr.title}, pr.get_absolute_url()))
    for d in ws.days:
        if d.held_on >= today:
            items.append(Deadline(d.held_on, _("党员奉献日：%(t)s") % {"t": d.theme}, d.get_absolute_url()))
    return sorted((d for d in items if d.day <= horizon), key=lambda d: d.day)


def _next_step(ws: Workspace, today: datetime.date) -> NextStep:
    """The one thing the liaison should do now, most urgent first."""
    if ws.returned:
        p = ws.returned[0]
        return NextStep(
            _("有 %(n)s 项承诺被社区退回，请按书记的意见修改后重新提交。") % {"n": len(ws.returned)},
            reverse("cobuilding:pledge_update", args=[p.pk]),
            _("修改被退回的承诺"),
            "danger",
        )
    if ws.agreement and ws.agreement.status == Agreement.Status.SENT:
        return NextStep(
            _("社区已送来共驻共建协议书，请签字盖章后上传扫描件。"),
            reverse("cobuilding:agreement_sign", args=[ws.agreement.pk]),
            _("上传签订的协议书"),
        )
    if ws.drafts:
        return NextStep(
            _("有 %(n)s 项承诺还是草稿，确认无误后请提交社区审核。") % {"n": len(ws.drafts)},
            reverse("cobuilding:pledge_detail", args=[ws.drafts[0].pk]),
            _("查看并提交"),
        )
    if not ws.pledges:
        if ws.call:
            text = _("请在 %(day)s 前填写贵单位%(year)s年度共建承诺。") % {
                "day": f"{ws.call.submit_by.month}月{ws.call.submit_by.day}日",
                "year": ws.year,
            }
        else:
            text = _("请填写贵单位%(year)s年度共建承诺（政策、人才、技术、物资、资金、信息、教育、阵地）。") % {
                "year": ws.year
            }
        return NextStep(text, reverse("cobuilding:pledge_create"), _("填写共建承诺"))
    if ws.returned_reports:
        r = ws.returned_reports[0]
        return NextStep(
            _("兑现报告被退回：%(c)s") % {"c": r.review_comment},
            reverse("cobuilding:fulfilment_create", args=[r.pledge_id]),
            _("重新报告兑现情况"),
            "danger",
        )
    due = [p for p in ws.pledges if p.status == Pledge.Status.ACCEPTED and not p.pending_reports]
    if due:
        p = min(due, key=lambda p: p.period_end)
        return NextStep(
            _("承诺“%(t)s”已被接受，兑现后请报告兑现情况并上传照片。") % {"t": inner_quotes(p.title)},
            reverse("cobuilding:fulfilment_create", args=[p.pk]),
            _("报告兑现情况"),
        )
    open_claims = [c for c in ws.claims if c.status == ProjectClaim.Status.CLAIMED]
    if open_claims:
        c = open_claims[0]
        return NextStep(
            _("请报告认领项目“%(t)s”的进展。") % {"t": inner_quotes(c.project.title)},
            reverse("cobuilding:claim_report", args=[c.pk]),
            _("报告项目进展"),
        )
    if ws.open_projects and not ws.claims:
        return NextStep(
            _("社区发布了可认领的公益项目，欢迎贵单位认领。"),
            reverse("cobuilding:project_list"),
            _("查看公益项目"),
        )
    return NextStep(
        _("目前没有需要您办理的事项，谢谢您的支持！"), reverse("cobuilding:pledge_list"), _("查看本单位承诺"), "success"
    )


# --- agreements -------------------------------------------------------------------------


def agreement_list(*, user, committee: Committee | None = None) -> QuerySet[Agreement]:
    qs = scoped(user, Agreement.objects.select_related("unit"))
    if committee is not None:
        qs = qs.filter(unit__community_id=committee.community_id)
    return qs.order_by("unit__name", "-period_start")


# --- projects ---------------------------------------------------------------------------


def _active_claims() -> QuerySet[ProjectClaim]:
    """Claims that hold a place: a withdrawn claim gave its place back (R17)."""
    return ProjectClaim.objects.exclude(status=ProjectClaim.Status.WITHDRAWN)


_TAKEN = Count("claims", filter=~Q(claims__status=ProjectClaim.Status.WITHDRAWN), distinct=True)


def _project_q(user) -> QuerySet[Project]:
    """A liaison sees the projects of their community (to claim them); claims stay per unit."""
    if _role(user) == "liaison":
        return Project.objects.filter(committee__community_id=user.unit.community_id).exclude(
            status=Project.Status.CANCELLED
        )
    return scoped(user, Project.objects.all())


def project_list(*, user, committee: Committee | None = None) -> QuerySet[Project]:
    qs = _project_q(user).annotate(
        taken=_TAKEN,
        done=Count("claims", filter=Q(claims__status=ProjectClaim.Status.COMPLETED), distinct=True),
    )
    if committee is not None:
        qs = qs.filter(committee=committee)
    return qs.order_by("-claim_by", "pk")


def project_get(*, user, pk: int) -> Project:
    project = _project_q(user).select_related("committee__community").annotate(taken=_TAKEN).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def project_claims_visible(*, user, project: Project) -> list[ProjectClaim]:
    """The claims the user may see: all for the community side, their own for a liaison."""
    return list(scoped(user, project.claims.select_related("unit")).order_by(F("place_no").asc(nulls_last=True), "pk"))


# --- dedication days (R18) --------------------------------------------------------------


@dataclass
class DedicationYear:
    year: int
    days: list[DedicationDay]
    missing: list[int]  # the sequence numbers not recorded yet


def dedication_year(*, committee: Committee, year: int) -> DedicationYear:
    days = list(
        DedicationDay.objects.filter(committee=committee, year=year)
        .annotate(units=Count("participations"), people=Coalesce(Sum("participations__count"), 0))
        .order_by("sequence")
    )
    have = {d.sequence for d in days}
    return DedicationYear(year=year, days=days, missing=[n for n in (1, 2) if n not in have])


# --- per-unit summary and the committee overview ----------------------------------------


@dataclass
class UnitRow:
    unit: Unit
    agreement: Agreement | None = None
    by_kind: dict = field(default_factory=dict)
    pledges: int = 0
    pledged_value: Decimal = ZERO
    delivered: Decimal = ZERO
    percent: int | None = None
    claimed: int = 0
    completed: int = 0
    dedication: dict = field(default_factory=dict)  # sequence -> count
    members: int = 0
    commitments: int = 0
    commitments_done: int = 0

    @property
    def agreement_status(self) -> str:
        return self.agreement.get_shown_status_display() if self.agreement else _("未签订")

    def kind_counts(self) -> list[int]:
        return [self.by_kind.get(k, 0) for k in PledgeKind.values]

    @property
    def by_kind_rows(self) -> list[tuple[str, int]]:
        return [(str(label), self.by_kind.get(value, 0)) for value, label in PledgeKind.choices]


@dataclass
class Overview:
    committee: Committee
    year: int
    rows: list[UnitRow]
    days: list[DedicationDay]
    missing_days: list[int]

    @property
    def kinds(self) -> list[str]:
        return [str(label) for label in PledgeKind.labels]

    @property
    def kind_totals(self) -> list[tuple[str, int]]:
        return [(str(label), sum(r.by_kind.get(value, 0) for r in self.rows)) for value, label in PledgeKind.choices]

    @property
    def percent_chart(self) -> list[tuple[str, int]]:
        return [(r.unit.name, r.percent or 0) for r in self.rows]

    @property
    def dedication_chart(self) -> list[tuple[str, int]]:
        return [(r.unit.name, sum(r.dedication.values())) for r in self.rows]

    @property
    def percent(self) -> int | None:
        values = [r.percent for r in self.rows if r.percent is not None]
        return round(sum(values) / len(values)) if values else None


def unit_rows(*, units: list[Unit], year: int, committee: Committee | None = None) -> list[UnitRow]:
    """Co-building figures per unit for a year (R15–R20): nine queries whatever the numbers.
    Also what the assessment (issue #6) reads for its evidence-based suggestions."""
    rows = {u.pk: UnitRow(unit=u) for u in units}
    ids = list(rows)
    if not ids:
        return []
    today = timezone.localdate()
    for a in Agreement.objects.filter(unit_id__in=ids).order_by("unit_id", "period_start"):
        # The agreement in force (or the newest one that has started); a future draft renewal
        # does not hide a signed current one.
        if a.period_start <= today or rows[a.unit_id].agreement is None:
            rows[a.unit_id].agreement = a
    kinds = (
        Pledge.objects.filter(unit_id__in=ids, year=year, status__in=[Pledge.Status.ACCEPTED, Pledge.Status.FULFILLED])
        .values_list("unit_id", "kind")
        .annotate(n=Count("pk"))
    )
    for unit_id, kind, n in kinds:
        rows[unit_id].by_kind[kind] = n
        rows[unit_id].pledges += n
    accepted = defaultdict(list)
    for p in with_progress(
        Pledge.objects.filter(unit_id__in=ids, year=year, status__in=[Pledge.Status.ACCEPTED, Pledge.Status.FULFILLED])
    ):
        accepted[p.unit_id].append(p)
    for unit_id, pledges in accepted.items():
        row = rows[unit_id]
        row.percent = unit_percent(pledges)
        row.pledged_value = sum((p.value or ZERO for p in pledges), ZERO)
        row.delivered = sum((p.confirmed_amount for p in pledges), ZERO)
    claims = _active_claims().filter(unit_id__in=ids, project__claim_by__year=year)
    if committee is not None:
        claims = claims.filter(project__committee=committee)
    for unit_id, n, done in claims.values_list("unit_id").annotate(
        n=Count("pk"), done=Count("pk", filter=Q(status=ProjectClaim.Status.COMPLETED))
    ):
        rows[unit_id].claimed, rows[unit_id].completed = n, done
    parts = DedicationParticipation.objects.filter(unit_id__in=ids, day__year=year)
    if committee is not None:
        parts = parts.filter(day__committee=committee)
    for unit_id, seq, count in parts.values_list("unit_id", "day__sequence", "count"):
        rows[unit_id].dedication[seq] = count
    for unit_id, n in (
        InServiceMember.objects.filter(unit_id__in=ids, is_active=True).values_list("unit_id").annotate(n=Count("pk"))
    ):
        rows[unit_id].members = n
    for unit_id, n, done in (
        Commitment.objects.filter(unit_id__in=ids, year=year)
        .values_list("unit_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=Commitment.Status.DONE)))
    ):
        rows[unit_id].commitments, rows[unit_id].commitments_done = n, done
    return [rows[u.pk] for u in units]


def overview_get(*, user, committee: Committee, year: int) -> Overview:
    units = list(scoped(user, committee_units(committee=committee)))
    days = list(DedicationDay.objects.filter(committee=committee, year=year).order_by("sequence"))
    have = {d.sequence for d in days}
    return Overview(
        committee=committee,
        year=year,
        rows=unit_rows(units=units, year=year, committee=committee),
        days=days,
        missing_days=[n for n in (1, 2) if n not in have],
    )


def unit_summary(*, user, unit_id: int, year: int) -> UnitRow:
    unit = scoped(user, Unit.objects.select_related("community")).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit_rows(units=[unit], year=year)[0]
