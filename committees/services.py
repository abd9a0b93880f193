"""Every write to the organisation: committees, units (R2), grids (R26), posts (R3–R6) and the
rotating secretary (R7). Each service is atomic, validates with full_clean() and records who
made the change in the history (common.audit)."""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.audit import set_actor

from .models import (
    TERM_YEARS_DEFAULT,
    BuildingGroup,
    Committee,
    Community,
    Grid,
    Post,
    PostApproval,
    RotationTerm,
    Unit,
    Vacancy,
    add_years,
)


def _save(obj, actor, *, update_fields: Sequence[str] | None = None, reason: str = ""):
    obj.full_clean()
    set_actor(obj, actor, reason)
    if update_fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*update_fields, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
    return obj


def _apply(obj, fields: dict) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    return changed


# --- committees (R1, R4, R6) -------------------------------------------------------------


@transaction.atomic
def committee_create(
    *,
    actor,
    community: Community,
    name: str,
    term_start: datetime.date,
    term_end: datetime.date | None = None,
    mode: str = Committee.Mode.ROTATING,
    meeting_frequency: str = Committee.Frequency.QUARTERLY,
) -> Committee:
    """R6: the term equals the community party-org term, 5 years unless given."""
    if Committee.objects.filter(community=community, is_active=True).exists():
        raise ValidationError(_("该社区已有本届大党委，请先办理换届再新建。"))
    committee = Committee(
        community=community,
        name=name,
        term_start=term_start,
        term_end=term_end or add_years(term_start, TERM_YEARS_DEFAULT) - datetime.timedelta(days=1),
        mode=mode,
        meeting_frequency=meeting_frequency,
    )
    return _save(committee, actor)


@transaction.atomic
def committee_update(*, actor, committee: Committee, **fields) -> Committee:
    allowed = {"name", "term_start", "term_end", "mode", "meeting_frequency"}
    changed = _apply(committee, {k: v for k, v in fields.items() if k in allowed})
    if not changed:
        return committee
    return _save(committee, actor, update_fields=changed)


# --- units and the ledger (R2) ----------------------------------------------------------

UNIT_FIELDS = (
    "name",
    "unit_type",
    "industry",
    "grid",
    "address",
    "party_org_name",
    "party_org_kind",
    "party_org_secretary",
    "members_direct",
    "members_in_service",
    "members_floating",
    "liaison_name",
    "liaison_phone",
    "contact_phone",
    "contact_email",
)


def _check_grid(community: Community, grid: Grid | None) -> None:
    if grid is not None and grid.community_id != community.pk:
        raise ValidationError({"grid": _("所选网格不属于本社区。")})


@transaction.atomic
def unit_create(*, actor, community: Community, **fields) -> Unit:
    _check_grid(community, fields.get("grid"))
    unit = Unit(community=community, **{k: v for k, v in fields.items() if k in UNIT_FIELDS})
    return _save(unit, actor)


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    _check_grid(unit.community, fields.get("grid"))
    changed = _apply(unit, {k: v for k, v in fields.items() if k in UNIT_FIELDS})
    if not changed:
        return unit
    return _save(unit, actor, update_fields=changed)


