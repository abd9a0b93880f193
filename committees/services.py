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
from common.services import apply_changes as _apply
from common.services import save_audited as _save

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

# --- committees (R1, R4, R6) -------------------------------------------------------------

COMMITTEE_FIELDS = ("name", "term_start", "term_end", "mode", "meeting_frequency")


def _check_term(term_start: datetime.date, term_end: datetime.date) -> None:
    if term_end <= term_start:
        raise ValidationError({"term_end": _("任期届满日期必须晚于任期开始日期。")})


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
    """R1/R6: one committee in office per community; its term equals the community party-org
    term, 5 years from ``term_start`` unless ``term_end`` is given."""
    community = Community.objects.select_for_update().get(pk=community.pk)
    if Committee.objects.filter(community=community, is_active=True).exists():
        raise ValidationError({"community": _("该社区已有本届大党委，请先办理换届再新建。")})
    term_end = term_end or add_years(term_start, TERM_YEARS_DEFAULT) - datetime.timedelta(days=1)
    _check_term(term_start, term_end)
    committee = Committee(
        community=community,
        name=name.strip() or _("%(community)s大党委") % {"community": community.name},
        term_start=term_start,
        term_end=term_end,
        mode=mode,
        meeting_frequency=meeting_frequency,
    )
    try:
        with transaction.atomic():
            return _save(committee, actor)
    except IntegrityError as exc:  # a concurrent request created it first (committee_one_active)
        raise ValidationError({"community": _("该社区已有本届大党委，请先办理换届再新建。")}) from exc


@transaction.atomic
def committee_update(*, actor, committee: Committee, **fields) -> Committee:
    """R4/R6: name, term, mode and meeting frequency; the community never changes."""
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    changed = _apply(committee, {k: v for k, v in fields.items() if k in COMMITTEE_FIELDS})
    if not changed:
        return committee
    _check_term(committee.term_start, committee.term_end)
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
    if unit.is_active:
        raise ValidationError(_("该单位在册，无需恢复。"))
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


