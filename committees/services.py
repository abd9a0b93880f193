"""Every write to the organisation: committees, units (R2), grids (R26), posts (R3–R6) and the
rotating secretary (R7). Each service is atomic, validates with full_clean() and records who
made the change in the history (common.audit)."""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import permissions
from common.audit import set_actor
from common.services import apply_changes as _apply
from common.services import save_audited as _save
from common.validators import mobile_normalize

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
from .signals import post_phone_changed

# --- committees (R1, R4, R6) -------------------------------------------------------------

COMMITTEE_FIELDS = ("name", "term_start", "term_end", "mode", "meeting_frequency", "rotation_approver")


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
    _require_active(committee)
    changed = _apply(committee, {k: v for k, v in fields.items() if k in COMMITTEE_FIELDS})
    if not changed:
        return committee
    _check_term(committee.term_start, committee.term_end)
    return _save(committee, actor, update_fields=changed)


def _require_active(committee: Committee) -> None:
    """R6: a committee closed by 换届 is history, read-only."""
    if not committee.is_active:
        raise ValidationError(_("往届大党委只读：换届后不能再修改，请在本届大党委中办理。"), code="committee_closed")


@transaction.atomic
def committee_renew(
    *,
    actor,
    committee: Committee,
    term_start: datetime.date,
    term_end: datetime.date | None = None,
    name: str = "",
) -> Committee:
    """R6 换届: close the committee's term and form the next committee of the community.

    The old committee becomes history (inactive, read-only; its term is cut to end the day
    before the new one if it was renewed early); its posts in force end that day with the
    reason 换届, and each is nominated again in the new committee (same person, unit and post),
    to be approved by both county bodies (R5). Units belong to the community and carry over; the
    mode, meeting frequency and rotation approver are kept. The new term defaults to five years.
    Returns the new committee."""
    old = Committee.objects.select_for_update().select_related("community").get(pk=committee.pk)
    if not old.is_active:
        raise ValidationError(_("该大党委已换届，请在本届大党委中办理。"))
    if term_start <= old.term_start:
        message = _("新一届的任期开始日期必须晚于本届的开始日期（%(day)s）。") % {"day": _cn(old.term_start)}
        raise ValidationError({"term_start": message})
    _not_after_today(term_start, "term_start", _("换届日期不能晚于今天：换届完成后再登记。"))
    closing = term_start - datetime.timedelta(days=1)
    live = list(
        Post.objects.select_for_update()
        .select_related("unit")
        .filter(committee=old, status=Post.Status.IN_FORCE)
        .order_by("kind", "pk")
    )
    reason = _("换届：%(name)s任期结束") % {"name": old.name}
    for post in live:
        post.status, post.ended_on, post.end_reason = Post.Status.ENDED, max(closing, post.in_force_from), reason
        _save(post, actor, update_fields=["status", "ended_on", "end_reason"], reason=reason)
    old.is_active = False
    fields = ["is_active"]
    if old.term_end > closing:
        old.term_end = max(closing, old.term_start + datetime.timedelta(days=1))
        fields.append("term_end")
    _save(old, actor, update_fields=fields, reason=_("换届"))
    new = committee_create(
        actor=actor,
        community=old.community,
        name=name,
        term_start=term_start,
        term_end=term_end,
        mode=old.mode,
        meeting_frequency=old.meeting_frequency,
    )
    if new.rotation_approver != old.rotation_approver:
        new.rotation_approver = old.rotation_approver
        _save(new, actor, update_fields=["rotation_approver"])
    new.not_renominated = []  # posts the firm rules refuse now (old data): named, not a crash
    for post in sorted(live, key=lambda p: list(Post.Kind.values).index(p.kind)):
        try:
            _renominate(actor, new, post, term_start)
        except ValidationError as error:
            new.not_renominated.append((post, " ".join(error.messages)))
    return new


