"""Scheduling meetings (R8–R12.1): the meeting, its state, its agenda and who is asked to come.

Every write here is atomic, validated with ``full_clean()`` and recorded in the history with its
actor. State transitions and version bumps happen under a row lock on the meeting. Notices are
recorded through ``meetings.services.notices`` in the same transaction (a durable outbox), so
publishing never depends on the broker being up.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee, Post, Unit
from committees.selectors import secretary_on
from common.audit import set_actor
from common.services import save_audited as _save
from common.uploads import validate_upload
from meetings.models import NOTICE_LEAD, AgendaAttachment, AgendaItem, Attendee, Meeting

from . import changes, notices

ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "png", "jpg", "jpeg")
EDITABLE = (Meeting.Status.DRAFT, Meeting.Status.NOTIFIED)
MEETING_FIELDS = ("kind", "title", "starts_at", "duration_minutes", "place", "urgency_reason")


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("committee__community").get(pk=meeting.pk)


def _require_status(meeting: Meeting, allowed, message: str) -> None:
    if meeting.status not in allowed:
        raise ValidationError(message % {"status": meeting.get_status_display()})


def _chair_name(committee: Committee, starts_at: datetime.datetime) -> str:
    """R10: the secretary in office on the meeting's date convenes and chairs it."""
    secretary = secretary_on(committee=committee, day=timezone.localdate(starts_at))
    return secretary.holder_name if secretary is not None else ""


def _check_time(starts_at: datetime.datetime, urgency_reason: str, *, now=None) -> None:
    now = now or timezone.now()
    if starts_at <= now:
        raise ValidationError({"starts_at": _("会议时间已过，请选择将来的时间。")})
    if starts_at - now < NOTICE_LEAD and not urgency_reason.strip():
        raise ValidationError(
            {
                "urgency_reason": _(
                    "距开会不足48小时：会议通知应提前2天发出。如确属急事共商，请填写紧急召开理由。"
                )
            }
        )


def _before(meeting: Meeting) -> dict | None:
    """What the attendees of a notified meeting were told, taken before an edit (R9 update notice)."""
    return changes.snapshot(meeting) if meeting.status == Meeting.Status.NOTIFIED else None


def _after(actor, meeting: Meeting, before: dict | None) -> None:
    if before is not None:
        changes.change_record(actor=actor, meeting=meeting, before=before)


def _agenda_minutes(meeting: Meeting, *, exclude_pk=None) -> int:
    qs = meeting.agenda_items.all()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("planned_minutes"))["total"] or 0


# --- meetings ------------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    committee: Committee,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str,
    urgency_reason: str = "",
    invite_members: bool = True,
) -> Meeting:
    """R8/R10: a draft meeting chaired by the secretary in office on its date, with every member
    in force invited by default. Less than 48 hours ahead needs an urgency reason (R9)."""
    _check_time(starts_at, urgency_reason)
    meeting = Meeting(
        committee=committee,
        kind=kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        urgency_reason=urgency_reason.strip(),
        chair_name=_chair_name(committee, starts_at),
    )
    _save(meeting, actor)
    if invite_members:
        meeting_invite_members(actor=actor, meeting=meeting)
    return meeting


