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
from committees.selectors import posts_in_force_on, secretary_on
from common.audit import set_actor
from common.services import save_audited as _save
from common.uploads import validate_upload
from common.validators import mobile_normalize
from meetings.models import NOTICE_LEAD, PORTAL_TZ, AgendaAttachment, AgendaItem, Attendee, Meeting, Motion

from . import changes, notices

ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "png", "jpg", "jpeg")
EDITABLE = (Meeting.Status.DRAFT, Meeting.Status.NOTIFIED)
MEETING_FIELDS = ("kind", "title", "starts_at", "duration_minutes", "place", "urgency_reason")


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("committee__community").get(pk=meeting.pk)


def _require_status(meeting: Meeting, allowed, message: str) -> None:
    if meeting.status not in allowed:
        raise ValidationError(message % {"status": meeting.get_status_display()})


def editable_statuses(meeting: Meeting) -> tuple:
    """Agenda and attendee list change before the meeting; a meeting entered afterwards (补录)
    keeps them open while it is held, until its minutes are approved."""
    return (*EDITABLE, Meeting.Status.HELD) if meeting.entered_afterwards else EDITABLE


def meeting_day(meeting: Meeting) -> datetime.date:
    """The meeting's day in Asia/Shanghai (posts in force, quarters)."""
    return meeting.starts_at.astimezone(PORTAL_TZ).date()


def entitled_posts(meeting: Meeting) -> list[Post]:
    """R8/R12.3: the entitled voters (应到会) are the committee's posts in force on the meeting
    day; a person holding two posts is one voter. One query."""
    posts, users = [], set()
    for post in posts_in_force_on(committee=meeting.committee, day=meeting_day(meeting)):
        if post.user_id is not None:
            if post.user_id in users:
                continue
            users.add(post.user_id)
        posts.append(post)
    return posts


def _chair_name(committee: Committee, starts_at: datetime.datetime) -> str:
    """R10: the secretary in office on the meeting's date convenes and chairs it."""
    secretary = secretary_on(committee=committee, day=timezone.localdate(starts_at))
    return secretary.holder_name if secretary is not None else ""