def _cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _not_after_today(day: datetime.date, field: str, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: message})


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
    user=None,
    nominated_on: datetime.date | None = None,
) -> Post:
    """R5: a nomination produced by consultation and recommendation of the named parties; it is
    not in force until both county bodies approve it (``post_approval_record``)."""
    if not committee.is_active:
        raise ValidationError(_("往届大党委不能再提名，请在本届大党委中提名。"))
    if unit.community_id != committee.community_id:
        raise ValidationError({"unit": _("任职人所在单位必须是本社区的成员单位。")})
    if not unit.is_active:
        raise ValidationError({"unit": _("该单位已停用，不能提名。")})
    chosen = set(recommended_by)
    recommended = [r for r in Post.Recommender.values if r in chosen]  # the plan's order, no repeats
    if not recommended:
        raise ValidationError({"recommended_by": _("请至少选择一个推荐方（协商推荐）。")})
    if user is not None and not user.is_active:
        raise ValidationError({"user": _("该平台账号已停用。")})
    nominated_on = nominated_on or timezone.localdate()
    _not_after_today(nominated_on, "nominated_on", _("提名日期不能晚于今天。"))
    post = Post(
        committee=committee,
        kind=kind,
        holder_name=holder_name.strip(),
        unit=unit,
        holder_title=holder_title.strip(),
        user=user,
        is_unit_party_head=is_unit_party_head,
        # R4: the full-time deputy is the community party-org secretary's own job, never part-time.
        is_part_time=is_part_time and kind != Post.Kind.FULLTIME_DEPUTY,
        recommended_by=recommended,
        nominated_on=nominated_on,
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
    """R5: record one county body's decision (县委组织部 or 县民政局), once per body.

    Both bodies approving puts the post in force from the later decision date (and fills the
    oldest open vacancy of its kind, R6); either body rejecting rejects the nomination, which is
    kept with its approvals and can take no further decision."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != Post.Status.NOMINATED:
        raise ValidationError(_("该提名已办结（%(status)s），不能再登记审批。") % {"status": post.get_status_display()})
    if decided_on < post.nominated_on:
        raise ValidationError({"decided_on": _("审批日期不能早于提名日期。")})
    _not_after_today(decided_on, "decided_on", _("审批日期不能晚于今天。"))
    if decision == PostApproval.Decision.REJECTED and not remark.strip():
        raise ValidationError({"remark": _("不批准时请在备注中写明理由。")})
    if post.approvals.filter(body=body).exists():
        raise ValidationError({"body": _("该机关的审批结果已登记，不能重复登记。")})
    approval = PostApproval(
        post=post, body=body, decision=decision, decided_on=decided_on, remark=remark.strip(), recorded_by=actor
    )
    approval.full_clean(validate_constraints=False)  # the unique (post, body) is answered above
    set_actor(approval, actor)
    try:
        with transaction.atomic():
            approval.save()
    except IntegrityError as exc:  # a concurrent request recorded the same body first
        raise ValidationError({"body": _("该机关的审批结果已登记，不能重复登记。")}) from exc

    if decision == PostApproval.Decision.REJECTED:
        post.status = Post.Status.REJECTED
        _save(post, actor, update_fields=["status"], reason=_("%(body)s不批准") % {"body": approval.get_body_display()})
        return approval

    approvals = list(post.approvals.all())
    approved = {a.body for a in approvals if a.decision == PostApproval.Decision.APPROVED}
    if approved >= set(PostApproval.Body.values):
        _post_bring_into_force(actor=actor, post=post, on=max(a.decided_on for a in approvals))
    return approval


def _post_bring_into_force(*, actor, post: Post, on: datetime.date) -> None:
    if post.kind in (Post.Kind.SECRETARY, Post.Kind.FULLTIME_DEPUTY):
        # R3: one secretary and one full-time deputy: the newly approved one takes over.
        for previous in Post.objects.select_for_update().filter(
            committee=post.committee, kind=post.kind, status=Post.Status.IN_FORCE
        ):
            previous.status, previous.ended_on = Post.Status.ENDED, max(on, previous.in_force_from)
            previous.end_reason = _("由 %(name)s 接任") % {"name": post.holder_name}
            _save(previous, actor, update_fields=["status", "ended_on", "end_reason"], reason=previous.end_reason)
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
        _save(vacancy, actor, update_fields=["filled_by", "filled_on"], reason=_("已补充配备"))


@transaction.atomic
def post_end(*, actor, post: Post, ended_on: datetime.date, reason: str) -> Vacancy:
    """R6: a post in force ends (resignation, removal, transfer); the seat is a vacancy from that
    day until a post of the same kind comes into force."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != Post.Status.IN_FORCE:
        raise ValidationError(_("只有在任的职务才能卸任。"))
    if not reason.strip():
        raise ValidationError({"end_reason": _("请填写卸任原因。")})
    if ended_on < post.in_force_from:
        message = _("卸任日期不能早于任职日期（%(day)s）。") % {"day": _cn(post.in_force_from)}
        raise ValidationError({"ended_on": message})
    _not_after_today(ended_on, "ended_on", _("卸任日期不能晚于今天。"))
    post.status, post.ended_on, post.end_reason = Post.Status.ENDED, ended_on, reason.strip()
    _save(post, actor, update_fields=["status", "ended_on", "end_reason"], reason=reason.strip())
    return vacancy_open(
        actor=actor,
        committee=post.committee,
        kind=post.kind,
        opened_on=ended_on,
        reason=reason.strip(),
        previous_post=post,
    )


@transaction.atomic
def vacancy_open(
    *, actor, committee: Committee, kind: str, opened_on: datetime.date, reason: str, previous_post: Post | None = None
) -> Vacancy:
    """R6: record an open seat; it is listed with its days open until a post fills it."""
    if not committee.is_active:
        raise ValidationError(_("往届大党委不再登记空缺。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写出缺原因。")})
    _not_after_today(opened_on, "opened_on", _("出缺日期不能晚于今天。"))
    if opened_on < committee.term_start:
        message = _("出缺日期不能早于大党委任期开始（%(day)s）。") % {"day": _cn(committee.term_start)}
        raise ValidationError({"opened_on": message})
    vacancy = Vacancy(
        committee=committee, kind=kind, opened_on=opened_on, reason=reason.strip(), previous_post=previous_post
    )
    return _save(vacancy, actor)


# --- the rotating secretary (R7) -----------------------------------------------------------


