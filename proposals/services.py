"""Every write of proposals (建议案, R27).

Who does what: any user of the community side (township staff, the secretary, a liaison for the
members of their unit) enters a proposal on the proposers' behalf; township staff and the
secretary register or decline it, assign it, record the proposers' satisfaction, reopen it once
and commend it; a handler (the unit's liaison, or the community side for the committee itself)
writes the reply. County reviewers read. Notices go through the outbox, once each (keyed).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from committees.models import Committee, Unit
from common import permissions
from common.audit import set_actor
from common.text import inner_quotes
from common.uploads import validate_upload

from .models import ATTACHMENT_TYPES, MIN_JOINT_PROPOSERS, Assignment, Proposal, ProposalAttachment, ProposalSigner

RUNNERS = ("admin", "township", "secretary")


def _enqueue(**kwargs):
    from inbox.services import message_enqueue

    return message_enqueue(**kwargs)


def _require_runner(actor, proposal: Proposal | None = None, committee: Committee | None = None) -> None:
    """Registration, assignment, feedback, reopening and commendation belong to township staff and
    the secretary of the proposal's community (county reviewers read, liaisons only reply)."""
    if permissions.role_of(actor) not in RUNNERS:
        raise PermissionDenied
    committee = committee or proposal.committee
    if not permissions.can_view(actor, committee):
        raise PermissionDenied


def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("committee__community").get(pk=proposal.pk)


def _require_status(proposal: Proposal, allowed, message: str) -> None:
    if proposal.status not in allowed:
        raise ValidationError(message % {"status": proposal.get_status_display()})


def _save(obj, actor, update_fields=None) -> None:
    set_actor(obj, actor)
    obj.full_clean(validate_constraints=False)
    obj.save(update_fields=update_fields)


def _community_side(committee: Committee) -> list[User]:
    """Who hears of proposals for the committee: its community's secretaries."""
    return list(
        User.objects.filter(role=User.Role.SECRETARY, community_id=committee.community_id, is_active=True).order_by(
            "pk"
        )
    )


def _notify(proposal: Proposal, users, *, event: str, subject: str, body: str) -> None:
    url = reverse("proposals:proposal_detail", args=[proposal.pk])
    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        _enqueue(
            key=f"proposal:{proposal.pk}:{event}:user:{user.pk}",
            recipient=user,
            subject=subject,
            body=body,
            url=url,
            kind="proposal",
        )


def _proposers_told(proposal: Proposal, *, event: str, subject: str, body: str) -> None:
    """The proposers are told through the person who entered their proposal (most party members
    have no account; the one who entered it passes the word on)."""
    _notify(proposal, [proposal.submitted_by], event=event, subject=subject, body=body)


# --- tabling -------------------------------------------------------------------------------------


def check_proposers(*, channel: str, lead_proposer: str, lead_is_representative: bool, co_signers) -> list[str]:
    """R27: during a congress a representative tables a proposal; between sessions three or more
    party members jointly. Returns the co-signers' names (cleaned, the lead's name left out)."""
    lead = (lead_proposer or "").strip()
    names: list[str] = []
    for name in co_signers or ():
        name = (name or "").strip()
        if name and name != lead and name not in names:
            names.append(name)
    if not lead:
        raise ValidationError({"lead_proposer": _("请填写领衔人。")})
    if channel == Proposal.Channel.CONGRESS and not lead_is_representative:
        raise ValidationError(
            {"lead_is_representative": _("党代会期间的建议案须由党代表提出；闭会期间请选择“由党员联名提出”。")}
        )
    if channel == Proposal.Channel.JOINT and len(names) + 1 < MIN_JOINT_PROPOSERS:
        raise ValidationError(
            {
                "co_signers": _("闭会期间须由%(min)s名以上党员联名提出，目前只有%(count)s人，请补充联名人。")
                % {"min": MIN_JOINT_PROPOSERS, "count": len(names) + 1}
            }
        )
    return names


