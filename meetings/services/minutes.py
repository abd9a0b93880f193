"""The meeting record (会议记录), the minutes (会议纪要) and resolutions (决议) — issue #3 item 6,
R12.4: minutes recorded, resolutions formed, execution followed up.

Minutes are numbered per committee and year (期号): the next number is max+1, taken under a row
lock on the committee (and the unique key catches the rest). Lifecycle draft → circulated for
corrections → approved (normally at a later meeting) → locked; approved minutes change only
through a recorded amendment (``MinutesAmendment``). Approving the minutes moves the meeting to
"minutes approved".
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee, Unit
from common.audit import set_actor
from common.services import save_audited as _save
from inbox.services import message_enqueue
from meetings.models import (
    Attendee,
    Meeting,
    MeetingRecord,
    Minutes,
    MinutesAmendment,
    MinutesCorrection,
    Motion,
    Resolution,
)

from . import attendance, scheduling

CN_NUMERALS = "一二三四五六七八九十"
EDITABLE = (Minutes.Status.DRAFT, Minutes.Status.CIRCULATED)
FINAL = (Minutes.Status.APPROVED, Minutes.Status.LOCKED)


def _cn_day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _ordinal(i: int) -> str:
    return CN_NUMERALS[i - 1] if 1 <= i <= len(CN_NUMERALS) else str(i)


def _require_held(meeting: Meeting) -> None:
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED):
        raise ValidationError(
            _("会议“%(status)s”：会议召开后才能形成会议记录和纪要。") % {"status": meeting.get_status_display()}
        )


def _require_votes_closed(meeting: Meeting, what: str) -> None:
    """R12.3/R12.4: the record and the minutes are written once every vote is counted."""
    if meeting.motions.filter(status=Motion.Status.OPEN).exists():
        raise ValidationError(_("还有表决事项正在表决中，请先结束表决，再%(what)s。") % {"what": what})


def vote_line(motion: Motion) -> str:
    return _(
        "应到会 %(entitled)s 人，实到 %(present)s 人；赞成 %(f)s 票，反对 %(a)s 票，弃权 %(x)s 票；%(result)s。"
    ) % {
        "entitled": motion.entitled_count,
        "present": motion.present_count if motion.present_count is not None else "—",
        "f": motion.votes_for,
        "a": motion.votes_against,
        "x": motion.votes_abstain,
        "result": _("通过") if motion.passed else _("未通过"),
    }


# --- prefill: the editor starts from what the portal holds ---------------------------------------


def _attendance_sentence(attendees: list[Attendee]) -> str:
    members = [a for a in attendees if a.role == Attendee.Role.MEMBER]
    present = sum(1 for a in members if a.attendance == Attendee.Attendance.PRESENT)
    leave = sum(1 for a in members if a.attendance == Attendee.Attendance.LEAVE)
    guests = sum(1 for a in attendees if a.role != Attendee.Role.MEMBER and a.attendance == Attendee.Attendance.PRESENT)
    return _("应到委员 %(m)s 人，实到 %(p)s 人，请假 %(l)s 人，列席 %(g)s 人。") % {
        "m": len(members),
        "p": present,
        "l": leave,
        "g": guests,
    }


def _closed_motions(meeting: Meeting) -> list[Motion]:
    return list(
        meeting.motions.filter(status__in=[Motion.Status.CLOSED, Motion.Status.PUBLISHED])
        .select_related("agenda_item")
        .order_by("agenda_item__order", "pk")
    )


def minutes_prefill(*, meeting: Meeting) -> str:
    """The first draft of the minutes body: the meeting, the topics, the agreed items with their
    results, responsible units and deadlines."""
    attendees = list(meeting.attendees.all())
    agenda = list(meeting.agenda_items.order_by("order", "pk"))
    resolutions = list(meeting.resolutions.select_related("responsible_unit", "motion").order_by("pk"))
    lines = [
        _("%(day)s，%(committee)s在%(place)s召开%(title)s，会议由%(chair)s主持。%(attendance)s")
        % {
            "day": _cn_day(timezone.localdate(meeting.starts_at)),
            "committee": meeting.committee.name,
            "place": meeting.place,
            "title": meeting.title,
            "chair": meeting.chair_name or _("书记"),
            "attendance": _attendance_sentence(attendees),
        }
    ]
    if meeting.entered_afterwards:
        lines.append(afterwards_sentence(meeting))
    if agenda:
        lines.append(
            _("会议研究了以下议题：%(topics)s。")
            % {"topics": "；".join(f"{i}. {item.title}" for i, item in enumerate(agenda, start=1))}
        )
    lines.append(_("经讨论表决，会议议定如下："))
    for i, resolution in enumerate(resolutions, start=1):
        text = f"{_ordinal(i)}、{resolution.text}"
        if resolution.motion is not None and resolution.motion.passed is not None:
            text += _("（表决结果：%(line)s计票规则：%(rule)s）") % {
                "line": vote_line(resolution.motion),
                "rule": resolution.motion.counting_sentence,
            }
        elif resolution.is_consensus:
            text += _("（会议协商一致通过，应到会 %(e)s 人，实到 %(p)s 人。）") % {
                "e": resolution.consensus_entitled,
                "p": resolution.consensus_present,
            }
        if resolution.responsible_unit is not None:
            text += _("责任单位：%(unit)s。") % {"unit": resolution.responsible_unit.name}
        if resolution.deadline is not None:
            text += _("完成时限：%(day)s。") % {"day": _cn_day(resolution.deadline)}
        lines.append(text)
    if not resolutions:
        lines.append(_("（请在“决议”中登记议定事项。）"))
    return "\n".join(lines)


def afterwards_sentence(meeting: Meeting) -> str:
    """R8: a meeting held offline and entered afterwards says so in the record and the minutes."""
    return _("本次会议于线下召开，会后在平台补录（补录原因：%(reason)s）。") % {"reason": meeting.entered_reason}


def record_prefill(*, meeting: Meeting) -> tuple[str, str]:
    """The first draft of the record: one heading per topic for the speeches, and the results."""
    agenda = list(meeting.agenda_items.order_by("order", "pk"))
    speeches = "\n\n".join(
        _("%(n)s、%(title)s\n汇报人：%(presenter)s\n发言：")
        % {"n": _ordinal(i), "title": item.title, "presenter": item.presenter or "—"}
        for i, item in enumerate(agenda, start=1)
    )
    decisions = "\n".join(
        f"{_ordinal(i)}、{motion.title}：{vote_line(motion)}{motion.counting_sentence}"
        for i, motion in enumerate(_closed_motions(meeting), start=1)
    )
    if meeting.entered_afterwards:
        speeches = f"{afterwards_sentence(meeting)}\n\n{speeches}" if speeches else afterwards_sentence(meeting)
    return speeches, decisions


# --- the record (会议记录) -------------------------------------------------------------------------


@transaction.atomic
def record_save(*, actor, meeting: Meeting, speeches: str, decisions: str) -> MeetingRecord:
    """Write the record of a held meeting; the writer becomes its recorder (记录人) unless one is
    named. Once the minutes are approved the record is final too."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_held(meeting)
    _require_votes_closed(meeting, _("填写会议记录"))
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        raise ValidationError(_("会议纪要已审定，会议记录不能再修改。"))
    record = MeetingRecord.objects.select_for_update().filter(meeting=meeting).first()
    if record is None:
        record = MeetingRecord(meeting=meeting)
    record.speeches = (speeches or "").strip()
    record.decisions = (decisions or "").strip()
    _save(record, actor)
    if meeting.recorder_id is None:
        meeting.recorder = actor
        _save(meeting, actor, update_fields=["recorder"])
    return record


