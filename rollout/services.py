"""Every write of the rollout (R25). Keyword-only, atomic, audited.

Rules enforced here (R25, issue #7 item 1):

- A community moves through stages 1–5 in order. :func:`progress_refresh` advances it
  automatically as far as its deliverables allow: 0 → 1 when the plan's stage 1 start month has
  come; s → s+1 when stage s's deliverables are complete (``selectors.deliverables``). Each
  automatic move is a :class:`StageChange` with no actor and a reason starting "自动：".
- THE PILOT GATE (R25.4): a community other than the pilot never enters stage 4 — neither
  automatically nor by hand (:func:`stage_advance`, :func:`stage_set`) — until the township
  marked the pilot summarised (:func:`pilot_mark_summarised`); marking it refreshes every
  community of the township, so the waiting ones start stage 4 at once.
- Manual moves are township staff's (or an administrator's), with a reason, recorded with the actor.
- Plan months, the pilot and the summary are the township's; deliverables are recorded by the
  community (secretary or township); a unit's opinion on the plan by its liaison.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Community, Township, Unit
from common.audit import set_actor
from common.permissions import role_of
from common.services import save_audited
from common.uploads import validate_upload

from . import rules, selectors
from .models import (
    DEFAULT_MONTHS,
    DOCUMENT_TYPES,
    PHOTO_TYPES,
    CommunityProgress,
    PlanDocument,
    PlanOpinion,
    PlanStage,
    PublicityEvent,
    RolloutPlan,
    RuleDocument,
    Stage,
    StageChange,
)

AUTO = "自动："


def _require_township(actor) -> None:
    """Plan, pilot and manual stage changes belong to the township (and administrators)."""
    if role_of(actor) not in ("township", "admin"):
        raise PermissionDenied


def _require_community_side(actor) -> None:
    if role_of(actor) not in ("township", "secretary", "admin"):
        raise PermissionDenied


# --- the plan --------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, township: Township, year: int, pilot: Community | None = None) -> RolloutPlan:
    """R25: a township's plan for ``year`` with the default months, its pilot (default: the
    township's pilot community) and a progress row for every community, refreshed at once."""
    _require_township(actor)
    if RolloutPlan.objects.filter(township=township, year=year).exists():
        raise ValidationError(_("%(year)s年的推进计划已经存在。") % {"year": year})
    if pilot is None:
        pilot = Community.objects.filter(township=township, is_pilot=True).first()
    elif pilot.township_id != township.pk:
        raise ValidationError({"pilot": _("试点社区必须属于本镇（街道）。")})
    plan = save_audited(RolloutPlan(township=township, year=year, pilot=pilot), actor, reason=_("制定推进计划"))
    for stage, (start, end) in DEFAULT_MONTHS.items():
        save_audited(PlanStage(plan=plan, stage=stage, start_month=start, end_month=end), actor)
    for community in Community.objects.filter(township=township):
        progress_refresh(community=community)
    return plan


@transaction.atomic
def plan_months_update(*, actor, plan: RolloutPlan, months: dict[int, tuple[int, int]]) -> RolloutPlan:
    """R25: the township edits the planned months (start ≤ end, within the year)."""
    _require_township(actor)
    for row in plan.stages.select_for_update():
        if row.stage not in months:
            continue
        start, end = months[row.stage]
        if not (1 <= start <= end <= 12):
            raise ValidationError(
                _("第%(stage)s阶段的月份不正确：开始月份不能晚于结束月份，且须在1—12月之间。") % {"stage": row.stage}
            )
        if (row.start_month, row.end_month) != (start, end):
            row.start_month, row.end_month = start, end
            save_audited(row, actor, update_fields=["start_month", "end_month"], reason=_("调整计划月份"))
    return plan


