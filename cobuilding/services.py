"""Every write of co-building (R15–R20). Each service is atomic, validates with full_clean() and
records who made the change in the history (common.audit).

Two kinds of actor: the community side (secretary, township staff, admin: ``require_reviewer``)
and the unit's liaison, who acts only for their own unit (``require_unit``). A liaison may change
their pledges and reports (``LIAISON_EDITABLE``) but never accept, return or confirm them: those
are the community's and raise ``PermissionDenied`` (a 403 in the views).
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee, Grid, Unit
from common.audit import set_actor
from common.permissions import role_of as _role
from common.services import apply_changes as _apply
from common.services import save_audited as _save
from common.text import inner_quotes
from common.uploads import validate_upload
from meetings.models import Resolution
from meetings.services import followup

from . import reminders
from .models import (
    PHOTO_TYPES,
    ROSTER_TYPES,
    SCAN_TYPES,
    ZERO,
    Agreement,
    Commitment,
    DedicationDay,
    DedicationParticipation,
    Fulfilment,
    FulfilmentPhoto,
    InServiceMember,
    MemberService,
    Pledge,
    PledgeCall,
    Project,
    ProjectClaim,
    ProjectUpdate,
    fulfilment_percent,
)

MAX_PHOTOS = 6
REVIEWER_ROLES = ("secretary", "township", "admin")


def is_reviewer(user) -> bool:
    return _role(user) in REVIEWER_ROLES


def require_reviewer(actor) -> None:
    """Accepting, returning and confirming belong to the community side, never to a liaison."""
    if not is_reviewer(actor):
        raise PermissionDenied(_("只有社区书记或镇（街道）组织干部可以进行此操作。"))


def require_unit(actor, unit: Unit) -> None:
    """A liaison acts only for their own unit; the community side for any unit in its scope."""
    role = _role(actor)
    if role == "liaison" and actor.unit_id != unit.pk:
        raise PermissionDenied
    if role not in ("liaison", *REVIEWER_ROLES):
        raise PermissionDenied


def _active_committee(unit: Unit) -> Committee:
    committee = Committee.objects.filter(community_id=unit.community_id, is_active=True).first()
    if committee is None:
        raise ValidationError(_("本社区尚未成立本届大党委，暂不能办理共驻共建事项。"))
    return committee


def _check_upload(field: str, f, allowed) -> None:
    try:
        validate_upload(f, allowed)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from e


def _lock(obj):
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


# --- pledges (R17) ----------------------------------------------------------------------

PLEDGE_FIELDS = (
    "year",
    "kind",
    "title",
    "description",
    "quantity",
    "value",
    "period_start",
    "period_end",
    "contact_name",
    "contact_phone",
)


def _check_pledge(pledge: Pledge) -> None:
    errors = {}
    if not pledge.quantity.strip() and pledge.value is None:
        errors["value"] = _("数量与价值至少填写一项。")
    if pledge.period_start and pledge.period_end and pledge.period_end < pledge.period_start:
        errors["period_end"] = _("完成期限不能早于开始日期。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pledge_create(*, actor, unit: Unit, **fields) -> Pledge:
    """R17: the liaison drafts a pledge of their unit in one of the eight kinds."""
    require_unit(actor, unit)
    pledge = Pledge(
        unit=unit,
        committee=_active_committee(unit),
        created_by=actor,
        status=Pledge.Status.DRAFT,
        **{k: v for k, v in fields.items() if k in PLEDGE_FIELDS},
    )
    if pledge.quantity is None:
        pledge.quantity = ""
    _check_pledge(pledge)
    return _save(pledge, actor)


@transaction.atomic
def pledge_update(*, actor, pledge: Pledge, **fields) -> Pledge:
    """Only a draft or a returned pledge can be changed; a submitted one waits for review."""
    require_unit(actor, pledge.unit)
    pledge = _lock(pledge)
    if not pledge.is_editable:
        raise ValidationError(_("承诺已提交或已接受，不能再修改。"))
    if fields.get("quantity") is None and "quantity" in fields:
        fields["quantity"] = ""
    changed = _apply(pledge, fields, PLEDGE_FIELDS)
    _check_pledge(pledge)
    if not changed:
        return pledge
    return _save(pledge, actor, update_fields=changed)


@transaction.atomic
def pledge_submit(*, actor, pledge: Pledge) -> Pledge:
    require_unit(actor, pledge.unit)
    pledge = _lock(pledge)
    if not pledge.is_editable:
        raise ValidationError(_("只有草稿或被退回的承诺可以提交。"))
    pledge.status = Pledge.Status.SUBMITTED
    pledge.submitted_at = timezone.now()
    _save(pledge, actor, update_fields=["status", "submitted_at"], reason=_("提交审核"))
    reminders.notify_pledge_submitted(pledge)  # issue #15 item 6
    return pledge


@transaction.atomic
def pledge_accept(*, actor, pledge: Pledge, comment: str = "") -> Pledge:
    """R17: the community secretary accepts a submitted pledge."""
    require_reviewer(actor)
    pledge = _lock(pledge)
    if pledge.status != Pledge.Status.SUBMITTED:
        raise ValidationError(_("只有待审核的承诺可以接受。"))
    pledge.status = Pledge.Status.ACCEPTED
    pledge.review_comment = comment.strip()
    pledge.reviewed_by, pledge.reviewed_at = actor, timezone.now()
    _save(pledge, actor, update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"], reason=_("接受"))
    reminders.notify_pledge_reviewed(pledge)  # issue #15 item 6
    return pledge


@transaction.atomic
def pledge_return(*, actor, pledge: Pledge, comment: str) -> Pledge:
    """R17: the secretary returns a submitted pledge with a comment saying what to fix."""
    require_reviewer(actor)
    if not comment or not comment.strip():
        raise ValidationError({"comment": _("退回时请写明需要修改的地方。")})
    pledge = _lock(pledge)
    if pledge.status != Pledge.Status.SUBMITTED:
        raise ValidationError(_("只有待审核的承诺可以退回。"))
    pledge.status = Pledge.Status.RETURNED
    pledge.review_comment = comment.strip()
    pledge.reviewed_by, pledge.reviewed_at = actor, timezone.now()
    _save(pledge, actor, update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"], reason=_("退回"))
    reminders.notify_pledge_reviewed(pledge)  # issue #15 item 6
    return pledge


@transaction.atomic
def pledge_call_open(*, actor, committee: Committee, year: int, submit_by: datetime.date, note: str = "") -> PledgeCall:
    """The yearly call (请填写贵单位本年度共建承诺); one per committee and year, its deadline can move."""
    require_reviewer(actor)
    call = PledgeCall.objects.filter(committee=committee, year=year).first()
    if call is None:
        call = PledgeCall(committee=committee, year=year, submit_by=submit_by, note=note)
        return _save(call, actor)
    call.submit_by, call.note = submit_by, note
    return _save(call, actor, update_fields=["submit_by", "note"])


def pledge_percent(pledge: Pledge) -> int:
    confirmed = [f for f in pledge.fulfilments.all() if f.status == Fulfilment.Status.CONFIRMED]
    return fulfilment_percent(
        value=pledge.value,
        confirmed_amount=sum((f.amount for f in confirmed), ZERO),
        final_confirmed=any(f.is_final for f in confirmed),
    )


@transaction.atomic
def fulfilment_report(
    *,
    actor,
    pledge: Pledge,
    delivered_on: datetime.date,
    text: str,
    amount: Decimal = ZERO,
    is_final: bool = False,
    photos: Sequence = (),
) -> Fulfilment:
    """R17: the liaison reports what was delivered (text, amount, photos) against an accepted pledge."""
    require_unit(actor, pledge.unit)
    pledge = _lock(pledge)
    if pledge.status != Pledge.Status.ACCEPTED:
        raise ValidationError(_("只有已接受、尚未兑现完毕的承诺可以报告兑现情况。"))
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("兑现日期不能晚于今天。")})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}})
    for photo in photos:
        _check_upload("photos", photo, PHOTO_TYPES)
    fulfilment = Fulfilment(
        pledge=pledge,
        delivered_on=delivered_on,
        text=text,
        amount=amount if amount is not None else ZERO,
        is_final=is_final,
        reported_by=actor,
    )
    _save(fulfilment, actor)
    for photo in photos:
        item = FulfilmentPhoto(fulfilment=fulfilment, file=photo, original_name=photo.name[:200])
        item.full_clean()
        item.save()
    reminders.notify_fulfilment_reported(fulfilment)  # issue #15 item 6
    return fulfilment


@transaction.atomic
def fulfilment_confirm(*, actor, fulfilment: Fulfilment, comment: str = "") -> Fulfilment:
    """R17: the secretary confirms a fulfilment report; a pledge at 100 % becomes fulfilled.
    A liaison confirming their own report is refused (PermissionDenied → 403)."""
    require_reviewer(actor)
    pledge = Pledge.objects.select_for_update().get(pk=fulfilment.pledge_id)
    fulfilment = _lock(fulfilment)
    if fulfilment.status != Fulfilment.Status.SUBMITTED:
        raise ValidationError(_("该兑现报告已处理。"))
    fulfilment.status = Fulfilment.Status.CONFIRMED
    fulfilment.review_comment = comment.strip()
    fulfilment.reviewed_by, fulfilment.reviewed_at = actor, timezone.now()
    _save(fulfilment, actor, update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
    percent = pledge_percent(pledge)
    if percent >= 100 and pledge.status == Pledge.Status.ACCEPTED:
        pledge.status = Pledge.Status.FULFILLED
        _save(pledge, actor, update_fields=["status"], reason=_("兑现完毕"))
    _pledge_task_follow(actor=actor, pledge=pledge, percent=percent, note=fulfilment.text)
    fulfilment.pledge = pledge
    reminders.notify_fulfilment_confirmed(fulfilment)  # issue #15 item 6
    return fulfilment


def _pledge_task_follow(*, actor, pledge: Pledge, percent, note: str) -> None:
    """A confirmed report moves the linked follow-up task (R13): progress, or done at 100 %."""
    if pledge.task_id is None or pledge.task.status != pledge.task.Status.OPEN:
        return
    text = _("承诺兑现确认：%(note)s") % {"note": (note or "").strip()[:200] or pledge.title}
    if percent >= 100:
        followup.task_close(actor=actor, task=pledge.task, note=text)
    else:
        followup.task_progress_add(actor=actor, task=pledge.task, text=text, progress=int(percent))


@transaction.atomic
def pledge_link_resolution(*, actor, pledge: Pledge, resolution: Resolution) -> Pledge:
    """R13/R17: a pledge that comes out of a resolution is followed up as one of its tasks: the
    unit is responsible, the pledge's deadline is the task's, fulfilment reports move it."""
    require_reviewer(actor)
    pledge = _lock(pledge)
    if pledge.status not in (Pledge.Status.ACCEPTED, Pledge.Status.FULFILLED):
        raise ValidationError(_("只有已接受的承诺才能关联决议。"))
    if pledge.resolution_id is not None:
        raise ValidationError(_("该承诺已关联决议。"))
    if resolution.meeting.committee_id != pledge.committee_id:
        raise ValidationError({"resolution": _("只能关联本大党委会议的决议。")})
    task = followup.task_create(
        actor=actor,
        resolution=resolution,
        title=(_("落实共建承诺：%(title)s") % {"title": pledge.title})[:200],
        responsible_unit=pledge.unit,
        owner_name=pledge.contact_name,
        due_on=max(pledge.period_end, timezone.localdate()),
    )
    pledge.resolution, pledge.task = resolution, task
    _save(pledge, actor, update_fields=["resolution", "task"], reason=_("关联决议"))
    if pledge.status == Pledge.Status.FULFILLED:
        followup.task_close(actor=actor, task=task, note=_("承诺已兑现完毕"))
    return pledge


@transaction.atomic
def fulfilment_return(*, actor, fulfilment: Fulfilment, comment: str) -> Fulfilment:
    require_reviewer(actor)
    if not comment or not comment.strip():
        raise ValidationError({"comment": _("退回时请写明原因。")})
    fulfilment = _lock(fulfilment)
    if fulfilment.status != Fulfilment.Status.SUBMITTED:
        raise ValidationError(_("该兑现报告已处理。"))
    fulfilment.status = Fulfilment.Status.RETURNED
    fulfilment.review_comment = comment.strip()
    fulfilment.reviewed_by, fulfilment.reviewed_at = actor, timezone.now()
    return _save(fulfilment, actor, update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])


# --- agreements (R15, R16) --------------------------------------------------------------

PRINCIPLE_FIELDS = tuple(name for name, _label in Agreement.PRINCIPLES)
AGREEMENT_FIELDS = ("community_party", "unit_party", "period_start", "period_end", *PRINCIPLE_FIELDS)


@transaction.atomic
def agreement_create(
    *, actor, unit: Unit, period_start: datetime.date, period_end: datetime.date, **fields
) -> Agreement:
    """R16: the community drafts the co-building agreement with a unit for one period."""
    require_reviewer(actor)
    community = unit.community
    agreement = Agreement(
        committee=_active_committee(unit),
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        community_party=fields.pop("community_party", "") or community.party_org_name or community.name,
        unit_party=fields.pop("unit_party", "") or unit.party_org_name or unit.name,
        **{k: v for k, v in fields.items() if k in PRINCIPLE_FIELDS},
    )
    return _save(agreement, actor)


@transaction.atomic
def agreement_update(*, actor, agreement: Agreement, **fields) -> Agreement:
    require_reviewer(actor)
    agreement = _lock(agreement)
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(_("协议书已送达单位，不能再修改条款。"))
    changed = _apply(agreement, fields, AGREEMENT_FIELDS)
    if not changed:
        return agreement
    return _save(agreement, actor, update_fields=changed)


@transaction.atomic
def agreement_send(*, actor, agreement: Agreement) -> Agreement:
    """R16: the draft goes to the unit for signing; every one of the six principles (R15) must
    carry the unit's concrete commitment first."""
    require_reviewer(actor)
    agreement = _lock(agreement)
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(_("只有草稿可以送达单位。"))
    missing = {
        name: _("请填写“%(p)s”方面的具体承诺。") % {"p": inner_quotes(label)}
        for name, label in Agreement.PRINCIPLES
        if not getattr(agreement, name).strip()
    }
    if missing:
        raise ValidationError(missing)
    agreement.status, agreement.sent_at = Agreement.Status.SENT, timezone.now()
    _save(agreement, actor, update_fields=["status", "sent_at"], reason=_("送达单位"))
    from .reminders import notify_agreement_sent

    notify_agreement_sent(agreement)
    return agreement