# --- the minutes (会议纪要) ------------------------------------------------------------------------


def _lock_minutes(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().get(pk=minutes.pk)


@transaction.atomic
def minutes_create(*, actor, meeting: Meeting) -> Minutes:
    """Number the minutes of a held meeting (期号 = max + 1 in the committee and the meeting's
    year, under the committee's row lock) and start the body from the portal's data."""
    meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    _require_held(meeting)
    _require_votes_closed(meeting, _("形成会议纪要"))
    if Minutes.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("本次会议已有会议纪要。"))
    committee = Committee.objects.select_for_update().get(pk=meeting.committee_id)
    year = timezone.localdate(meeting.starts_at).year
    last = Minutes.objects.filter(committee=committee, year=year).aggregate(n=Max("number"))["n"] or 0
    minutes = Minutes(
        meeting=meeting, committee=committee, year=year, number=last + 1, body=minutes_prefill(meeting=meeting)
    )
    minutes.full_clean(validate_unique=False, validate_constraints=False)
    set_actor(minutes, actor)
    try:
        with transaction.atomic():
            minutes.save()
    except IntegrityError as exc:  # where row locks do nothing (SQLite), the unique key decides
        raise ValidationError(_("期号已被占用，请重试。")) from exc
    return minutes


@transaction.atomic
def minutes_update(*, actor, minutes: Minutes, body: str) -> Minutes:
    minutes = _lock_minutes(minutes)
    if minutes.status not in EDITABLE:
        raise ValidationError(_("会议纪要已审定，只能通过登记更正的方式修改。"))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写纪要正文。")})
    if body == minutes.body:
        return minutes
    minutes.body = body
    return _save(minutes, actor, update_fields=["body"])