def _renominate(actor, committee: Committee, post: Post, on: datetime.date) -> Post:
    return post_nominate(
        actor=actor,
        committee=committee,
        kind=post.kind,
        holder_name=post.holder_name,
        unit=post.unit,
        holder_title=post.holder_title,
        is_unit_party_head=post.is_unit_party_head,
        is_part_time=post.is_part_time,
        recommended_by=post.recommended_by or [Post.Recommender.TOWNSHIP],
        user=post.user if post.user_id and post.user.is_active else None,
        nominated_on=on,
    )


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


MAX_DEPUTIES = 3  # R3: 副书记 2–3 名, the full-time deputy included
DEPUTY_KINDS = (Post.Kind.DEPUTY, Post.Kind.FULLTIME_DEPUTY)
LIVE = (Post.Status.NOMINATED, Post.Status.IN_FORCE)


def _check_one_post_per_person(post: Post) -> None:
    """R3: one person holds at most one post in a committee (in force or awaiting approval)."""
    other = (
        Post.objects.filter(committee_id=post.committee_id, holder_name=post.holder_name, status__in=LIVE)
        .exclude(pk=post.pk)
        .first()
    )
    if other is not None:
        message = _(
            "%(name)s 已在本届大党委%(state)s%(kind)s：一人只能担任一个职务。如需调整，请先办理其现任职务卸任。"
        ) % {
            "name": post.holder_name,
            "state": _("担任") if other.status == Post.Status.IN_FORCE else _("被提名为"),
            "kind": other.get_kind_display(),
        }
        raise ValidationError({"holder_name": ValidationError(message, code="one_post_per_person")})


def _check_deputies(post: Post) -> None:
    """R3: at most three deputy secretaries in force (the full-time deputy included). A new
    full-time deputy replaces the one in force, so that one is not counted."""
    if post.kind not in DEPUTY_KINDS:
        return
    in_force = Post.objects.filter(committee_id=post.committee_id, kind__in=DEPUTY_KINDS, status=Post.Status.IN_FORCE)
    in_force = in_force.exclude(pk=post.pk)
    if post.kind == Post.Kind.FULLTIME_DEPUTY:
        in_force = in_force.exclude(kind=Post.Kind.FULLTIME_DEPUTY)
    if in_force.count() >= MAX_DEPUTIES:
        message = _("已有 %(n)s 名副书记在任（含专职副书记），副书记最多 3 名。请先办理一名副书记卸任。") % {
            "n": MAX_DEPUTIES
        }
        raise ValidationError({"kind": ValidationError(message, code="too_many_deputies")})


def _check_rotating_mode(post: Post, committee: Committee) -> None:
    """R4 (P1, the rotating mode): the secretary is the party-org head of a resident unit
    (兼任); the full-time deputy is the sitting community party-org secretary. The "1+X" mode
    (P3) has its own composition, checked as guidance only."""
    if committee.mode != Committee.Mode.ROTATING:
        return
    if post.kind == Post.Kind.SECRETARY and not (post.unit.is_resident_unit and post.is_unit_party_head):
        message = _("轮值模式下，书记由驻区单位党组织负责人兼任：请选择驻区单位，并勾选“是单位党组织负责人”。")
        raise ValidationError({"unit": ValidationError(message, code="secretary_from_resident_unit")})
    if post.kind == Post.Kind.FULLTIME_DEPUTY:
        community_secretary = committee.community.party_org_secretary.strip()
        ok = post.unit.unit_type == Unit.Type.COMMUNITY_ORG and post.is_unit_party_head
        if community_secretary and post.holder_name != community_secretary:
            ok = False
        if not ok:
            message = _(
                "轮值模式下，专职副书记由现任社区党组织书记%(name)s担任：所在单位选社区党组织，并勾选“是单位党组织负责人”。"
            ) % {"name": community_secretary}
            raise ValidationError({"holder_name": ValidationError(message, code="fulltime_deputy_community_secretary")})