@transaction.atomic
def agreement_sign(*, actor, agreement: Agreement, signed_on: datetime.date, scan) -> Agreement:
    """R16: the signed and sealed scan is uploaded (by the unit's liaison or the community);
    the file is checked before anything changes, so a refused upload loses nothing saved."""
    require_unit(actor, agreement.unit)
    _check_upload("scan", scan, SCAN_TYPES)
    agreement = _lock(agreement)
    if agreement.status not in (Agreement.Status.SENT, Agreement.Status.SIGNED):
        raise ValidationError(_("协议书尚未送达单位，不能上传签订文本。"))
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})
    agreement.status, agreement.signed_on = Agreement.Status.SIGNED, signed_on
    agreement.scan, agreement.scan_name = scan, scan.name[:200]
    _save(agreement, actor, update_fields=["status", "signed_on", "scan", "scan_name"], reason=_("上传签订文本"))
    return agreement


@transaction.atomic
def agreement_renew(*, actor, agreement: Agreement) -> Agreement:
    """R16: renewal copies last period's agreement as a draft for the following period."""
    require_reviewer(actor)
    agreement = _lock(agreement)
    if agreement.status not in (Agreement.Status.SIGNED, Agreement.Status.EXPIRED):
        raise ValidationError(_("只有已签订或已到期的协议书可以续签。"))
    if Agreement.objects.filter(renewal_of=agreement).exists():
        raise ValidationError(_("该协议书已经续签过。"))
    start = agreement.period_end + datetime.timedelta(days=1)
    length = agreement.period_end - agreement.period_start
    renewal = Agreement(
        committee=_active_committee(agreement.unit),
        unit=agreement.unit,
        community_party=agreement.community_party,
        unit_party=agreement.unit_party,
        period_start=start,
        period_end=start + length,
        renewal_of=agreement,
        **{name: getattr(agreement, name) for name in PRINCIPLE_FIELDS},
    )
    return _save(renewal, actor, reason=_("续签"))