@transaction.atomic
def minutes_refill(*, actor, minutes: Minutes) -> Minutes:
    """Start the draft again from the agenda, attendance, results and resolutions."""
    minutes = _lock_minutes(minutes)
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError(_("只有草稿可以重新生成正文。"))
    minutes.body = minutes_prefill(meeting=Meeting.objects.select_related("committee").get(pk=minutes.meeting_id))
    return _save(minutes, actor, update_fields=["body"], reason=_("按会议情况重新生成"))


@transaction.atomic
def minutes_circulate(*, actor, minutes: Minutes) -> Minutes:
    """draft → circulated for corrections (征求意见)."""
    minutes = _lock_minutes(minutes)
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError(
            _("会议纪要“%(status)s”，不能再印发征求意见。") % {"status": minutes.get_status_display()}
        )
    minutes.status = Minutes.Status.CIRCULATED
    _save(minutes, actor, update_fields=["status"], reason=_("印发征求意见"))
    meeting = minutes.meeting
    url = reverse("meetings:minutes_detail", args=[minutes.pk])
    for attendee in Attendee.objects.filter(meeting=meeting).select_related("user"):
        if attendee.user_id is None and not attendee.email:
            continue
        message_enqueue(
            key=f"minutes:{minutes.pk}:circulated:attendee:{attendee.pk}",
            recipient=attendee.user,
            email=attendee.email or (attendee.user.email if attendee.user else ""),
            subject=_("请对%(meeting)s会议纪要提出修改意见") % {"meeting": meeting.title},
            body=_("%(meeting)s的会议纪要（%(no)s）已印发征求意见，请登录平台阅读，如有修改意见请在纪要页面提出。")
            % {"meeting": meeting.title, "no": minutes},
            url=url,
            kind="minutes_circulated",
        )
    return minutes


@transaction.atomic
def minutes_correction_add(*, actor, minutes: Minutes, text: str) -> MinutesCorrection:
    """R12.4: while circulated, attendees (and the committee's staff) propose corrections."""
    minutes = _lock_minutes(minutes)
    if minutes.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("只有征求意见中的会议纪要才能提出修改意见。"))
    if not text.strip():
        raise ValidationError({"text": _("请填写修改意见。")})
    correction = MinutesCorrection(minutes=minutes, author=actor, text=text.strip())
    correction.full_clean()
    correction.save()
    return correction