@transaction.atomic
def unit_deactivate(*, actor, unit: Unit, reason: str, on: datetime.date | None = None) -> Unit:
    """R2: a unit with history is never deleted; it leaves the ledger with a date and reason.
    Its posts in force end, which opens vacancies (R6)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError(_("该单位已停用。"))
    if not reason.strip():
        raise ValidationError({"deactivation_reason": _("请填写停用原因。")})
    on = on or timezone.localdate()
    unit.is_active, unit.deactivated_on, unit.deactivation_reason = False, on, reason.strip()
    _save(unit, actor, update_fields=["is_active", "deactivated_on", "deactivation_reason"], reason=reason)
    for post in Post.objects.filter(unit=unit, status=Post.Status.IN_FORCE):
        post_end(actor=actor, post=post, ended_on=on, reason=_("所在单位停用：%(reason)s") % {"reason": reason})
    return unit


@transaction.atomic
def unit_reactivate(*, actor, unit: Unit) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.is_active, unit.deactivated_on, unit.deactivation_reason = True, None, ""
    return _save(unit, actor, update_fields=["is_active", "deactivated_on", "deactivation_reason"])


# --- grids (R26) ------------------------------------------------------------------------


@transaction.atomic
def grid_save(*, actor, community: Community, grid: Grid | None = None, **fields) -> Grid:
    grid = grid or Grid(community=community)
    _apply(grid, {k: v for k, v in fields.items() if k in {"name", "area", "branch_name", "party_members"}})
    return _save(grid, actor)


@transaction.atomic
def building_group_save(*, actor, grid: Grid, group: BuildingGroup | None = None, **fields) -> BuildingGroup:
    group = group or BuildingGroup(grid=grid)
    _apply(group, {k: v for k, v in fields.items() if k in {"name", "buildings", "leader", "party_members"}})
    return _save(group, actor)


# --- posts, nomination and approval (R3–R6) ---------------------------------------------


@transaction.atomic
def post_nominate(
    *,
    actor,
    committee: Committee,
    kind: str,
    holder_name: str,
    unit: Unit,
    holder_title: str = "",
    is_unit_party_head: bool = False,
    is_part_time: bool = True,
    recommended_by: Iterable[str] = (),
    nominated_on: datetime.date | None = None,
) -> Post:
    """R5: a nomination by consultation and recommendation; not in force until approved."""
    if unit.community_id != committee.community_id:
        raise ValidationError({"unit": _("任职人所在单位必须是本社区的成员单位。")})
    if not unit.is_active:
        raise ValidationError({"unit": _("该单位已停用，不能提名。")})
    recommended = [r for r in recommended_by if r in Post.Recommender.values]
    if not recommended:
        raise ValidationError({"recommended_by": _("请至少选择一个推荐方（协商推荐，R5）。")})
    post = Post(
        committee=committee,
        kind=kind,
        holder_name=holder_name.strip(),
        unit=unit,
        holder_title=holder_title,
        is_unit_party_head=is_unit_party_head,
        is_part_time=is_part_time and kind != Post.Kind.FULLTIME_DEPUTY,
        recommended_by=recommended,
        nominated_on=nominated_on or timezone.localdate(),
    )
    return _save(post, actor)


@transaction.atomic
def post_approval_record(
    *,
    actor,
    post: Post,
    body: str,
    decision: str,
    decided_on: datetime.date,
    remark: str = "",
) -> PostApproval:
    """R5: record one county body's decision. Both bodies approving puts the post in force
    (and fills the oldest open vacancy of that kind, R6); either rejecting rejects it."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != Post.Status.NOMINATED:
        raise ValidationError(_("该提名已办结（%(status)s），不能再登记审批。") % {"status": post.get_status_display()})
    if decided_on < post.nominated_on:
        raise ValidationError({"decided_on": _("审批日期不能早于提名日期。")})
    if post.approvals.filter(body=body).exists():
        raise ValidationError({"body": _("该机关的审批结果已登记。")})
    approval = PostApproval(
        post=post, body=body, decision=decision, decided_on=decided_on, remark=remark, recorded_by=actor
    )
    approval.full_clean()
    set_actor(approval, actor)
    try:
        with transaction.atomic():
            approval.save()
    except IntegrityError as exc:  # a concurrent request recorded the same body first
        raise ValidationError({"body": _("该机关的审批结果已登记。")}) from exc

    if decision == PostApproval.Decision.REJECTED:
        post.status = Post.Status.REJECTED
        _save(post, actor, update_fields=["status"], reason=_("%(body)s不批准") % {"body": approval.get_body_display()})
        return approval

    decisions = set(post.approvals.values_list("body", "decision"))
    if {(b, PostApproval.Decision.APPROVED) for b in PostApproval.Body.values} <= decisions:
        _post_bring_into_force(actor=actor, post=post, on=decided_on)
    return approval