@transaction.atomic
def agreements_expire(*, today: datetime.date | None = None) -> int:
    """Signed agreements past their period become expired (run nightly)."""
    today = today or timezone.localdate()
    count = 0
    for agreement in Agreement.objects.select_for_update().filter(status=Agreement.Status.SIGNED, period_end__lt=today):
        agreement.status = Agreement.Status.EXPIRED
        _save(agreement, None, update_fields=["status"], reason=_("协议期届满"))
        count += 1
    return count


# --- public-benefit projects (R17 认领公益项目) ------------------------------------------

PROJECT_FIELDS = ("title", "need", "place", "budget", "claim_by", "deadline", "places")


@transaction.atomic
def project_publish(*, actor, committee: Committee, **fields) -> Project:
    require_reviewer(actor)
    project = Project(committee=committee, created_by=actor, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS})
    if project.claim_by and project.deadline and project.deadline < project.claim_by:
        raise ValidationError({"deadline": _("完成期限不能早于认领截止日期。")})
    return _save(project, actor)


@transaction.atomic
def project_close(*, actor, project: Project) -> Project:
    require_reviewer(actor)
    project = _lock(project)
    project.status = Project.Status.CLOSED
    return _save(project, actor, update_fields=["status"], reason=_("停止认领"))


def project_claim(*, actor, project: Project, unit: Unit) -> ProjectClaim:
    """R17: a unit claims a project while places remain. Race-safe: the project row is locked
    (PostgreSQL) and each claim takes a numbered place unique per project, so two liaisons
    claiming the last place at once cannot both succeed; the loser gets a message, not a 500."""
    require_unit(actor, unit)
    try:
        with transaction.atomic():
            return _project_claim(actor=actor, project=project, unit=unit)
    except IntegrityError as e:
        if (
            ProjectClaim.objects.filter(project=project, unit=unit)
            .exclude(status=ProjectClaim.Status.WITHDRAWN)
            .exists()
        ):
            raise ValidationError(_("本单位已认领该项目。")) from e
        raise ValidationError(_("该项目的认领名额已满。")) from e