def approval_meetings(*, minutes: Minutes):
    """The later meetings of the committee at which the minutes may be approved."""
    return Meeting.objects.filter(
        committee_id=minutes.committee_id,
        starts_at__gt=minutes.meeting.starts_at,
        status__in=[Meeting.Status.NOTIFIED, Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED],
    ).order_by("starts_at")


@transaction.atomic
def minutes_approve(
    *, actor, minutes: Minutes, approved_at_meeting: Meeting | None = None, approved_on: datetime.date | None = None
) -> Minutes:
    """circulated → approved, normally at a later meeting of the committee (picked here); the
    meeting moves to "minutes approved". From now on only amendments change them."""
    minutes = _lock_minutes(minutes)
    if minutes.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("会议纪要须先印发征求意见，再审定。"))
    meeting = Meeting.objects.get(pk=minutes.meeting_id)
    today = timezone.localdate()
    if approved_at_meeting is not None:
        if not approval_meetings(minutes=minutes).filter(pk=approved_at_meeting.pk).exists():
            raise ValidationError({"approved_at_meeting": _("请选择本大党委此后召开的会议。")})
        if approved_on is None:
            approved_on = min(timezone.localdate(approved_at_meeting.starts_at), today)
    approved_on = approved_on or today
    if approved_on > today:
        raise ValidationError({"approved_on": _("审定日期不能晚于今天。")})
    if approved_on < timezone.localdate(meeting.starts_at):
        raise ValidationError({"approved_on": _("审定日期不能早于会议召开日期。")})
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at_meeting = approved_at_meeting
    minutes.approved_on = approved_on
    _save(minutes, actor, update_fields=["status", "approved_at_meeting", "approved_on"], reason=_("审定"))
    if meeting.status == Meeting.Status.HELD:
        scheduling.meeting_mark_minutes_approved(actor=actor, meeting=meeting)
    return minutes


@transaction.atomic
def minutes_lock(*, actor, minutes: Minutes) -> Minutes:
    """approved → locked (归档)."""
    minutes = _lock_minutes(minutes)
    if minutes.status != Minutes.Status.APPROVED:
        raise ValidationError(_("会议纪要须先审定，再归档锁定。"))
    minutes.status = Minutes.Status.LOCKED
    return _save(minutes, actor, update_fields=["status"], reason=_("归档锁定"))