@transaction.atomic
def proposal_table(
    *,
    actor,
    committee: Committee,
    channel: str,
    title: str,
    problem: str,
    suggestion: str,
    lead_proposer: str,
    lead_is_representative: bool = False,
    co_signers=(),
    units=(),
    tabled_on: datetime.date,
    attachments=(),
) -> Proposal:
    """R27: record a proposal for ``committee``; the community's secretaries are told."""
    if permissions.role_of(actor) == "liaison":
        if actor.unit.community_id != committee.community_id:
            raise PermissionDenied
    else:
        _require_runner(actor, committee=committee)
    names = check_proposers(
        channel=channel,
        lead_proposer=lead_proposer,
        lead_is_representative=lead_is_representative,
        co_signers=co_signers,
    )
    units = list(units)
    if any(unit.community_id != committee.community_id for unit in units):
        raise ValidationError({"units": _("涉及单位须是本社区大党委的成员单位。")})
    for f in attachments:
        validate_upload(f, ATTACHMENT_TYPES)
    proposal = Proposal(
        committee=committee,
        year=tabled_on.year,
        channel=channel,
        title=title.strip(),
        problem=problem.strip(),
        suggestion=suggestion.strip(),
        lead_proposer=lead_proposer.strip(),
        lead_is_representative=lead_is_representative,
        tabled_on=tabled_on,
        submitted_by=actor,
    )
    _save(proposal, actor)
    proposal.units.set(units)
    ProposalSigner.objects.bulk_create(ProposalSigner(proposal=proposal, name=name) for name in names)
    for f in attachments:
        ProposalAttachment.objects.create(proposal=proposal, file=f, name=f.name[:120])
    _notify(
        proposal,
        _community_side(committee),
        event="tabled",
        subject=_("收到新的建议案"),
        body=_("%(lead)s等提出的建议案“%(title)s”已提交，请及时审查立案。")
        % {"lead": proposal.lead_proposer, "title": inner_quotes(proposal.title)},
    )
    return proposal


# --- registration ----------------------------------------------------------------------------------