@transaction.atomic
def plan_set_pilot(*, actor, plan: RolloutPlan, community: Community) -> RolloutPlan:
    """R25.4: one pilot community per township (kept in step with ``Community.is_pilot``); it can
    no longer change once the pilot was summarised, nor (issue #11 item 17) once any community
    entered stage 4: the pilot's work has begun. Under the plan's row lock, which every move into
    stage 4 also takes, so a switch and an entry never cross."""
    _require_township(actor)
    plan = RolloutPlan.objects.select_for_update().get(pk=plan.pk)
    if community.township_id != plan.township_id:
        raise ValidationError({"pilot": _("试点社区必须属于本镇（街道）。")})
    if plan.pilot_summarised:
        raise ValidationError(_("试点已总结，不能再更换试点社区。"))
    if plan.pilot_id == community.pk:
        return plan
    if selectors.pilot_locked(plan=plan):
        raise ValidationError(
            {
                "pilot": ValidationError(
                    _("已有社区进入第4阶段（试点先行，总结推广），试点工作已经开始，不能再更换试点社区。"),
                    code="pilot_locked",
                )
            }
        )
    plan.pilot = community
    save_audited(plan, actor, update_fields=["pilot"], reason=_("确定试点社区"))
    for other in Community.objects.filter(township=plan.township_id, is_pilot=True).exclude(pk=community.pk):
        other.is_pilot = False
        save_audited(other, actor, update_fields=["is_pilot"], reason=_("更换试点社区"))
    if not community.is_pilot:
        community.is_pilot = True
        save_audited(community, actor, update_fields=["is_pilot"], reason=_("确定试点社区"))
    return plan


@transaction.atomic
def pilot_mark_summarised(*, actor, plan: RolloutPlan, summary: str, file=None) -> RolloutPlan:
    """R25.4: the township marks the pilot summarised (the pilot must be running: a committee with
    posts in force and a held meeting); this opens THE PILOT GATE, and every community of the
    township is refreshed at once."""
    _require_township(actor)
    plan = RolloutPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.pilot_summarised:
        raise ValidationError(_("试点已于此前确认总结。"))
    if plan.pilot_id is None:
        raise ValidationError(_("尚未确定试点社区。"))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("请填写试点工作总结。")})
    check = selectors.deliverables(community=plan.pilot, plan=plan)[4]
    not_running = [m for m in check.missing if m != str(_("镇（街道）确认试点总结"))]
    if not_running:
        raise ValidationError(_("试点社区尚未运行：%(missing)s。") % {"missing": "；".join(not_running)})
    if file:
        validate_upload(file, DOCUMENT_TYPES)
        plan.pilot_summary_file = file
    plan.pilot_summary = summary
    plan.pilot_summarised_at = timezone.now()
    plan.pilot_summarised_by = actor
    save_audited(
        plan,
        actor,
        update_fields=["pilot_summary", "pilot_summary_file", "pilot_summarised_at", "pilot_summarised_by"],
        reason=_("确认试点总结"),
    )
    for community in Community.objects.filter(township=plan.township_id).order_by("pk"):
        progress_refresh(community=community)
    return plan


# --- progress --------------------------------------------------------------------------------------


def current_plan(community: Community) -> RolloutPlan | None:
    """The township's latest plan."""
    return RolloutPlan.objects.filter(township_id=community.township_id).order_by("-year").first()


def _progress_for(plan: RolloutPlan, community: Community) -> CommunityProgress:
    progress = CommunityProgress.objects.select_for_update().filter(plan=plan, community=community).first()
    if progress is None:
        try:
            with transaction.atomic():
                progress = CommunityProgress(plan=plan, community=community)
                progress.full_clean()
                progress.save()
        except IntegrityError:  # created meanwhile
            progress = CommunityProgress.objects.select_for_update().get(plan=plan, community=community)
    return progress


def _move(progress: CommunityProgress, *, to: int, actor, reason: str, today: datetime.date) -> None:
    StageChange.objects.create(progress=progress, from_stage=progress.stage, to_stage=to, by=actor, reason=reason)
    progress.stage = to
    progress.stage_since = today
    set_actor(progress, actor, reason)


def _lock_plan_for_stage4(plan: RolloutPlan) -> RolloutPlan:
    """Entering stage 4 reads the pilot under the plan's row lock (issue #11 item 17): a pilot
    switch (``plan_set_pilot``) and an entry into stage 4 are serialised on PostgreSQL."""
    return RolloutPlan.objects.select_for_update().get(pk=plan.pk)


def _check_gate(plan: RolloutPlan, community: Community, stage: int) -> None:
    if stage >= Stage.PILOT:
        plan = _lock_plan_for_stage4(plan)
    if not rules.may_enter(stage=stage, is_pilot=plan.pilot_id == community.pk, pilot_summarised=plan.pilot_summarised):
        raise ValidationError(
            _("试点先行：试点社区总结之前，%(community)s不能进入第4阶段。") % {"community": community.name}
        )