@transaction.atomic
def minutes_amend(*, actor, minutes: Minutes, text: str, reason: str) -> MinutesAmendment:
    """A correction to approved or locked minutes: recorded with who, when and why; the approved
    text itself stays as it was approved."""
    minutes = _lock_minutes(minutes)
    if minutes.status not in FINAL:
        raise ValidationError(_("会议纪要尚未审定，请直接修改正文。"))
    text, reason = (text or "").strip(), (reason or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("请填写更正内容。")
    if not reason:
        errors["reason"] = _("请填写更正原因。")
    if errors:
        raise ValidationError(errors)
    amendment = MinutesAmendment(minutes=minutes, text=text, reason=reason, made_by=actor)
    amendment.full_clean()
    amendment.save()
    return amendment


# --- resolutions (决议) ----------------------------------------------------------------------------

RESOLUTION_FIELDS = ("text", "motion", "responsible_unit", "deadline")


def _check_resolution(meeting: Meeting, fields: dict, *, exclude_pk=None) -> None:
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is not None and minutes.status in FINAL:
        raise ValidationError(_("会议纪要已审定，决议不能再修改；如需更正请登记纪要更正。"))
    if not (fields.get("text") or "").strip():
        raise ValidationError({"text": _("请填写决议内容。")})
    motion: Motion | None = fields.get("motion")
    if motion is None and not fields.get("consensus"):
        raise ValidationError(
            {"motion": _("决议须来自表决通过的事项；未经表决的，请勾选“会议协商一致”，并确认会议达到法定人数。")}
        )
    if motion is not None and fields.get("consensus"):
        raise ValidationError({"consensus": _("已选择表决通过的事项，不必再登记协商一致。")})
    if motion is not None:
        if motion.meeting_id != meeting.pk:
            raise ValidationError({"motion": _("所选表决事项不属于本次会议。")})
        if not motion.passed:
            raise ValidationError({"motion": _("只有表决通过的事项才能形成决议。")})
        taken = Resolution.objects.filter(motion=motion).exclude(pk=exclude_pk).exists()
        if taken:
            raise ValidationError({"motion": _("该表决事项已形成决议。")})
    unit: Unit | None = fields.get("responsible_unit")
    if unit is not None and unit.community_id != meeting.committee.community_id:
        raise ValidationError({"responsible_unit": _("所选单位不属于本社区。")})
    deadline = fields.get("deadline")
    if deadline is not None and deadline < timezone.localdate(meeting.starts_at):
        raise ValidationError({"deadline": _("完成时限不能早于会议日期。")})


def _consensus_quorum(meeting: Meeting) -> tuple[int, int]:
    """R12.3: a consensus binds only a meeting with a quorum (more than half of the entitled
    members present); returns (entitled, present) to record with the resolution."""
    quorum = attendance.meeting_quorum(meeting=meeting)
    if not quorum.met:
        raise ValidationError(
            {
                "consensus": _(
                    "出席委员 %(present)s 人，未超过应到会 %(members)s 人的半数，会议未达到法定人数，"
                    "不能以协商一致形成决议。"
                )
                % {"present": quorum.present, "members": quorum.members}
            }
        )
    return quorum.members, quorum.present


@transaction.atomic
def resolution_create(
    *,
    actor,
    meeting: Meeting,
    text: str,
    motion: Motion | None = None,
    consensus: bool = False,
    responsible_unit=None,
    deadline=None,
) -> Resolution:
    """R12.3/R12.4: an agreed item with its responsible unit and deadline. It comes from a passed
    motion, or from a consensus (协商一致) recorded at a meeting that had a quorum — the entitled
    and present counts are stored with it (a database check keeps them a quorum)."""
    meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    _require_held(meeting)
    fields = {
        "text": text,
        "motion": motion,
        "consensus": consensus,
        "responsible_unit": responsible_unit,
        "deadline": deadline,
    }
    _check_resolution(meeting, fields)
    entitled = present = None
    if motion is None:
        entitled, present = _consensus_quorum(meeting)
    resolution = Resolution(
        meeting=meeting,
        text=text.strip(),
        motion=motion,
        responsible_unit=responsible_unit,
        deadline=deadline,
        consensus_entitled=entitled,
        consensus_present=present,
    )
    try:
        with transaction.atomic():
            return _save(resolution, actor)
    except IntegrityError as exc:
        raise ValidationError({"motion": _("该表决事项已形成决议。")}) from exc


@transaction.atomic
def resolution_update(*, actor, resolution: Resolution, **fields) -> Resolution:
    meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=resolution.meeting_id)
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    consensus = bool(fields.pop("consensus", resolution.is_consensus))
    fields = {k: v for k, v in fields.items() if k in RESOLUTION_FIELDS}
    merged = {name: getattr(resolution, name) for name in RESOLUTION_FIELDS} | fields
    _check_resolution(meeting, merged | {"consensus": consensus and merged["motion"] is None}, exclude_pk=resolution.pk)
    changed = [name for name, value in fields.items() if getattr(resolution, name) != value]
    for name in changed:
        setattr(resolution, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    if resolution.motion_id is not None and resolution.consensus_entitled is not None:
        resolution.consensus_entitled = resolution.consensus_present = None
        changed += ["consensus_entitled", "consensus_present"]
    elif resolution.motion_id is None and resolution.consensus_entitled is None:
        resolution.consensus_entitled, resolution.consensus_present = _consensus_quorum(meeting)
        changed += ["consensus_entitled", "consensus_present"]
    if not changed:
        return resolution
    return _save(resolution, actor, update_fields=changed)