def _project_claim(*, actor, project: Project, unit: Unit) -> ProjectClaim:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if unit.community_id != Committee.objects.values_list("community_id", flat=True).get(pk=project.committee_id):
        raise PermissionDenied
    if not unit.is_active:
        raise ValidationError(_("单位已停用，不能认领项目。"))
    if not project.is_claimable_on(timezone.localdate()):
        raise ValidationError(_("该项目已停止认领。"))
    claims = ProjectClaim.objects.filter(project=project).exclude(status=ProjectClaim.Status.WITHDRAWN)
    if claims.filter(unit=unit).exists():
        raise ValidationError(_("本单位已认领该项目。"))
    # The lowest free place: a withdrawn claim gave its place back (R17).
    taken = set(claims.values_list("place_no", flat=True))
    free = next((n for n in range(1, project.places + 1) if n not in taken), None)
    if free is None:
        raise ValidationError(_("该项目的认领名额已满。"))
    claim = ProjectClaim(project=project, unit=unit, place_no=free, claimed_by=actor)
    claim.full_clean(validate_constraints=False)  # the database decides the race
    set_actor(claim, actor)
    claim.save()
    return claim


@transaction.atomic
def claim_progress_report(
    *,
    actor,
    claim: ProjectClaim,
    happened_on: datetime.date,
    text: str,
    evidence=None,
    asks_completion: bool = False,
) -> ProjectUpdate:
    require_unit(actor, claim.unit)
    if evidence:
        _check_upload("evidence", evidence, SCAN_TYPES)
    claim = _lock(claim)
    if claim.status == ProjectClaim.Status.COMPLETED:
        raise ValidationError(_("项目已确认完成。"))
    if claim.status == ProjectClaim.Status.WITHDRAWN:
        raise ValidationError(_("认领已撤回，不能再报告进展。"))
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("日期不能晚于今天。")})
    update = ProjectUpdate(
        claim=claim,
        happened_on=happened_on,
        text=text,
        asks_completion=asks_completion,
        reported_by=actor,
    )
    if evidence:
        update.evidence, update.evidence_name = evidence, evidence.name[:200]
    update.full_clean()
    update.save()
    if asks_completion and claim.status != ProjectClaim.Status.REPORTED:
        claim.status = ProjectClaim.Status.REPORTED
        _save(claim, actor, update_fields=["status"], reason=_("申请完成验收"))
    return update