def _check_composition(post: Post, committee: Committee) -> None:
    """R3/R4: the firm composition rules, refused at nomination and again when a post comes
    into force (the committee row is locked then, so two approvals cannot both pass)."""
    _check_rotating_mode(post, committee)
    _check_one_post_per_person(post)
    _check_deputies(post)


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
    phone: str = "",
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
        phone=mobile_normalize(phone),
        user=user,
        is_unit_party_head=is_unit_party_head,
        # R4: the full-time deputy is the community party-org secretary's own job, never part-time.
        is_part_time=is_part_time and kind != Post.Kind.FULLTIME_DEPUTY,
        recommended_by=recommended,
        nominated_on=nominated_on,
    )
    committee = Committee.objects.select_for_update().select_related("community").get(pk=committee.pk)
    _check_composition(post, committee)
    try:
        with transaction.atomic():
            return _save(post, actor)
    except IntegrityError as exc:  # a concurrent nomination of the same person (post_one_per_person)
        _check_one_post_per_person(post)
        raise ValidationError(_("保存失败：数据已被他人修改，请刷新后重试。")) from exc


@transaction.atomic
def post_phone_update(*, actor, post: Post, phone: str) -> Post:
    """Issue #15 item 7: the holder's own mobile, where meeting notices go by SMS when the holder
    has no account or e-mail. The meetings app moves the post's attendees of meetings still ahead
    to the new number (``signals.post_phone_changed``)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in (Post.Status.NOMINATED, Post.Status.IN_FORCE):
        raise ValidationError(_("该职务“%(status)s”，不再修改手机号码。") % {"status": post.get_status_display()})
    old, phone = post.phone, mobile_normalize(phone)
    if old == phone:
        return post
    post.phone = phone
    _save(post, actor, update_fields=["phone"], reason=_("修改手机号码"))
    post_phone_changed.send(sender=Post, post=post, old=old, actor=actor)
    return post


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

    Only a county user acting for that body (``User.county_body``, in the post's county) records
    it: the township and the community that nominated never decide. Both bodies approving puts
    the post in force from the later decision date (and fills the oldest open vacancy of its
    kind, R6); either body rejecting rejects the nomination, which is kept with its approvals and
    can take no further decision."""
    post = Post.objects.select_for_update().select_related("committee__community__township").get(pk=post.pk)
    _require_active(post.committee)
    if not permissions.acts_for_body(actor, body, post.committee.community.township.county_id):
        label = dict(PostApproval.Body.choices).get(body, _("县级机关"))
        message = _("%(body)s的审批结果只能由%(body)s的经办人登记；镇（街道）和社区提名后只能查看审批进度。")
        raise ValidationError({"body": ValidationError(message % {"body": label}, code="not_county_body")})
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
    # R3/R4 again at the moment of coming into force, under the committee's row lock: two
    # approvals at once cannot both put a fourth deputy in force.
    committee = Committee.objects.select_for_update().select_related("community").get(pk=post.committee_id)
    _check_composition(post, committee)
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
    """The committee's row, locked; a committee closed by 换届 is read-only (R6)."""
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    _require_active(committee)
    return committee


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
                committee=committee,
                unit=unit,
                holder_name=unit.party_org_secretary.strip(),
                start=begin,
                end=end,
                proposed_by=actor,
            )
        )
        begin = end + datetime.timedelta(days=1)
    if len(terms) > 1 and len(chosen) < 2:
        raise ValidationError(
            {
                "units": ValidationError(
                    _("书记一年一任、轮流兼任：请至少选择两个单位参加轮值。"), code="rotation_one_holder"
                )
            }
        )
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
    problem = _one_year_problem(committee, holder_name.strip(), start, end)
    if problem:
        raise ValidationError({"end": ValidationError(problem, code="rotation_one_year")})
    others = list(RotationTerm.objects.filter(committee=committee).exclude(pk=term.pk))
    term.unit, term.holder_name, term.start, term.end = unit, holder_name.strip(), start, end
    term.approved_on, term.approved_by, term.proposed_by = None, None, actor
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
        t.approved_on, t.approved_by, t.proposed_by = None, None, actor
        _save(
            t,
            actor,
            update_fields=["unit", "holder_name", "approved_on", "approved_by", "proposed_by"],
            reason=_("调整轮值顺序"),
        )