AUTO_REASONS = {
    1: "自动：宣传活动已登记",
    2: "自动：成员单位台账完整",
    3: "自动：实施方案已制定、意见已征求",
    4: "自动：大党委已运行",
}


@transaction.atomic
def progress_refresh(*, community: Community, today: datetime.date | None = None) -> CommunityProgress | None:
    """R25: advance ``community`` as far as its deliverables allow, never past THE PILOT GATE.

    Each automatic move is recorded with no actor and a reason "自动：…". Returns the progress
    (None when the township has no plan)."""
    today = today or timezone.localdate()
    plan = current_plan(community)
    if plan is None:
        return None
    progress = _progress_for(plan, community)
    before = (progress.stage, progress.stage_done, progress.stage_since)
    if progress.stage == Stage.NOT_STARTED:
        start = plan.stages.filter(stage=1).values_list("start_month", flat=True).first() or DEFAULT_MONTHS[1][0]
        if today >= datetime.date(plan.year, start, 1):
            _move(progress, to=1, actor=None, reason=AUTO + "宣传阶段计划开始月份已到", today=today)
    checks = selectors.deliverables(community=community, plan=plan) if progress.stage else {}
    while 1 <= progress.stage < Stage.RULES and checks[progress.stage].done:
        nxt = progress.stage + 1
        if nxt >= Stage.PILOT:
            plan = _lock_plan_for_stage4(plan)
        if not rules.may_enter(
            stage=nxt, is_pilot=plan.pilot_id == community.pk, pilot_summarised=plan.pilot_summarised
        ):
            break
        _move(progress, to=nxt, actor=None, reason=AUTO_REASONS[progress.stage], today=today)
    progress.stage_done = bool(progress.stage) and checks[progress.stage].done
    if (progress.stage, progress.stage_done, progress.stage_since) != before:
        progress.full_clean()
        progress.save(update_fields=["stage", "stage_done", "stage_since", "updated_at"])
    return progress


def progress_refresh_all(*, today: datetime.date | None = None) -> int:
    """The periodic sweep (Celery ``rollout.refresh``): every community of a township with a plan."""
    n = 0
    townships = RolloutPlan.objects.values_list("township_id", flat=True).distinct()
    for community in Community.objects.filter(township_id__in=townships).order_by("pk"):
        progress_refresh(community=community, today=today)
        n += 1
    return n