@transaction.atomic
def claim_confirm_completion(*, actor, claim: ProjectClaim, on: datetime.date | None = None) -> ProjectClaim:
    """R17: the secretary confirms that a claimed project is done."""
    require_reviewer(actor)
    claim = _lock(claim)
    if claim.status == ProjectClaim.Status.COMPLETED:
        raise ValidationError(_("项目已确认完成。"))
    if claim.status == ProjectClaim.Status.WITHDRAWN:
        raise ValidationError(_("认领已撤回，不能确认完成。"))
    if not claim.updates.exists():
        raise ValidationError(_("单位尚未报告任何进展，不能确认完成。"))
    claim.status = ProjectClaim.Status.COMPLETED
    claim.completed_on, claim.confirmed_by = on or timezone.localdate(), actor
    return _save(claim, actor, update_fields=["status", "completed_on", "confirmed_by"], reason=_("确认完成"))


@transaction.atomic
def claim_withdraw(*, actor, claim: ProjectClaim, reason: str) -> ProjectClaim:
    """R17: the unit's liaison (or the community side) withdraws a claim that is not completed,
    with a reason. The claim stays on record as withdrawn, its place is free for another unit,
    its deadline reminders are withdrawn and the community secretaries get a portal notice."""
    require_unit(actor, claim.unit)
    claim = ProjectClaim.objects.select_for_update().select_related("project__committee", "unit").get(pk=claim.pk)
    if claim.status == ProjectClaim.Status.COMPLETED:
        raise ValidationError(_("项目已确认完成，不能撤回认领。"))
    if claim.status == ProjectClaim.Status.WITHDRAWN:
        raise ValidationError(_("该认领已撤回。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤回原因。")})
    claim.status = ProjectClaim.Status.WITHDRAWN
    claim.place_no = None
    claim.withdrawn_at, claim.withdrawn_by, claim.withdraw_reason = timezone.now(), actor, reason[:200]
    _save(
        claim,
        actor,
        update_fields=["status", "place_no", "withdrawn_at", "withdrawn_by", "withdraw_reason"],
        reason=_("撤回认领：%(reason)s") % {"reason": reason},
    )
    from .reminders import notify_claim_withdrawn

    notify_claim_withdrawn(claim)
    return claim


