"""Reads of the rollout (R25), scoped to the user.

Contract for the dashboards: :func:`community_stages` gives every asked community's stage in a
fixed number of queries (3) whatever their number.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee, Community, Post, Unit
from common.permissions import role_of, scope_q, scoped

from . import rules
from .models import (
    CommunityProgress,
    PlanDocument,
    PlanStage,
    PublicityEvent,
    RolloutPlan,
    RuleDocument,
    Stage,
    StageChange,
)


@dataclass(frozen=True)
class StageStatus:
    """A community's place in its township's current rollout plan (R25)."""

    stage: int  # 0 (not started) … 5
    label: str  # "4 试点先行,总结推广" or "未开始"
    late: bool  # the current stage's planned end month has passed and the stage is not complete
    plan_id: int | None  # None: the township has no plan
    done: bool = False  # the current stage's deliverables are complete
    is_pilot: bool = False


NO_PLAN = StageStatus(stage=0, label=rules.label(0), late=False, plan_id=None)


def community_stages(*, community_ids, today: datetime.date | None = None) -> dict[int, StageStatus]:
    """R25: the stage of each community in its township's latest plan, with lateness.

    Three queries for any number of communities: the communities' townships, the plans' stages
    (with their plans), the progress rows. Not scoped: the caller passes ids it already scoped.
    """
    today = today or timezone.localdate()
    ids = list(community_ids)
    if not ids:
        return {}
    townships = dict(Community.objects.filter(pk__in=ids).values_list("pk", "township_id"))
    plans: dict[int, object] = {}  # township id → latest plan
    months: dict[int, dict[int, tuple[int, int]]] = {}  # plan id → stage → (start, end)
    for row in (
        PlanStage.objects.filter(plan__township_id__in=set(townships.values()))
        .select_related("plan")
        .order_by("plan__township_id", "-plan__year", "stage")
    ):
        plan = plans.setdefault(row.plan.township_id, row.plan)
        if plan.pk == row.plan_id:
            months.setdefault(plan.pk, {})[row.stage] = (row.start_month, row.end_month)
    plan_ids = [p.pk for p in plans.values()]
    progress = {p.community_id: p for p in CommunityProgress.objects.filter(plan_id__in=plan_ids, community_id__in=ids)}
    result = {}
    for cid, township_id in townships.items():
        plan = plans.get(township_id)
        if plan is None:
            result[cid] = NO_PLAN
            continue
        row = progress.get(cid)
        stage, done = (row.stage, row.stage_done) if row else (0, False)
        result[cid] = StageStatus(
            stage=stage,
            label=rules.label(stage),
            late=rules.is_late(stage=stage, done=done, months=months.get(plan.pk, {}), year=plan.year, today=today),
            plan_id=plan.pk,
            done=done,
            is_pilot=plan.pilot_id == cid,
        )
    return result


# --- deliverables (R25): what the portal checks, per stage ----------------------------------------

HELD_STATUSES = ("held", "minutes_approved")  # meetings.Meeting.Status: the meeting took place


@dataclass
class StageCheck:
    """One stage's deliverables for one community: complete or not, and what is missing."""

    stage: int
    done: bool
    summary: str
    missing: list = field(default_factory=list)  # short texts of what is missing
    items: list = field(default_factory=list)  # the objects behind the check (events, units, documents…)


def unit_ledger_missing(unit: Unit) -> list[str]:
    """R2/R25.2: the ledger fields of ``unit`` still missing.

    Type, industry, grid and party-org kind must be set; the counts are "recorded" when a unit with
    a party organisation has at least one party member on the books (a unit without a party
    organisation may have none: its zeros are the recorded counts)."""
    missing = []
    if not unit.unit_type:
        missing.append(str(_("单位类型")))
    if not unit.industry:
        missing.append(str(_("所属行业")))
    if not unit.grid_id:
        missing.append(str(_("所在网格")))
    if not unit.party_org_kind:
        missing.append(str(_("党组织类别")))
    elif unit.party_org_kind != Unit.PartyOrgKind.NONE and unit.members_total == 0:
        missing.append(str(_("党员人数")))
    return missing