@transaction.atomic
def stage_set(*, actor, progress: CommunityProgress, stage: int, reason: str, today=None) -> CommunityProgress:
    """R25: township staff put a community in any stage by hand, with a reason (recorded with the
    actor); THE PILOT GATE holds here too."""
    _require_township(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写调整原因。")})
    if stage not in Stage.values:
        raise ValidationError({"stage": _("阶段不正确。")})
    today = today or timezone.localdate()
    progress = CommunityProgress.objects.select_for_update().select_related("plan", "community").get(pk=progress.pk)
    if stage == progress.stage:
        raise ValidationError({"stage": _("该社区已处于此阶段。")})
    _check_gate(progress.plan, progress.community, stage)
    _move(progress, to=stage, actor=actor, reason=reason, today=today)
    checks = selectors.deliverables(community=progress.community, plan=progress.plan) if stage else {}
    progress.stage_done = bool(stage) and checks[stage].done
    progress.full_clean()
    progress.save(update_fields=["stage", "stage_done", "stage_since", "updated_at"])
    return progress


def stage_advance(*, actor, progress: CommunityProgress, reason: str, today=None) -> CommunityProgress:
    """R25: the next stage by hand (for what the portal cannot check), gate included."""
    if progress.stage >= Stage.RULES:
        raise ValidationError(_("该社区已处于最后阶段。"))
    return stage_set(actor=actor, progress=progress, stage=progress.stage + 1, reason=reason, today=today)


def _after_write(community: Community) -> None:
    """Refresh inside the same transaction: the page after the write shows the new stage."""
    progress_refresh(community=community)


# --- deliverables ----------------------------------------------------------------------------------


@transaction.atomic
def publicity_event_record(
    *, actor, community: Community, held_on, title: str, kind: str, participants: int = 0, file=None
) -> PublicityEvent:
    """R25.1: a publicity event of the community."""
    _require_community_side(actor)
    if held_on and held_on > timezone.localdate():
        raise ValidationError({"held_on": _("活动日期不能晚于今天。")})
    if file:
        validate_upload(file, PHOTO_TYPES)
    event = PublicityEvent(
        community=community,
        held_on=held_on,
        title=title,
        kind=kind,
        participants=participants or 0,
        file=file or "",
        recorded_by=actor,
    )
    save_audited(event, actor, reason=_("登记宣传活动"))
    _after_write(community)
    return event


@transaction.atomic
def plan_document_upload(*, actor, community: Community, title: str, file) -> PlanDocument:
    """R25.3: the community's draft plan; opinions are open until closed."""
    _require_community_side(actor)
    if not file:
        raise ValidationError({"file": _("请选择方案文件。")})
    validate_upload(file, DOCUMENT_TYPES)
    document = PlanDocument(community=community, title=title, file=file, uploaded_by=actor)
    return save_audited(document, actor, reason=_("上传实施方案"))


@transaction.atomic
def plan_opinion_save(*, actor, document: PlanDocument, unit: Unit, text: str) -> PlanOpinion:
    """R25.3: a member unit's opinion (one per unit, rewritable while gathering is open); a liaison
    writes only their own unit's."""
    if role_of(actor) == "liaison" and actor.unit_id != unit.pk:
        raise PermissionDenied
    if role_of(actor) == "county":
        raise PermissionDenied
    document = PlanDocument.objects.select_for_update().get(pk=document.pk)
    if not document.opinions_open:
        raise ValidationError(_("征求意见已结束，不能再提交意见。"))
    if unit.community_id != document.community_id or not unit.is_active:
        raise ValidationError({"unit": _("只有本社区在册成员单位可以提出意见。")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写意见建议。")})
    opinion = PlanOpinion.objects.filter(document=document, unit=unit).first()
    if opinion is None:
        opinion = PlanOpinion(document=document, unit=unit, text=text, author=actor)
        return save_audited(opinion, actor, reason=_("提交意见"))
    opinion.text, opinion.author = text, actor
    return save_audited(opinion, actor, update_fields=["text", "author"], reason=_("修改意见"))


@transaction.atomic
def plan_document_close_opinions(*, actor, document: PlanDocument) -> PlanDocument:
    """R25.3: the community closes the gathering (at least one unit's opinion needed)."""
    _require_community_side(actor)
    document = PlanDocument.objects.select_for_update().get(pk=document.pk)
    if not document.opinions_open:
        raise ValidationError(_("征求意见已结束。"))
    if not document.opinions.exists():
        raise ValidationError(_("尚无成员单位提出意见，不能结束征求意见。"))
    document.opinions_closed_at = timezone.now()
    document.opinions_closed_by = actor
    save_audited(document, actor, update_fields=["opinions_closed_at", "opinions_closed_by"], reason=_("结束征求意见"))
    _after_write(document.community)
    return document


def _check_meeting(community: Community, meeting) -> None:
    if meeting.committee.community_id != community.pk:
        raise ValidationError({"approved_in": _("只能选择本社区大党委的会议。")})
    if meeting.status not in selectors.HELD_STATUSES:
        raise ValidationError({"approved_in": _("该会议尚未召开，不能作为审议通过的会议。")})


@transaction.atomic
def rule_document_upload(*, actor, community: Community, kind: str, title: str, file, approved_in=None) -> RuleDocument:
    """R25.5: a rule document (会议制度/议事规则/考核办法), optionally with the held meeting that approved it."""
    _require_community_side(actor)
    if not file:
        raise ValidationError({"file": _("请选择文件。")})
    validate_upload(file, DOCUMENT_TYPES)
    if approved_in is not None:
        _check_meeting(community, approved_in)
    document = RuleDocument(
        community=community, kind=kind, title=title, file=file, approved_in=approved_in, uploaded_by=actor
    )
    save_audited(document, actor, reason=_("上传制度文件"))
    _after_write(community)
    return document


@transaction.atomic
def rule_document_approve(*, actor, document: RuleDocument, meeting) -> RuleDocument:
    """R25.5: record the held meeting of the community's committee that approved the document."""
    _require_community_side(actor)
    _check_meeting(document.community, meeting)
    document.approved_in = meeting
    save_audited(document, actor, update_fields=["approved_in"], reason=_("登记审议通过"))
    _after_write(document.community)
    return document