# --- dedication days (R18) --------------------------------------------------------------


@transaction.atomic
def dedication_day_record(
    *, actor, committee: Committee, held_on: datetime.date, theme: str, place: str = "", sequence: int | None = None
) -> DedicationDay:
    """R18: the committee's dedication days, two a year; the first free one is taken unless given."""
    require_reviewer(actor)
    year = held_on.year
    taken = set(DedicationDay.objects.filter(committee=committee, year=year).values_list("sequence", flat=True))
    if sequence is None:
        free = [n for n in (1, 2) if n not in taken]
        if not free:
            raise ValidationError(_("%(year)s年的两次党员奉献日都已登记。") % {"year": year})
        sequence = free[0]
    elif sequence in taken:
        raise ValidationError({"sequence": _("该年度这一次奉献日已登记。")})
    day = DedicationDay(committee=committee, year=year, sequence=sequence, held_on=held_on, theme=theme, place=place)
    return _save(day, actor)


@transaction.atomic
def dedication_participation_record(
    *, actor, day: DedicationDay, unit: Unit, names: str = "", count: int | None = None, roster=None
) -> DedicationParticipation:
    """R18: a unit's participating party members, as names (the count follows) or a count with
    a roster upload. Recording again replaces the unit's earlier figures for that day."""
    require_unit(actor, unit)
    if unit.community_id != day.committee.community_id:
        raise PermissionDenied
    if roster:
        _check_upload("roster", roster, ROSTER_TYPES)
    name_list = [n.strip() for n in (names or "").splitlines() if n.strip()]
    existing = DedicationParticipation.objects.select_for_update().filter(day=day, unit=unit).first()
    has_roster = bool(roster) or bool(existing and existing.roster)
    if name_list:
        count = len(name_list)
    elif not count:
        raise ValidationError({"names": _("请填写参加党员名单，或填写人数并上传名单附件。")})
    elif not has_roster:
        raise ValidationError({"roster": _("只填人数时请上传名单附件。")})
    participation = existing or DedicationParticipation(day=day, unit=unit, recorded_by=actor)
    participation.count, participation.names = count, "\n".join(name_list)
    participation.recorded_by = actor
    if roster:
        participation.roster, participation.roster_name = roster, roster.name[:200]
    return _save(participation, actor)