def deliverables(*, community: Community, plan: RolloutPlan) -> dict[int, StageCheck]:
    """Every stage's check for ``community`` (R25.1–5), in a fixed number of queries (6)."""
    from meetings.models import Meeting  # a higher app reads a lower one

    checks: dict[int, StageCheck] = {}

    events = list(PublicityEvent.objects.filter(community=community).select_related("recorded_by"))
    checks[1] = StageCheck(
        1,
        bool(events),
        _("已登记宣传活动 %(n)s 次") % {"n": len(events)} if events else _("尚未登记宣传活动"),
        [] if events else [str(_("至少登记一次宣传活动"))],
        events,
    )

    units = list(Unit.objects.filter(community=community, is_active=True).order_by("name"))
    incomplete = [(u, m) for u in units if (m := unit_ledger_missing(u))]
    ledger_ok = bool(units) and not incomplete
    checks[2] = StageCheck(
        2,
        ledger_ok,
        _("台账完整（%(n)s 个在册单位）") % {"n": len(units)}
        if ledger_ok
        else _("%(bad)s / %(n)s 个单位台账不完整") % {"bad": len(incomplete), "n": len(units)}
        if units
        else _("尚无在册成员单位"),
        [str(_("尚无在册成员单位"))] if not units else [],
        incomplete,
    )

    documents = list(
        PlanDocument.objects.filter(community=community)
        .select_related("uploaded_by", "opinions_closed_by")
        .annotate(opinion_count=Count("opinions"))
    )
    gathered = [d for d in documents if d.opinion_count and not d.opinions_open]
    missing3 = []
    if not documents:
        missing3.append(str(_("上传实施方案")))
    elif not any(d.opinion_count for d in documents):
        missing3.append(str(_("至少一个成员单位提出意见")))
    elif not gathered:
        missing3.append(str(_("结束征求意见")))
    checks[3] = StageCheck(
        3,
        bool(gathered),
        _("方案已制定，意见已征求") if gathered else _("方案未定稿或意见未征求完毕"),
        missing3,
        documents,
    )

    committee = (
        Committee.objects.filter(community=community, is_active=True)
        .annotate(posts_in_force=Count("posts", filter=Q(posts__status=Post.Status.IN_FORCE), distinct=True))
        .first()
    )
    held = Meeting.objects.filter(committee=committee, status__in=HELD_STATUSES).count() if committee is not None else 0
    is_pilot = plan.pilot_id == community.pk
    missing4 = []
    if committee is None:
        missing4.append(str(_("组建大党委")))
    elif not committee.posts_in_force:
        missing4.append(str(_("大党委职务经审批生效")))
    if not held:
        missing4.append(str(_("召开至少一次大党委会议")))
    running = not missing4
    if is_pilot and not plan.pilot_summarised:
        missing4.append(str(_("镇（街道）确认试点总结")))
    if not is_pilot and not plan.pilot_summarised:
        missing4.insert(0, str(_("等待试点社区总结（试点先行）")))
    checks[4] = StageCheck(
        4,
        not missing4,
        (_("试点运行中") if is_pilot else _("大党委运行中")) if running else _("大党委尚未运行"),
        missing4,
        [committee, held],
    )

    rule_docs = list(RuleDocument.objects.filter(community=community).select_related("approved_in", "uploaded_by"))
    adopted = {d.kind for d in rule_docs if d.approved_in_id and d.approved_in.status in HELD_STATUSES}
    missing5 = [
        str(_("“%(kind)s”经会议审议通过") % {"kind": label})
        for kind, label in RuleDocument.Kind.choices
        if kind not in adopted
    ]
    checks[5] = StageCheck(
        5,
        not missing5,
        _("三项制度均已审议通过") if not missing5 else _("已通过 %(n)s / 3 项制度") % {"n": len(adopted)},
        missing5,
        rule_docs,
    )
    return checks


# --- pages ---------------------------------------------------------------------------------------


def plan_q(user) -> Q:
    """Plans are the township's: township staff their township, county reviewers their county,
    administrators all. Secretaries and liaisons work on their community's progress instead."""
    role = role_of(user)
    if role == "admin":
        return Q()
    if role == "township":
        return Q(township_id=user.township_id)
    if role == "county":
        return Q(township__county_id=user.county_id)
    return Q(pk__in=[])


def plan_list(*, user):
    return (
        RolloutPlan.objects.filter(plan_q(user)).select_related("township", "pilot").order_by("township__name", "-year")
    )


def plan_get(*, user, pk: int) -> RolloutPlan:
    return get_object_or_404(
        RolloutPlan.objects.filter(plan_q(user)).select_related("township", "pilot", "pilot_summarised_by"), pk=pk
    )