def _post_bring_into_force(*, actor, post: Post, on: datetime.date) -> None:
    if post.kind in (Post.Kind.SECRETARY, Post.Kind.FULLTIME_DEPUTY):
        # R3: a new secretary / full-time deputy replaces the one in force (handover).
        for previous in Post.objects.select_for_update().filter(
            committee=post.committee, kind=post.kind, status=Post.Status.IN_FORCE
        ):
            previous.status, previous.ended_on = Post.Status.ENDED, max(on, previous.in_force_from)
            previous.end_reason = _("由 %(name)s 接任") % {"name": post.holder_name}
            _save(previous, actor, update_fields=["status", "ended_on", "end_reason"])
    post.status, post.in_force_from = Post.Status.IN_FORCE, on
    _save(post, actor, update_fields=["status", "in_force_from"], reason=_("两机关均已批准，任职生效"))
    vacancy = (
        Vacancy.objects.select_for_update()
        .filter(committee=post.committee, kind=post.kind, filled_on__isnull=True)
        .order_by("opened_on", "pk")
        .first()
    )
    if vacancy is not None:
        vacancy.filled_by, vacancy.filled_on = post, max(on, vacancy.opened_on)
        _save(vacancy, actor)


@transaction.atomic
def post_end(*, actor, post: Post, ended_on: datetime.date, reason: str) -> Vacancy:
    """R6: a post in force ends (resignation, removal, transfer); the seat is a vacancy until
    filled."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != Post.Status.IN_FORCE:
        raise ValidationError(_("只有在任的职务才能卸任。"))
    if not reason.strip():
        raise ValidationError({"end_reason": _("请填写卸任原因。")})
    if ended_on < post.in_force_from:
        raise ValidationError({"ended_on": _("卸任日期不能早于任职日期。")})
    post.status, post.ended_on, post.end_reason = Post.Status.ENDED, ended_on, reason.strip()
    _save(post, actor, update_fields=["status", "ended_on", "end_reason"], reason=reason)
    return vacancy_open(
        actor=actor, committee=post.committee, kind=post.kind, opened_on=ended_on, reason=reason, previous_post=post
    )


@transaction.atomic
def vacancy_open(
    *, actor, committee: Committee, kind: str, opened_on: datetime.date, reason: str, previous_post: Post | None = None
) -> Vacancy:
    vacancy = Vacancy(committee=committee, kind=kind, opened_on=opened_on, reason=reason, previous_post=previous_post)
    return _save(vacancy, actor)


# --- the rotating secretary (R7) -----------------------------------------------------------


def _check_no_overlap(terms: list[RotationTerm]) -> None:
    ordered = sorted(terms, key=lambda t: t.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start <= a.end:
            raise ValidationError(_("轮值任期重叠：%(a)s 与 %(b)s。") % {"a": a, "b": b}, code="rotation_overlap")


def _lock_committee(committee: Committee) -> Committee:
    return Committee.objects.select_for_update().get(pk=committee.pk)


@transaction.atomic
def rotation_generate(
    *, actor, committee: Committee, units: Sequence[Unit], start: datetime.date | None = None
) -> list[RotationTerm]:
    """R7: propose one year per holder, in the given order, from ``start`` (default: the first
    day not covered by a past or approved term) to the end of the committee's term. Future
    unapproved terms are replaced; the handover history (past terms) is kept."""
    committee = _lock_committee(committee)
    candidates = [u for u in units if u.is_resident_unit and u.community_id == committee.community_id and u.is_active]
    if not candidates:
        raise ValidationError(_("请至少选择一个有党组织书记的驻区单位。"))
    today = timezone.localdate()
    kept = list(RotationTerm.objects.filter(committee=committee).filter(approved_on__isnull=False))
    RotationTerm.objects.filter(committee=committee, approved_on__isnull=True, start__gte=today).delete()
    kept += list(RotationTerm.objects.filter(committee=committee, approved_on__isnull=True, start__lt=today))
    covered_until = max((t.end for t in kept), default=committee.term_start - datetime.timedelta(days=1))
    begin = start or covered_until + datetime.timedelta(days=1)
    terms = []
    i = 0
    while begin <= committee.term_end:
        unit = candidates[i % len(candidates)]
        end = min(add_years(begin, 1) - datetime.timedelta(days=1), committee.term_end)
        term = RotationTerm(
            committee=committee, unit=unit, holder_name=unit.party_org_secretary or unit.name, start=begin, end=end
        )
        terms.append(term)
        begin, i = end + datetime.timedelta(days=1), i + 1
    _check_no_overlap(kept + terms)
    for term in terms:
        _save(term, actor)
    return terms


@transaction.atomic
def rotation_term_update(
    *, actor, term: RotationTerm, unit: Unit, holder_name: str, start: datetime.date, end: datetime.date
) -> RotationTerm:
    """Edit one term. An approved term that has begun is history and cannot change."""
    _lock_committee(term.committee)
    term = RotationTerm.objects.select_for_update().get(pk=term.pk)
    if term.is_approved and term.start <= timezone.localdate():
        raise ValidationError(_("已开始的轮值任期属于交接历史，不能修改。"))
    if unit.community_id != term.committee.community_id:
        raise ValidationError({"unit": _("轮值单位必须是本社区的成员单位。")})
    others = list(RotationTerm.objects.filter(committee=term.committee).exclude(pk=term.pk))
    term.unit, term.holder_name, term.start, term.end = unit, holder_name.strip(), start, end
    term.approved_on, term.approved_by = None, None  # an edited plan needs approval again
    if start < term.committee.term_start or end > term.committee.term_end:
        raise ValidationError(_("轮值任期必须在大党委任期之内。"))
    _check_no_overlap(others + [term])
    try:
        with transaction.atomic():
            return _save(term, actor)
    except IntegrityError as exc:  # the database's own overlap guard (migration 0002)
        raise ValidationError(_("轮值任期与已有安排重叠。"), code="rotation_overlap") from exc


@transaction.atomic
def rotation_swap(*, actor, first: RotationTerm, second: RotationTerm) -> None:
    """Reorder: two future terms exchange their holders (dates stay, so no gap appears)."""
    _lock_committee(first.committee)
    today = timezone.localdate()
    a, b = (RotationTerm.objects.select_for_update().get(pk=t.pk) for t in (first, second))
    if a.committee_id != b.committee_id:
        raise ValidationError(_("只能调整同一大党委的轮值顺序。"))
    if (a.is_approved and a.start <= today) or (b.is_approved and b.start <= today):
        raise ValidationError(_("已开始的轮值任期属于交接历史，不能调整。"))
    (a.unit, a.holder_name), (b.unit, b.holder_name) = (b.unit, b.holder_name), (a.unit, a.holder_name)
    for t in (a, b):
        t.approved_on, t.approved_by = None, None
        _save(t, actor, update_fields=["unit", "holder_name", "approved_on", "approved_by"])


@transaction.atomic
def rotation_approve(*, actor, committee: Committee, on: datetime.date | None = None) -> int:
    """R7: approve the plan; refused while it leaves a gap or overlaps inside the term."""
    committee = _lock_committee(committee)
    problems = rotation_gaps(committee)
    if problems:
        raise ValidationError(problems)
    on = on or timezone.localdate()
    count = 0
    for term in RotationTerm.objects.filter(committee=committee, approved_on__isnull=True):
        term.approved_on, term.approved_by = on, actor
        _save(term, actor, update_fields=["approved_on", "approved_by"], reason=_("批准轮值安排"))
        count += 1
    return count


def rotation_gaps(committee: Committee, terms: list[RotationTerm] | None = None) -> list[str]:
    """R7: the plan's gaps and overlaps inside the committee's term, as messages (empty = ok)."""
    if terms is None:
        terms = list(RotationTerm.objects.filter(committee=committee).order_by("start"))
    if not terms:
        return [_("尚未制定轮值安排。")]
    problems = []
    expected = committee.term_start
    for term in sorted(terms, key=lambda t: t.start):
        if term.start > expected:
            problems.append(
                _("%(start)s 至 %(end)s 无人轮值，请补充。")
                % {"start": f"{expected:%Y-%m-%d}", "end": f"{term.start - datetime.timedelta(days=1):%Y-%m-%d}"}
            )
        elif term.start < expected:
            problems.append(_("%(term)s 与前一任期重叠。") % {"term": term})
        expected = max(expected, term.end + datetime.timedelta(days=1))
    if expected <= committee.term_end:
        problems.append(
            _("%(start)s 至任期届满（%(end)s）无人轮值，请补充。")
            % {"start": f"{expected:%Y-%m-%d}", "end": f"{committee.term_end:%Y-%m-%d}"}
        )
    return problems