def _check_no_overlap(terms: list[RotationTerm]) -> None:
    ordered = sorted(terms, key=lambda t: t.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start <= a.end:
            raise ValidationError(
                _("轮值任期重叠：%(a)s（至%(a_end)s）与 %(b)s（自%(b_start)s）。")
                % {"a": a.holder_name, "a_end": _cn(a.end), "b": b.holder_name, "b_start": _cn(b.start)},
                code="rotation_overlap",
            )


def _lock_committee(committee: Committee) -> Committee:
    return Committee.objects.select_for_update().get(pk=committee.pk)


def _is_history(term: RotationTerm, today: datetime.date) -> bool:
    """An approved term that has begun is handover history: it is never replaced or edited."""
    return term.is_approved and term.start <= today


def _check_rotation_unit(committee: Committee, unit: Unit, field: str = "unit") -> None:
    if unit.community_id != committee.community_id:
        raise ValidationError({field: _("轮值单位必须是本社区的成员单位。")})
    if not unit.is_resident_unit:
        raise ValidationError({field: _("书记由驻区单位党组织书记轮值，社区党组织不参加轮值。")})
    if not unit.is_active:
        raise ValidationError({field: _("%(unit)s 已停用，不能参加轮值。") % {"unit": unit.name}})


def _save_term(term: RotationTerm, actor, **kwargs) -> RotationTerm:
    try:
        with transaction.atomic():
            return _save(term, actor, **kwargs)
    except IntegrityError as exc:  # the database's own overlap guard (migration 0002)
        raise ValidationError(_("轮值任期与已有安排重叠。"), code="rotation_overlap") from exc


@transaction.atomic
def rotation_generate(
    *, actor, committee: Committee, units: Sequence[Unit], start: datetime.date | None = None
) -> list[RotationTerm]:
    """R7: propose one year per holder (一年一任), the chosen resident units' party-org
    secretaries in the given order, repeating the order until the committee's term ends.

    The plan starts at ``start`` or else the day after the handover history (approved terms
    that have begun), or the committee's first day. Every other term — proposals and approved
    terms not yet begun — is replaced; the new plan awaits approval (``rotation_approve``)."""
    committee = _lock_committee(committee)
    chosen = list(dict.fromkeys(units))
    if not chosen:
        raise ValidationError({"units": _("请至少选择一个有党组织书记的驻区单位。")})
    for unit in chosen:
        _check_rotation_unit(committee, unit, field="units")
        if not unit.party_org_secretary.strip():
            raise ValidationError({"units": _("%(unit)s 未登记党组织书记，请先在台账中补充。") % {"unit": unit.name}})
    today = timezone.localdate()
    existing = list(RotationTerm.objects.filter(committee=committee).order_by("start"))
    kept = [t for t in existing if _is_history(t, today)]
    replaced = [t for t in existing if not _is_history(t, today)]
    covered_until = max((t.end for t in kept), default=committee.term_start - datetime.timedelta(days=1))
    begin = start or covered_until + datetime.timedelta(days=1)
    if begin < committee.term_start or begin > committee.term_end:
        raise ValidationError(
            {
                "start": _("轮值开始日期必须在大党委任期（%(start)s—%(end)s）之内。")
                % {"start": _cn(committee.term_start), "end": _cn(committee.term_end)}
            }
        )
    terms: list[RotationTerm] = []
    while begin <= committee.term_end:
        unit = chosen[len(terms) % len(chosen)]
        end = min(add_years(begin, 1) - datetime.timedelta(days=1), committee.term_end)
        terms.append(
            RotationTerm(
                committee=committee, unit=unit, holder_name=unit.party_org_secretary.strip(), start=begin, end=end
            )
        )
        begin = end + datetime.timedelta(days=1)
    _check_no_overlap(kept + terms)
    for term in replaced:
        set_actor(term, actor, _("重新生成轮值安排"))
        term.delete()
    for term in terms:
        _save_term(term, actor, reason=_("生成轮值安排"))
    return terms


@transaction.atomic
def rotation_term_update(
    *, actor, term: RotationTerm, unit: Unit, holder_name: str, start: datetime.date, end: datetime.date
) -> RotationTerm:
    """R7: edit one term. Handover history (an approved term that has begun) never changes; an
    edited term needs approval again."""
    committee = _lock_committee(term.committee)
    term = RotationTerm.objects.select_for_update().get(pk=term.pk)
    if _is_history(term, timezone.localdate()):
        raise ValidationError(_("已开始的轮值任期属于交接历史，不能修改。"))
    _check_rotation_unit(committee, unit)
    if not holder_name.strip():
        raise ValidationError({"holder_name": _("请填写轮值书记姓名。")})
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if start < committee.term_start or end > committee.term_end:
        raise ValidationError(
            _("轮值任期必须在大党委任期（%(start)s—%(end)s）之内。")
            % {"start": _cn(committee.term_start), "end": _cn(committee.term_end)}
        )
    others = list(RotationTerm.objects.filter(committee=committee).exclude(pk=term.pk))
    term.unit, term.holder_name, term.start, term.end = unit, holder_name.strip(), start, end
    term.approved_on, term.approved_by = None, None
    _check_no_overlap(others + [term])
    return _save_term(term, actor, reason=_("修改轮值任期"))


@transaction.atomic
def rotation_swap(*, actor, first: RotationTerm, second: RotationTerm) -> None:
    """R7 reorder: two terms exchange their holders; the dates stay, so no gap appears. Both
    need approval again."""
    _lock_committee(first.committee)
    today = timezone.localdate()
    a, b = (RotationTerm.objects.select_for_update().get(pk=t.pk) for t in (first, second))
    if a.pk == b.pk or a.committee_id != b.committee_id:
        raise ValidationError(_("只能调整同一大党委两个不同任期的轮值顺序。"))
    if _is_history(a, today) or _is_history(b, today):
        raise ValidationError(_("已开始的轮值任期属于交接历史，不能调整。"))
    (a.unit, a.holder_name), (b.unit, b.holder_name) = (b.unit, b.holder_name), (a.unit, a.holder_name)
    for t in (a, b):
        t.approved_on, t.approved_by = None, None
        _save(t, actor, update_fields=["unit", "holder_name", "approved_on", "approved_by"], reason=_("调整轮值顺序"))


@transaction.atomic
def rotation_approve(*, actor, committee: Committee, on: datetime.date | None = None) -> int:
    """R7: approve the plan; refused, with every gap and overlap named, while the plan does not
    cover the committee's term exactly."""
    committee = _lock_committee(committee)
    terms = list(RotationTerm.objects.filter(committee=committee).order_by("start"))
    problems = rotation_gaps(committee, terms)
    if problems:
        raise ValidationError(problems, code="rotation_gap")
    pending = [t for t in terms if not t.is_approved]
    if not pending:
        raise ValidationError(_("轮值安排已全部批准，没有待批准的任期。"))
    on = on or timezone.localdate()
    for term in pending:
        term.approved_on, term.approved_by = on, actor
        _save(term, actor, update_fields=["approved_on", "approved_by"], reason=_("批准轮值安排"))
    return len(pending)


def rotation_gaps(committee: Committee, terms: list[RotationTerm] | None = None) -> list[str]:
    """R7: the plan's gaps, overlaps and terms outside the committee's term, as messages
    (an empty list: the plan covers the term day by day, once)."""
    if terms is None:
        terms = list(RotationTerm.objects.filter(committee=committee).order_by("start"))
    if not terms:
        return [_("尚未制定轮值安排。")]
    problems = []
    expected = committee.term_start
    for term in sorted(terms, key=lambda t: t.start):
        if term.start < committee.term_start or term.end > committee.term_end:
            problems.append(
                _("%(name)s 的任期（%(start)s—%(end)s）超出大党委任期，请调整。")
                % {"name": term.holder_name, "start": _cn(term.start), "end": _cn(term.end)}
            )
        if term.start > expected:
            problems.append(
                _("%(start)s 至 %(end)s 无人轮值，请补充。")
                % {"start": _cn(expected), "end": _cn(term.start - datetime.timedelta(days=1))}
            )
        elif term.start < expected and term.start >= committee.term_start:
            problems.append(
                _("%(name)s 的任期（自%(start)s）与前一任期重叠。")
                % {"name": term.holder_name, "start": _cn(term.start)}
            )
        expected = max(expected, term.end + datetime.timedelta(days=1))
    if expected <= committee.term_end:
        problems.append(
            _("%(start)s 至任期届满（%(end)s）无人轮值，请补充。")
            % {"start": _cn(expected), "end": _cn(committee.term_end)}
        )
    return problems