@transaction.atomic
def rotation_approve(*, actor, committee: Committee, on: datetime.date | None = None) -> int:
    """R7: approve the plan. Only the approving body chosen for the committee approves it (township
    staff of its township, or the county organisation department's clerk when the committee says
    so), never whoever proposed a pending term, nor the community. Refused, with every gap,
    overlap and term that is not one year named, while the plan does not cover the committee's
    term exactly once, one year per holder."""
    committee = Committee.objects.select_for_update().select_related("community__township").get(pk=committee.pk)
    _require_active(committee)
    refusal = rotation_approval_refusal(actor, committee)
    if refusal:
        raise ValidationError(refusal, code="rotation_approver")
    terms = list(RotationTerm.objects.filter(committee=committee).order_by("start"))
    problems = rotation_gaps(committee, terms)
    if problems:
        raise ValidationError(problems, code="rotation_gap")
    pending = [t for t in terms if not t.is_approved]
    if not pending:
        raise ValidationError(_("轮值安排已全部批准，没有待批准的任期。"))
    if any(t.proposed_by_id == actor.pk for t in pending):
        raise ValidationError(
            _("这份轮值安排（或其中的调整）是您提出的，提出人不能自己批准，请由另一位有权批准的人批准。"),
            code="rotation_own_proposal",
        )
    on = on or timezone.localdate()
    for term in pending:
        term.approved_on, term.approved_by = on, actor
        _save(term, actor, update_fields=["approved_on", "approved_by"], reason=_("批准轮值安排"))
    return len(pending)


def rotation_approval_refusal(user, committee: Committee) -> str:
    """R7: why ``user`` may not approve the committee's rotation plan ("" if they may). The
    township approves by default (its staff), the county organisation department when the
    committee is set so; the community (secretary) and everyone else never."""
    role = permissions.role_of(user)
    township = committee.community.township
    if committee.rotation_approver == Committee.RotationApprover.COUNTY:
        if role == "county" and user.county_body == "org_dept" and user.county_id == township.county_id:
            return ""
        return _("本大党委的书记轮值安排由县委组织部批准，请由县委组织部的经办人在平台批准。")
    if role == "township" and user.township_id == township.pk:
        return ""
    return _("书记轮值安排由社区或镇（街道）提出，须由镇（街道）党委批准：请由%(township)s的组织干部批准。") % {
        "township": township.name
    }


def _one_year_problem(committee: Committee, holder_name: str, start: datetime.date, end: datetime.date) -> str:
    """R7 一年一任: a term lasts one year; only the first and the last may be cut short by the
    committee's term (starting on its first day or ending on its last). "" when fine."""
    full_end = add_years(start, 1) - datetime.timedelta(days=1)
    if end == full_end or (end < full_end and (start == committee.term_start or end == committee.term_end)):
        return ""
    return _(
        "%(name)s 的轮值任期（%(start)s—%(end)s）不是一年：书记一年一任，每个任期从开始日起满一年，"
        "只有第一个和最后一个任期可以按大党委任期缩短。"
    ) % {"name": holder_name, "start": _cn(start), "end": _cn(end)}


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
    # R7 一年一任: every term one year (the first and last may be cut), the holder changes each
    # time, and the secretaryship rotates among at least two holders.
    ordered = sorted(terms, key=lambda t: t.start)
    for term in ordered:
        problem = _one_year_problem(committee, term.holder_name, term.start, term.end)
        if problem:
            problems.append(problem)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.holder_name == b.holder_name:
            problems.append(
                _("%(name)s 连任两期（自%(start)s起）：书记一年一任，请安排另一单位的书记接任。")
                % {"name": b.holder_name, "start": _cn(b.start)}
            )
    if len(ordered) > 1 and len({t.holder_name for t in ordered}) < 2:
        problems.append(_("轮值安排只有一位书记：书记由驻区单位党组织书记轮流兼任，至少需要两位。"))
    return problems