@transaction.atomic
def proposal_register(*, actor, proposal: Proposal, now: datetime.datetime | None = None) -> Proposal:
    """R27: a proper proposal is registered with the next number of its committee and year
    (建〔2026〕3号). The committee row is locked so two registrations never take one number; the
    unique constraint holds where locks do nothing (SQLite)."""
    _require_runner(actor, proposal)
    Committee.objects.select_for_update().filter(pk=proposal.committee_id).first()
    proposal = _lock(proposal)
    _require_status(proposal, [Proposal.Status.SUBMITTED], _("建议案“%(status)s”，不能再立案。"))
    last = (
        Proposal.objects.filter(committee_id=proposal.committee_id, year=proposal.year).aggregate(m=Max("number_seq"))[
            "m"
        ]
        or 0
    )
    proposal.number_seq = last + 1
    proposal.status = Proposal.Status.REGISTERED
    proposal.registered_at = now or timezone.now()
    proposal.registered_by = actor
    try:
        with transaction.atomic():
            _save(proposal, actor, ["number_seq", "status", "registered_at", "registered_by", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(_("编号已被同时立案的建议案占用，请重试。")) from exc
    _proposers_told(
        proposal,
        event="registered",
        subject=_("建议案已立案"),
        body=_("建议案“%(title)s”已立案，编号%(number)s。")
        % {"title": inner_quotes(proposal.title), "number": proposal.number},
    )
    return proposal


@transaction.atomic
def proposal_decline(*, actor, proposal: Proposal, reason: str, now: datetime.datetime | None = None) -> Proposal:
    """R27: a proposal that is not proper is declined with a written reason the proposers read."""
    _require_runner(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予立案须写明理由。")})
    proposal = _lock(proposal)
    _require_status(proposal, [Proposal.Status.SUBMITTED], _("建议案“%(status)s”，不能再作不予立案处理。"))
    proposal.status = Proposal.Status.DECLINED
    proposal.decline_reason = reason
    proposal.registered_at = now or timezone.now()
    proposal.registered_by = actor
    _save(proposal, actor, ["status", "decline_reason", "registered_at", "registered_by", "updated_at"])
    _proposers_told(
        proposal,
        event="declined",
        subject=_("建议案不予立案"),
        body=_("建议案“%(title)s”不予立案，理由：%(reason)s")
        % {"title": inner_quotes(proposal.title), "reason": reason},
    )
    return proposal


# --- handling ----------------------------------------------------------------------------------------


@transaction.atomic
def proposal_assign(
    *, actor, proposal: Proposal, units=(), to_committee: bool = False, due_on: datetime.date, today: datetime.date
) -> Proposal:
    """R27: a registered proposal goes to one or more member units and/or the committee itself,
    with a due date; each unit's liaisons are told."""
    _require_runner(actor, proposal)
    proposal = _lock(proposal)
    _require_status(proposal, [Proposal.Status.REGISTERED], _("建议案“%(status)s”，不能交办。"))
    units = list(units)
    if not units and not to_committee:
        raise ValidationError({"units": _("请至少选择一个承办单位，或由大党委承办。")})
    if any(unit.community_id != proposal.committee.community_id for unit in units):
        raise ValidationError({"units": _("承办单位须是本社区大党委的成员单位。")})
    if due_on < today:
        raise ValidationError({"due_on": _("办理期限不能早于今天。")})
    assignments = [Assignment(proposal=proposal, unit=unit) for unit in units]
    if to_committee:
        assignments.append(Assignment(proposal=proposal, unit=None))
    for assignment in assignments:
        _save(assignment, actor)
    proposal.due_on = due_on
    proposal.status = Proposal.Status.HANDLING
    _save(proposal, actor, ["due_on", "status", "updated_at"])
    _tell_handlers(proposal, units, event="assigned")
    return proposal


def _tell_handlers(proposal: Proposal, units, *, event: str) -> None:
    liaisons = User.objects.filter(role=User.Role.LIAISON, unit_id__in=[u.pk for u in units], is_active=True).order_by(
        "pk"
    )
    _notify(
        proposal,
        liaisons,
        event=event,
        subject=_("请办理建议案"),
        body=_("建议案%(number)s“%(title)s”交由贵单位办理，请于%(due)s前登录%(portal)s答复。")
        % {
            "number": proposal.number,
            "title": inner_quotes(proposal.title),
            "due": f"{proposal.due_on.year}年{proposal.due_on.month}月{proposal.due_on.day}日",
            "portal": settings.PORTAL_NAME,
        },
    )


def can_reply(user, assignment: Assignment) -> bool:
    """The unit's liaison answers for the unit; the community side answers for the committee
    (and may enter a unit's reply given on paper)."""
    role = permissions.role_of(user)
    if role == "liaison":
        return assignment.unit_id is not None and assignment.unit_id == user.unit_id
    return role in RUNNERS and permissions.can_view(user, assignment.proposal.committee)


@transaction.atomic
def assignment_reply(
    *, actor, assignment: Assignment, reply: str, action_taken: str = "", now: datetime.datetime | None = None
) -> Assignment:
    """R27: the handler writes its reply and what was done; when every handler has replied the
    proposal is answered and the proposers are told."""
    if not can_reply(actor, assignment):
        raise PermissionDenied
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("请填写答复内容。")})
    proposal = _lock(assignment.proposal)
    _require_status(proposal, [Proposal.Status.HANDLING], _("建议案“%(status)s”，不能再答复。"))
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    assignment.reply = reply
    assignment.action_taken = (action_taken or "").strip()
    assignment.replied_at = now or timezone.now()
    assignment.replied_by = actor
    _save(assignment, actor, ["reply", "action_taken", "replied_at", "replied_by", "updated_at"])
    if not proposal.assignments.filter(replied_at__isnull=True).exists():
        proposal.status = Proposal.Status.ANSWERED
        _save(proposal, actor, ["status", "updated_at"])
        body = _("建议案%(number)s“%(title)s”已全部答复，请向提案人反馈并记录其是否满意。") % {
            "number": proposal.number,
            "title": inner_quotes(proposal.title),
        }
        _notify(
            proposal,
            [proposal.submitted_by, *_community_side(proposal.committee)],
            event=f"answered:{int(proposal.reopened)}",
            subject=_("建议案已答复"),
            body=body,
        )
    return assignment


@transaction.atomic
def proposal_feedback(*, actor, proposal: Proposal, satisfied: bool, note: str = "") -> Proposal:
    """R27: the proposers say whether they are satisfied. Satisfied → closed. Unsatisfied → it may
    be reopened once; unsatisfied after the second handling → closed as it stands."""
    _require_runner(actor, proposal)
    proposal = _lock(proposal)
    _require_status(proposal, [Proposal.Status.ANSWERED], _("建议案“%(status)s”，尚不能记录提案人评价。"))
    note = (note or "").strip()
    if not satisfied and not note:
        raise ValidationError({"note": _("不满意时请写明提案人的意见。")})
    proposal.satisfaction = Proposal.Satisfaction.SATISFIED if satisfied else Proposal.Satisfaction.UNSATISFIED
    proposal.feedback_note = note
    if satisfied or proposal.reopened:
        proposal.status = Proposal.Status.CLOSED
    _save(proposal, actor, ["satisfaction", "feedback_note", "status", "updated_at"])
    return proposal


@transaction.atomic
def proposal_reopen(*, actor, proposal: Proposal, due_on: datetime.date, today: datetime.date) -> Proposal:
    """R27: an answer the proposers found unsatisfying is handled again — once. The handlers'
    first replies stay in the history; each writes a new one."""
    _require_runner(actor, proposal)
    proposal = _lock(proposal)
    if proposal.reopened:
        raise ValidationError(_("该建议案已重新办理过一次，不能再次重办。"))
    if proposal.status != Proposal.Status.ANSWERED or proposal.satisfaction != Proposal.Satisfaction.UNSATISFIED:
        raise ValidationError(_("只有提案人不满意的答复才能重新办理。"))
    if due_on < today:
        raise ValidationError({"due_on": _("办理期限不能早于今天。")})
    for assignment in proposal.assignments.select_for_update():
        assignment.reply = ""
        assignment.action_taken = ""
        assignment.replied_at = None
        assignment.replied_by = None
        _save(assignment, actor, ["reply", "action_taken", "replied_at", "replied_by", "updated_at"])
    proposal.reopened = True
    proposal.status = Proposal.Status.HANDLING
    proposal.satisfaction = Proposal.Satisfaction.NONE
    proposal.due_on = due_on
    _save(proposal, actor, ["reopened", "status", "satisfaction", "due_on", "updated_at"])
    units = [a.unit for a in proposal.assignments.select_related("unit") if a.unit_id]
    _tell_handlers(proposal, units, event="reopened")
    return proposal


@transaction.atomic
def proposal_commend(*, actor, proposal: Proposal, commended: bool = True) -> Proposal:
    """R27: at year end the committee marks the best proposals as 优秀建议案 (closed ones only)."""
    _require_runner(actor, proposal)
    proposal = _lock(proposal)
    if commended and proposal.status != Proposal.Status.CLOSED:
        raise ValidationError(_("只有已办结的建议案才能评为优秀建议案。"))
    proposal.commended = commended
    _save(proposal, actor, ["commended", "updated_at"])
    return proposal


# --- review at meetings -----------------------------------------------------------------------------


def open_proposals(committee: Committee):
    return Proposal.objects.filter(committee=committee, status__in=Proposal.OPEN).order_by("year", "number_seq", "pk")


def agenda_text(proposals) -> str:
    lines = []
    for i, p in enumerate(proposals, start=1):
        lines.append(
            _("%(i)s. %(number)s%(title)s（%(lead)s等，%(status)s）")
            % {"i": i, "number": p.number, "title": p.title, "lead": p.lead_proposer, "status": p.get_status_display()}
        )
    return "\n".join(lines)


@transaction.atomic
def proposals_to_agenda(*, actor, meeting, category: str, planned_minutes: int = 15):
    """R27: every quarterly meeting reviews the open proposals; the secretary adds them as one
    topic in the category she chooses (the meeting's own rules check time and state)."""
    from meetings.services.scheduling import agenda_item_add

    _require_runner(actor, committee=meeting.committee)
    proposals = list(open_proposals(meeting.committee))
    if not proposals:
        raise ValidationError(_("本大党委没有未办结的建议案。"))
    return agenda_item_add(
        actor=actor,
        meeting=meeting,
        category=category,
        title=_("审议未办结建议案（%(count)s件）") % {"count": len(proposals)},
        description=agenda_text(proposals),
        proposer=_("大党委"),
        planned_minutes=planned_minutes,
    )


def units_in(committee: Committee, ids) -> list[Unit]:
    return list(Unit.objects.filter(community_id=committee.community_id, pk__in=ids))