@transaction.atomic
def meeting_invite_members(*, actor, meeting: Meeting) -> list[Attendee]:
    """R10: every committee member in force (with their account and e-mail) who is not yet on the
    list. Idempotent."""
    meeting = _lock(meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再调整参会人员。"))
    present = set(meeting.attendees.filter(post__isnull=False).values_list("post_id", flat=True))
    present_users = set(meeting.attendees.filter(user__isnull=False).values_list("user_id", flat=True))
    added = []
    posts = meeting.committee.posts.filter(status=Post.Status.IN_FORCE).select_related("user", "unit")
    for post in posts.order_by("kind", "holder_name"):
        if post.pk in present or (post.user_id and post.user_id in present_users):
            continue
        attendee = Attendee(
            meeting=meeting,
            role=Attendee.Role.MEMBER,
            name=post.holder_name,
            post=post,
            unit=post.unit,
            user=post.user,
            email=(post.user.email if post.user else "") or "",
        )
        _save(attendee, actor)
        present_users.add(post.user_id)
        added.append(attendee)
    if meeting.status == Meeting.Status.NOTIFIED:
        for attendee in added:
            notices.attendee_notify(meeting=meeting, attendee=attendee)
    return added


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, **fields) -> Meeting:
    """Edit or reschedule. A change of time or place bumps ``version``; once notified, everyone
    gets an update (R12.2) and the reminder is re-planned."""
    meeting = _lock(meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再修改。"))
    changed = [name for name in MEETING_FIELDS if name in fields and getattr(meeting, name) != fields[name]]
    if not changed:
        return meeting
    old = {name: getattr(meeting, name) for name in changed}
    before = _before(meeting)
    for name in changed:
        setattr(meeting, name, fields[name])
    meeting.urgency_reason = (meeting.urgency_reason or "").strip()
    if "starts_at" in changed:
        _check_time(meeting.starts_at, meeting.urgency_reason)
        meeting.chair_name = _chair_name(meeting.committee, meeting.starts_at)
        changed.append("chair_name")
    if "duration_minutes" in changed and _agenda_minutes(meeting) > meeting.duration_minutes:
        raise ValidationError(
            {
                "duration_minutes": _("议题计划时长合计 %(n)s 分钟，超过会议时长，请先调整议题。")
                % {"n": _agenda_minutes(meeting)}
            }
        )
    moved = "starts_at" in changed or "place" in changed
    if moved:
        meeting.version += 1
        changed.append("version")
    _save(meeting, actor, update_fields=changed, reason=_("改期或变更地点") if moved else "")
    if moved and meeting.status == Meeting.Status.NOTIFIED:
        if "starts_at" in old:
            notices.replies_reset(actor=actor, meeting=meeting)
        notices.meeting_notify_update(meeting=meeting, previous_version=meeting.version - 1, old=old)
    _after(actor, meeting, before)
    return meeting


@transaction.atomic
def meeting_publish(*, actor, meeting: Meeting) -> Meeting:
    """R12.2: draft → notified. Every attendee's notice is recorded now (due at once) with a
    reminder 24 hours before; the sweep delivers them."""
    meeting = _lock(meeting)
    _require_status(meeting, (Meeting.Status.DRAFT,), _("会议“%(status)s”，不能再次发布通知。"))
    if not meeting.agenda_items.exists():
        raise ValidationError(_("请先确定议题，再发布会议通知。"))
    if not meeting.attendees.exists():
        raise ValidationError(_("请先确定参会人员，再发布会议通知。"))
    try:
        _check_time(meeting.starts_at, meeting.urgency_reason)
    except ValidationError as exc:
        raise ValidationError(_("发布失败：") + "；".join(exc.messages)) from exc
    meeting.status = Meeting.Status.NOTIFIED
    _save(meeting, actor, update_fields=["status"], reason=_("发布会议通知"))
    notices.meeting_notify(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_mark_held(*, actor, meeting: Meeting) -> Meeting:
    """notified → held, once the meeting has begun. A held meeting counts for R8."""
    meeting = _lock(meeting)
    _require_status(meeting, (Meeting.Status.NOTIFIED,), _("会议“%(status)s”，不能登记为已召开。"))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("会议尚未开始，不能登记为已召开。"))
    meeting.status = Meeting.Status.HELD
    meeting.held_on = timezone.localdate(meeting.starts_at)
    _save(meeting, actor, update_fields=["status", "held_on"], reason=_("会议已召开"))
    notices.meeting_withdraw_pending(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_mark_minutes_approved(*, actor, meeting: Meeting) -> Meeting:
    """held → minutes approved (called by the minutes service when the minutes are approved)."""
    meeting = _lock(meeting)
    _require_status(meeting, (Meeting.Status.HELD,), _("会议“%(status)s”，不能登记纪要已审定。"))
    meeting.status = Meeting.Status.MINUTES_APPROVED
    _save(meeting, actor, update_fields=["status"], reason=_("纪要已审定"))
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """draft/notified → cancelled, with a reason; everyone notified gets the cancellation and
    nothing still pending for this meeting goes out. A cancelled meeting does not count for R8."""
    meeting = _lock(meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能取消。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": _("请填写取消原因。")})
    was_notified = meeting.status == Meeting.Status.NOTIFIED
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    _save(meeting, actor, update_fields=["status", "cancel_reason"], reason=reason)
    notices.meeting_withdraw_pending(meeting=meeting)
    if was_notified:
        notices.meeting_notify_cancel(meeting=meeting)
    return meeting


# --- agenda (R11, R12.1) ---------------------------------------------------------------------------

AGENDA_FIELDS = ("category", "title", "description", "proposer", "presenter", "planned_minutes")


def _check_minutes(meeting: Meeting, planned: int, *, exclude_pk=None) -> None:
    total = _agenda_minutes(meeting, exclude_pk=exclude_pk) + (planned or 0)
    if total > meeting.duration_minutes:
        raise ValidationError(
            {
                "planned_minutes": _("议题计划时长合计 %(total)s 分钟，超过会议时长 %(duration)s 分钟。")
                % {"total": total, "duration": meeting.duration_minutes}
            }
        )


@transaction.atomic
def agenda_item_add(*, actor, meeting: Meeting, **fields) -> AgendaItem:
    """R11: a topic in one of the four categories; the planned minutes of all topics may not
    exceed the meeting's duration (checked under the meeting's lock)."""
    meeting = _lock(meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再调整议题。"))
    _check_minutes(meeting, fields.get("planned_minutes") or 0)
    before = _before(meeting)
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    item = AgendaItem(meeting=meeting, order=last + 1, **{k: v for k, v in fields.items() if k in AGENDA_FIELDS})
    _save(item, actor)
    _after(actor, meeting, before)
    return item


@transaction.atomic
def agenda_item_update(*, actor, item: AgendaItem, **fields) -> AgendaItem:
    meeting = _lock(item.meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再调整议题。"))
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    changed = [k for k in AGENDA_FIELDS if k in fields and getattr(item, k) != fields[k]]
    if not changed:
        return item
    before = _before(meeting)
    for name in changed:
        setattr(item, name, fields[name])
    _check_minutes(meeting, item.planned_minutes, exclude_pk=item.pk)
    _save(item, actor, update_fields=changed)
    _after(actor, meeting, before)
    return item


@transaction.atomic
def agenda_item_delete(*, actor, item: AgendaItem) -> None:
    meeting = _lock(item.meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再调整议题。"))
    before = _before(meeting)
    set_actor(item, actor)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError as exc:
        raise ValidationError(_("该议题已有表决事项，不能删除。")) from exc
    _after(actor, meeting, before)


@transaction.atomic
def agenda_attachment_add(*, actor, item: AgendaItem, file) -> AgendaAttachment:
    """Type, size and content checked (common.uploads); stored outside the web root and served
    only through a permission-checking view."""
    meeting = _lock(item.meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再上传附件。"))
    try:
        validate_upload(file, ATTACHMENT_TYPES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    name = file.name.rsplit("/", 1)[-1][:200]
    before = _before(meeting)
    attachment = AgendaAttachment(item=item, file=file, name=name, uploaded_by=actor)
    _save(attachment, actor)
    _after(actor, meeting, before)
    return attachment


@transaction.atomic
def agenda_attachment_delete(*, actor, attachment: AgendaAttachment) -> None:
    meeting = _lock(attachment.item.meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再删除附件。"))
    before = _before(meeting)
    attachment.file.delete(save=False)
    attachment.delete()
    _after(actor, meeting, before)


# --- attendees (R10: chosen by topic) --------------------------------------------------------------


@transaction.atomic
def attendee_add(
    *,
    actor,
    meeting: Meeting,
    role: str,
    name: str,
    unit: Unit | None = None,
    user=None,
    email: str = "",
) -> Attendee:
    """Invite a unit representative or a guest (or a member by hand). A unit representative
    without an account given is linked to the unit's liaison account when there is one. On a
    notified meeting the newcomer is notified at once."""
    meeting = _lock(meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再调整参会人员。"))
    if unit is not None and unit.community_id != meeting.committee.community_id:
        raise ValidationError({"unit": _("所选单位不属于本社区。")})
    if role == Attendee.Role.UNIT_REP and unit is None:
        raise ValidationError({"unit": _("驻区单位代表请选择所在单位。")})
    if role == Attendee.Role.UNIT_REP and user is None:
        user = unit.liaisons.filter(is_active=True).order_by("pk").first()
        if user is not None and meeting.attendees.filter(user=user).exists():
            user = None
    attendee = Attendee(
        meeting=meeting,
        role=role,
        name=name.strip(),
        unit=unit,
        user=user,
        email=(email or (user.email if user else "") or (unit.contact_email if unit else "")).strip(),
    )
    if user is not None and meeting.attendees.filter(user=user).exists():
        raise ValidationError(_("该人员已在参会名单中。"))
    try:
        with transaction.atomic():
            _save(attendee, actor)
    except IntegrityError as exc:  # the same person added twice at once
        raise ValidationError(_("该人员已在参会名单中。")) from exc
    if meeting.status == Meeting.Status.NOTIFIED:
        notices.attendee_notify(meeting=meeting, attendee=attendee)
    return attendee


@transaction.atomic
def attendee_remove(*, actor, attendee: Attendee) -> None:
    meeting = _lock(attendee.meeting)
    _require_status(meeting, EDITABLE, _("会议“%(status)s”，不能再调整参会人员。"))
    notices.attendee_withdraw_pending(meeting=meeting, attendee=attendee)
    set_actor(attendee, actor)
    try:
        with transaction.atomic():
            attendee.delete()
    except ProtectedError as exc:
        raise ValidationError(_("该人员已参加表决，不能从名单中删除。")) from exc