def _check_time(starts_at: datetime.datetime, urgency_reason: str, *, now=None) -> None:
    now = now or timezone.now()
    if starts_at <= now:
        raise ValidationError(
            {
                "starts_at": _(
                    "会议时间已过，请选择将来的时间。如会议已在线下召开，请使用“补录已召开的会议”登记，并写明补录原因。"
                )
            }
        )
    if starts_at - now < NOTICE_LEAD and not urgency_reason.strip():
        raise ValidationError(
            {"urgency_reason": _("距开会不足48小时：会议通知应提前2天发出。如确属急事共商，请填写紧急召开理由。")}
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
    """R10: every committee member in force on the meeting day (with their account and e-mail)
    who is not yet on the list. Idempotent."""
    meeting = _lock(meeting)
    _require_status(meeting, editable_statuses(meeting), _("会议“%(status)s”，不能再调整参会人员。"))
    return members_sync(actor=actor, meeting=meeting)


def members_sync(*, actor, meeting: Meeting) -> list[Attendee]:
    """R8/R12.3: make the voting members on the list exactly the entitled posts of the meeting
    day (the caller holds the meeting's row lock). A missing post is added (notified when the
    meeting is notified and still ahead); a guest with the account of an entitled post becomes
    that member (a person is one attendee); a member whose post is not in force that day (the
    meeting was moved, the post ended) leaves the list unless they have voted. Idempotent."""
    posts = entitled_posts(meeting)
    by_pk = {p.pk: p for p in posts}
    attendees = list(meeting.attendees.all())
    for a in attendees:
        if a.role != Attendee.Role.MEMBER or a.post_id in by_pk:
            continue
        if a.votes.filter(motion__status=Motion.Status.OPEN).exists():
            continue  # their vote in a running poll is counted with them; re-taken after it closes
        set_actor(a, actor)
        try:
            with transaction.atomic():
                notices.attendee_withdraw_pending(meeting=meeting, attendee=a)
                a.delete()
        except ProtectedError:  # named by a vote or a closed vote's snapshot: stays, without a vote
            a.role, a.post = Attendee.Role.GUEST, None
            _save(a, actor, update_fields=["role", "post"], reason=_("会议当天不在任，改为列席"))
    attendees = [a for a in attendees if a.pk is not None]
    on_list = {a.post_id for a in attendees if a.post_id is not None}
    by_user = {a.user_id: a for a in attendees if a.user_id is not None}
    added = []
    for post in posts:
        if post.pk in on_list:
            continue
        same = by_user.get(post.user_id) if post.user_id else None
        if same is not None:
            if same.role != Attendee.Role.MEMBER:
                same.role, same.post, same.unit, same.name = Attendee.Role.MEMBER, post, post.unit, post.holder_name
                _save(same, actor, update_fields=["role", "post", "unit", "name"], reason=_("本届在任委员，改为委员"))
            continue
        attendee = Attendee(
            meeting=meeting,
            role=Attendee.Role.MEMBER,
            name=post.holder_name,
            post=post,
            unit=post.unit,
            user=post.user,
            email=(post.user.email if post.user else "") or "",
            phone=post.phone,
        )
        _save(attendee, actor)
        if post.user_id:
            by_user[post.user_id] = attendee
        added.append(attendee)
    if meeting.status == Meeting.Status.NOTIFIED and meeting.starts_at > timezone.now():
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
    if "starts_at" in changed and meeting_day(meeting) != old["starts_at"].astimezone(PORTAL_TZ).date():
        members_sync(actor=actor, meeting=meeting)  # the posts in force on the new day
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
    members_sync(actor=actor, meeting=meeting)  # every entitled member is asked (R8/R12.3)
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
    if meeting.motions.exclude(status=Motion.Status.CREATED).exists():
        raise ValidationError(_("会议已经进行表决，说明会议已召开，不能取消。"))
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
    _require_status(meeting, editable_statuses(meeting), _("会议“%(status)s”，不能再调整议题。"))
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
    _require_status(meeting, editable_statuses(meeting), _("会议“%(status)s”，不能再调整议题。"))
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
    _require_status(meeting, editable_statuses(meeting), _("会议“%(status)s”，不能再调整议题。"))
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
    phone: str = "",
) -> Attendee:
    """Invite a unit representative or a guest (列席, R10: chosen by topic). A unit representative
    without an account given is linked to the unit's liaison account when there is one. On a
    notified meeting the newcomer is notified at once.

    R8/R12.3: nobody is added as a voter by hand: the voters are the posts in force on the
    meeting day, put on the list by ``members_sync``; a person is one attendee, so the holder of
    such a post is not invited a second time as a guest."""
    meeting = _lock(meeting)
    _require_status(meeting, editable_statuses(meeting), _("会议“%(status)s”，不能再调整参会人员。"))
    if role == Attendee.Role.MEMBER:
        raise ValidationError(
            {
                "role": _(
                    "有表决权的委员就是会议当天在任的本届委员，由系统自动列入名单，不能手工添加；"
                    "没有本届职务的人员请以列席身份邀请。"
                )
            }
        )
    if role not in Attendee.Role.values:
        raise ValidationError({"role": _("请选择参会身份。")})
    entitled = entitled_posts(meeting)
    held_by = next((p for p in entitled if user is not None and p.user_id == user.pk), None)
    if held_by is not None:
        raise ValidationError(
            _("%(name)s 是会议当天在任的本届委员，已是有表决权的应到会人员，不能再以列席身份邀请。")
            % {"name": held_by.holder_name}
        )
    if unit is not None and unit.community_id != meeting.committee.community_id:
        raise ValidationError({"unit": _("所选单位不属于本社区。")})
    if role == Attendee.Role.UNIT_REP and unit is None:
        raise ValidationError({"unit": _("驻区单位代表请选择所在单位。")})
    if role == Attendee.Role.UNIT_REP and user is None:
        user = unit.liaisons.filter(is_active=True).order_by("pk").first()
        if user is not None and (
            meeting.attendees.filter(user=user).exists() or any(p.user_id == user.pk for p in entitled)
        ):
            user = None
    attendee = Attendee(
        meeting=meeting,
        role=role,
        name=name.strip(),
        unit=unit,
        user=user,
        email=(email or (user.email if user else "") or (unit.contact_email if unit else "")).strip(),
        phone=mobile_normalize(phone),
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
def attendee_phones_follow_post(*, actor, post: Post, old: str) -> int:
    """Issue #15 item 7: a post holder's new mobile reaches the meetings still ahead (draft or
    notified), where the post's attendee still carries the old number; returns how many moved.
    A notice already sent stays as it was sent. (``committees.signals.post_phone_changed``)"""
    moved = 0
    ahead = Attendee.objects.filter(
        post=post,
        phone=old,
        meeting__status__in=[Meeting.Status.DRAFT, Meeting.Status.NOTIFIED],
        meeting__starts_at__gt=timezone.now(),
    )
    for attendee in ahead.select_for_update().order_by("pk"):
        attendee.phone = post.phone
        _save(attendee, actor, update_fields=["phone"], reason=_("任职人手机号码变更"))
        moved += 1
    return moved


@transaction.atomic
def attendee_remove(*, actor, attendee: Attendee) -> None:
    """Take a guest or unit representative off the list. R8/R12.3: a member whose post is in
    force on the meeting day stays in the entitled base (应到会) — one who cannot come is
    recorded on leave or absent, never removed."""
    meeting = _lock(attendee.meeting)
    _require_status(meeting, editable_statuses(meeting), _("会议“%(status)s”，不能再调整参会人员。"))
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if attendee.role == Attendee.Role.MEMBER and attendee.post_id in {p.pk for p in entitled_posts(meeting)}:
        raise ValidationError(
            _("%(name)s 是会议当天在任的本届委员，属于应到会人员，不能从名单中删除；不能参会的，请登记请假或缺席。")
            % {"name": attendee.name}
        )
    notices.attendee_withdraw_pending(meeting=meeting, attendee=attendee)
    set_actor(attendee, actor)
    try:
        with transaction.atomic():
            attendee.delete()
    except ProtectedError as exc:
        raise ValidationError(_("该人员已参加表决，不能从名单中删除。")) from exc


# --- a meeting held offline, entered afterwards (补录, R8/R12) ---------------------------------------


@transaction.atomic
def meeting_record_past(
    *,
    actor,
    committee: Committee,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str,
    reason: str,
    now: datetime.datetime | None = None,
) -> Meeting:
    """R8/R12: a meeting already held offline is entered afterwards: a past time inside the
    committee's term and a reason; it is held at once (it counts for its quarter), nobody is
    notified, and it stays marked as entered afterwards. The members in force that day are put
    on the list; attendance, votes, record and minutes are then entered from the paper record.
    The same meeting entered twice at once is one meeting (committee row lock; the unique key
    where row locks do nothing)."""
    now = now or timezone.now()
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写补录原因（例如：会议在线下召开，当时未在平台登记）。")
    if starts_at >= now:
        errors["starts_at"] = _("补录只用于已经召开的会议；将来的会议请按正常程序安排并发出通知。")
    else:
        day = starts_at.astimezone(PORTAL_TZ).date()
        if not committee.term_start <= day <= committee.term_end:
            errors["starts_at"] = _("会议日期不在本届大党委任期（%(start)s至%(end)s）内，不能补录。") % {
                "start": f"{committee.term_start.year}年{committee.term_start.month}月{committee.term_start.day}日",
                "end": f"{committee.term_end.year}年{committee.term_end.month}月{committee.term_end.day}日",
            }
    if errors:
        raise ValidationError(errors)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    same = Meeting.objects.filter(committee=committee, starts_at=starts_at).exclude(status=Meeting.Status.CANCELLED)
    if same.exists():
        raise ValidationError({"starts_at": _("本大党委在该时间已有会议，不能重复登记。")})
    meeting = Meeting(
        committee=committee,
        kind=kind,
        title=(title or "").strip(),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=(place or "").strip(),
        status=Meeting.Status.HELD,
        held_on=starts_at.astimezone(PORTAL_TZ).date(),
        chair_name=_chair_name(committee, starts_at),
        entered_afterwards=True,
        entered_reason=reason,
    )
    try:
        with transaction.atomic():
            _save(meeting, actor, reason=_("会后补录：%(reason)s") % {"reason": reason})
    except IntegrityError as exc:
        raise ValidationError({"starts_at": _("本大党委在该时间已有会议，不能重复登记。")}) from exc
    members_sync(actor=actor, meeting=meeting)
    return meeting