@dataclass
class TimelineRow:
    community: Community
    status: StageStatus
    progress_id: int | None
    cells: list  # (colspan, css, text) per segment; text empty for blank months


def _segments(months_range: list[int], start: int, end: int, css: str, text: str) -> list:
    cells = []
    for m in months_range:
        if m < start or m > end:
            cells.append((1, "", ""))
        elif m == start:
            cells.append((min(end, months_range[-1]) - start + 1, css, text))
    return cells


def timeline(*, plan: RolloutPlan, today: datetime.date | None = None) -> dict:
    """R25: the township page's timeline: a bar per planned stage, then one row per community
    with its current stage drawn over that stage's planned months (late = red). Five queries."""
    today = today or timezone.localdate()
    stages = list(plan.stages.all())
    first = min([2, *(s.start_month for s in stages)])
    months = list(range(first, 13))
    communities = list(Community.objects.filter(township_id=plan.township_id).order_by("name"))
    statuses = community_stages(community_ids=[c.pk for c in communities], today=today)
    progress_ids = dict(CommunityProgress.objects.filter(plan=plan).values_list("community_id", "pk"))
    windows = {s.stage: (s.start_month, s.end_month) for s in stages}
    plan_rows = [
        (s, _segments(months, s.start_month, s.end_month, f"stage-{s.stage}", rules.label(s.stage))) for s in stages
    ]
    rows = []
    for c in communities:
        status = statuses.get(c.pk, NO_PLAN)
        start, end = windows.get(max(status.stage, 1), (2, 3))
        css = "late" if status.late else "done" if status.done else "current" if status.stage else "waiting"
        rows.append(TimelineRow(c, status, progress_ids.get(c.pk), _segments(months, start, end, css, status.label)))
    return {
        "months": months,
        "current_month": today.month if today.year == plan.year else None,
        "plan_rows": plan_rows,
        "rows": rows,
        "late_count": sum(r.status.late for r in rows),
    }


def progress_get(*, user, pk: int) -> CommunityProgress:
    qs = CommunityProgress.objects.select_related("plan", "plan__township", "plan__pilot", "community")
    return get_object_or_404(scoped(user, qs), pk=pk)


def progress_for_user(*, user) -> CommunityProgress | None:
    """A secretary's own community's progress in the latest plan."""
    return scoped(user, CommunityProgress.objects.all()).order_by("-plan__year").select_related("plan").first()


def stage_changes(*, progress: CommunityProgress):
    return list(progress.changes.select_related("by"))


def document_q(user) -> Q:
    """Plan documents: the community's scope, and a liaison reads those of their unit's community
    (to comment on them, R25.3)."""
    if role_of(user) == "liaison":
        return Q(community__units=user.unit_id) if user.unit_id else Q(pk__in=[])
    return scope_q(user, PlanDocument)


def document_list(*, user):
    return (
        PlanDocument.objects.filter(document_q(user))
        .select_related("community")
        .annotate(opinion_count=Count("opinions"))
        .order_by("-created_at")
    )


def document_get(*, user, pk: int) -> PlanDocument:
    qs = PlanDocument.objects.filter(document_q(user)).select_related("community", "uploaded_by", "opinions_closed_by")
    return get_object_or_404(qs, pk=pk)


def opinions_visible(*, user, document: PlanDocument):
    """The opinions the user may read: a liaison their own unit's, everyone else all of them."""
    qs = document.opinions.select_related("unit", "author")
    if role_of(user) == "liaison":
        qs = qs.filter(unit_id=user.unit_id)
    return list(qs)


def held_meetings(*, community: Community):
    from meetings.models import Meeting

    return Meeting.objects.filter(committee__community=community, status__in=HELD_STATUSES).order_by("-starts_at")


def progress_for_community(*, community: Community) -> CommunityProgress | None:
    """The community's progress in its township's latest plan."""
    return CommunityProgress.objects.filter(community=community).order_by("-plan__year").first()


def pilot_locked(*, plan: RolloutPlan) -> bool:
    """R25.4 (issue #11 item 17): once any community of the plan entered stage 4 — it is there or
    beyond now, or its history shows it got there — the pilot can no longer be switched. 2 queries."""
    return (
        CommunityProgress.objects.filter(plan=plan, stage__gte=Stage.PILOT).exists()
        or StageChange.objects.filter(progress__plan=plan, to_stage__gte=Stage.PILOT).exists()
    )