# --- in-service party members (R20) -----------------------------------------------------


@transaction.atomic
def member_register(
    *,
    actor,
    unit: Unit,
    name: str,
    reported_on: datetime.date,
    phone: str = "",
    grid: Grid | None = None,
) -> InServiceMember:
    """R20: a party member working in the unit reports to the community."""
    require_unit(actor, unit)
    if grid is not None and grid.community_id != unit.community_id:
        raise ValidationError({"grid": _("所选网格不属于本社区。")})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("报到日期不能晚于今天。")})
    if InServiceMember.objects.filter(unit=unit, name=name.strip(), phone=phone.strip()).exists():
        raise ValidationError({"name": _("该党员已登记报到。")})
    member = InServiceMember(unit=unit, name=name.strip(), phone=phone.strip(), grid=grid, reported_on=reported_on)
    return _save(member, actor)


@transaction.atomic
def member_service_add(
    *, actor, member: InServiceMember, served_on: datetime.date, content: str, hours: Decimal = Decimal("0")
) -> MemberService:
    require_unit(actor, member.unit)
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": _("日期不能晚于今天。")})
    service = MemberService(member=member, served_on=served_on, content=content, hours=hours or Decimal("0"))
    service.full_clean()
    service.save()
    return service


# --- two-way service commitments (R19) --------------------------------------------------


def _require_side(actor, side: str) -> None:
    # The community's own needs and commitments are written by the community side only.
    if side == Commitment.Side.COMMUNITY and not is_reviewer(actor):
        raise PermissionDenied(_("社区方的需求与承诺由社区填写。"))


@transaction.atomic
def commitment_create(
    *,
    actor,
    unit: Unit,
    year: int,
    side: str,
    kind: str,
    area: str,
    content: str,
    due_on: datetime.date | None = None,
) -> Commitment:
    """R19: one line of the two-way service commitment between the community and a unit."""
    require_unit(actor, unit)
    _require_side(actor, side)
    commitment = Commitment(
        committee=_active_committee(unit),
        unit=unit,
        year=year,
        side=side,
        kind=kind,
        area=area,
        content=content,
        due_on=due_on,
    )
    return _save(commitment, actor)


@transaction.atomic
def commitment_set_status(*, actor, commitment: Commitment, status: str, note: str = "") -> Commitment:
    require_unit(actor, commitment.unit)
    _require_side(actor, commitment.side)
    commitment = _lock(commitment)
    commitment.status, commitment.status_note = status, note
    return _save(commitment, actor, update_fields=["status", "status_note"])
