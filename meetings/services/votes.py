"""Motions and named votes (issue #3 item 5, R12.3: discussion and vote, the minority obeys the
majority).

A motion goes created → open → closed → published. Its settings (title, text, rule, the unit it
concerns) freeze when it opens; the entitled voters (应到会) are snapshotted into ``MotionVoter``
when it closes, and the counts and the result are stored on the motion, so later changes to
posts or attendance never alter a result. Each member present votes for / against / abstain
exactly once (database-unique); a member of the unit a motion concerns is recused. Votes are
recorded by the secretary from a show of hands or cast by the member on their own device.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.audit import set_actor
from common.services import save_audited as _save
from meetings.models import AgendaItem, Attendee, Meeting, Minutes, Motion, MotionVoter, Vote

from . import notices
from .attendance import meeting_quorum, more_than_half, require_in_session
from .scheduling import members_sync

# --- the result rule: a pure function -------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    passed: bool
    base: int  # the number the threshold is taken of (entitled, or votes cast)
    needed: int  # for-votes needed to pass
    quorum_met: bool
    reason: str


def two_thirds(base: int) -> int:
    """The smallest whole number that is at least two thirds of ``base``: ceil(2·base/3)."""
    return (2 * base + 2) // 3


def motion_result(*, rule: str, entitled: int, present: int, votes_for: int, against: int, abstain: int) -> Result:
    """R12.3: whether a motion passed, from numbers only.

    ``entitled`` = members entitled to vote (应到会, recused members excluded); ``present`` = those
    of them present. Without a quorum (more than half of the entitled present) nothing passes.

    - ``majority_entitled`` (default): for-votes > half of the entitled, i.e. ≥ floor(n/2)+1;
    - ``majority_cast``: for-votes > half of the votes cast (abstentions are votes cast);
    - ``two_thirds_entitled``: for-votes ≥ two thirds of the entitled, i.e. ≥ ceil(2n/3).
    """
    numbers = (entitled, present, votes_for, against, abstain)
    if any(n < 0 for n in numbers):
        raise ValueError("counts must not be negative")
    cast = votes_for + against + abstain
    if present > entitled or cast > present:
        raise ValueError("votes cast ≤ present ≤ entitled")
    if rule == Motion.Rule.MAJORITY_ENTITLED:
        base, needed = entitled, more_than_half(entitled)
    elif rule == Motion.Rule.MAJORITY_CAST:
        base, needed = cast, more_than_half(cast)
    elif rule == Motion.Rule.TWO_THIRDS_ENTITLED:
        base, needed = entitled, max(1, two_thirds(entitled))
    else:
        raise ValueError(f"unknown rule {rule!r}")
    quorum_met = entitled > 0 and present >= more_than_half(entitled)
    numbers = {"present": present, "entitled": entitled, "for": votes_for, "needed": needed}
    if not quorum_met:
        reason = _("出席 %(present)s 人，未超过应到会 %(entitled)s 人的半数，不足法定人数，未通过。") % numbers
        return Result(False, base, needed, False, reason)
    if votes_for >= needed:
        reason = _("赞成 %(for)s 票，达到通过所需的 %(needed)s 票，通过。") % numbers
        return Result(True, base, needed, True, reason)
    reason = _("赞成 %(for)s 票，未达到通过所需的 %(needed)s 票，未通过。") % numbers
    return Result(False, base, needed, True, reason)


def result_of(motion: Motion) -> Result | None:
    """The stored result of a closed motion, explained (no query)."""
    if motion.passed is None:
        return None
    return motion_result(
        rule=motion.rule,
        entitled=motion.entitled_count,
        present=motion.present_count,
        votes_for=motion.votes_for,
        against=motion.votes_against,
        abstain=motion.votes_abstain,
    )


# --- motions -------------------------------------------------------------------------------------

MOTION_FIELDS = ("title", "text", "rule", "agenda_item", "concerns_unit")
PREPARABLE = (Meeting.Status.DRAFT, Meeting.Status.NOTIFIED, Meeting.Status.HELD)


def _check_settings(meeting: Meeting, fields: dict) -> None:
    item = fields.get("agenda_item")
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("所选议题不属于本次会议。")})
    unit = fields.get("concerns_unit")
    if unit is not None and unit.community_id != meeting.committee.community_id:
        raise ValidationError({"concerns_unit": _("所选单位不属于本社区。")})
    if not (fields.get("title") or "").strip():
        raise ValidationError({"title": _("请填写表决事项。")})


def _lock_meeting(pk: int) -> Meeting:
    return Meeting.objects.select_for_update().select_related("committee").get(pk=pk)


def _lock_motion(pk: int) -> Motion:
    return Motion.objects.select_for_update().get(pk=pk)


@transaction.atomic
def motion_create(
    *,
    actor,
    meeting: Meeting,
    title: str,
    text: str = "",
    rule: str = Motion.Rule.MAJORITY_ENTITLED,
    agenda_item: AgendaItem | None = None,
    concerns_unit=None,
) -> Motion:
    """A motion on an agenda item (or on the meeting), prepared before or during the meeting."""
    meeting = _lock_meeting(meeting.pk)
    if meeting.status not in PREPARABLE:
        raise ValidationError(_("会议“%(status)s”，不能再添加表决事项。") % {"status": meeting.get_status_display()})
    fields = {"title": title, "agenda_item": agenda_item, "concerns_unit": concerns_unit}
    _check_settings(meeting, fields)
    motion = Motion(
        meeting=meeting,
        agenda_item=agenda_item,
        title=title.strip(),
        text=(text or "").strip(),
        rule=rule,
        concerns_unit=concerns_unit,
    )
    return _save(motion, actor)


@transaction.atomic
def motion_update(*, actor, motion: Motion, **fields) -> Motion:
    """Settings change only before the vote opens (R12.3: they freeze when it opens)."""
    motion = _lock_motion(motion.pk)
    if motion.status != Motion.Status.CREATED:
        raise ValidationError(_("表决已开始，表决事项的设置已冻结，不能修改。"))
    meeting = Meeting.objects.select_related("committee").get(pk=motion.meeting_id)
    fields = {k: v for k, v in fields.items() if k in MOTION_FIELDS}
    merged = {name: getattr(motion, name) for name in MOTION_FIELDS} | fields
    _check_settings(meeting, merged)
    changed = [name for name, value in fields.items() if getattr(motion, name) != value]
    for name in changed:
        setattr(motion, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    if not changed:
        return motion
    return _save(motion, actor, update_fields=changed)


@transaction.atomic
def motion_delete(*, actor, motion: Motion) -> None:
    motion = _lock_motion(motion.pk)
    if motion.status != Motion.Status.CREATED:
        raise ValidationError(_("表决已开始，不能删除；表决记录须保留。"))
    set_actor(motion, actor)
    motion.delete()


@transaction.atomic
def motion_open(*, actor, motion: Motion) -> Motion:
    """created → open, only in session — the meeting has started (R12.3) and its minutes are not
    yet drawn up — and only when the presence quorum is met (more than half of the entitled
    members present). The entitled members are first brought in line with the posts in force
    on the meeting day (R8). A vote means the meeting took place: a notified meeting becomes
    held now, so the status, the votes and later the record tell one story. Checked under the
    meeting's lock, which attendance ticks also take."""
    meeting = _lock_meeting(motion.meeting_id)
    motion = _lock_motion(motion.pk)
    if motion.status != Motion.Status.CREATED:
        raise ValidationError(_("表决事项“%(status)s”，不能再开始表决。") % {"status": motion.get_status_display()})
    require_in_session(meeting)
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            _("会议尚未开始（%(time)s 开始），会议开始后才能表决。")
            % {"time": timezone.localtime(meeting.starts_at).strftime("%H:%M")}
        )
    if Minutes.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("本次会议已形成会议纪要，不能再开始新的表决。"))
    members_sync(actor=actor, meeting=meeting)
    quorum = meeting_quorum(meeting=meeting)
    if not quorum.met:
        raise ValidationError(
            _(
                "出席委员 %(present)s 人，未超过全体委员 %(members)s 人的半数（至少需要 %(needed)s 人），"
                "不足法定人数，不能开始表决。"
            )
            % {"present": quorum.present, "members": quorum.members, "needed": quorum.needed}
        )
    motion.status = Motion.Status.OPEN
    motion.opened_at = timezone.now()
    _save(motion, actor, update_fields=["status", "opened_at"], reason=_("开始表决"))
    if meeting.status == Meeting.Status.NOTIFIED:
        meeting.status = Meeting.Status.HELD
        meeting.held_on = timezone.localdate(meeting.starts_at)
        _save(meeting, actor, update_fields=["status", "held_on"], reason=_("开始表决，会议已召开"))
        notices.meeting_withdraw_pending(meeting=meeting)
    return motion


def is_recused(motion: Motion, attendee: Attendee) -> bool:
    return bool(motion.concerns_unit_id) and attendee.unit_id == motion.concerns_unit_id


@transaction.atomic
def motion_close(*, actor, motion: Motion) -> Motion:
    """open → closed: snapshot the entitled voters, count the named votes and store the result.
    After this nothing about the vote changes."""
    meeting = _lock_meeting(motion.meeting_id)
    motion = _lock_motion(motion.pk)
    if motion.status != Motion.Status.OPEN:
        raise ValidationError(_("表决事项“%(status)s”，不能结束表决。") % {"status": motion.get_status_display()})
    members = list(meeting.attendees.filter(role=Attendee.Role.MEMBER).order_by("pk"))
    MotionVoter.objects.bulk_create(
        [
            MotionVoter(
                motion=motion,
                attendee=a,
                name=a.name,
                recused=is_recused(motion, a),
                present=a.attendance == Attendee.Attendance.PRESENT,
            )
            for a in members
        ]
    )
    entitled = [a for a in members if not is_recused(motion, a)]
    present = sum(1 for a in entitled if a.attendance == Attendee.Attendance.PRESENT)
    counts = motion.votes.aggregate(
        f=Count("pk", filter=Q(choice=Vote.Choice.FOR)),
        a=Count("pk", filter=Q(choice=Vote.Choice.AGAINST)),
        x=Count("pk", filter=Q(choice=Vote.Choice.ABSTAIN)),
    )
    result = motion_result(
        rule=motion.rule,
        entitled=len(entitled),
        present=present,
        votes_for=counts["f"],
        against=counts["a"],
        abstain=counts["x"],
    )
    motion.status = Motion.Status.CLOSED
    motion.closed_at = timezone.now()
    motion.entitled_count = len(entitled)
    motion.present_count = present
    motion.votes_for, motion.votes_against, motion.votes_abstain = counts["f"], counts["a"], counts["x"]
    motion.passed = result.passed
    fields = [
        "status",
        "closed_at",
        "entitled_count",
        "present_count",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "passed",
    ]
    return _save(motion, actor, update_fields=fields, reason=_("结束表决"))


@transaction.atomic
def motion_publish(*, actor, motion: Motion) -> Motion:
    """closed → published: the chair reads out the result."""
    motion = _lock_motion(motion.pk)
    if motion.status != Motion.Status.CLOSED:
        raise ValidationError(_("表决事项“%(status)s”，不能公布结果。") % {"status": motion.get_status_display()})
    motion.status = Motion.Status.PUBLISHED
    return _save(motion, actor, update_fields=["status"], reason=_("公布表决结果"))


# --- votes ---------------------------------------------------------------------------------------

ALREADY = _("%(name)s 已经表决，不能重复表决或修改。")


def _check_voter(*, actor, motion: Motion, attendee: Attendee, method: str) -> None:
    if attendee.meeting_id != motion.meeting_id:
        raise ValidationError(_("%(name)s 不是本次会议的参会人员，不能表决。") % {"name": attendee.name})
    if motion.status != Motion.Status.OPEN:
        if motion.status == Motion.Status.CREATED:
            raise ValidationError(_("表决尚未开始。"))
        raise ValidationError(_("表决已结束，不能再表决或修改。"))
    if attendee.role != Attendee.Role.MEMBER:
        raise ValidationError(_("%(name)s 是列席人员，没有表决权。") % {"name": attendee.name})
    if is_recused(motion, attendee):
        raise ValidationError(_("本事项涉及 %(name)s 所在单位，应当回避，不参加表决。") % {"name": attendee.name})
    if attendee.attendance != Attendee.Attendance.PRESENT:
        raise ValidationError(_("%(name)s 未登记出席，不能表决。") % {"name": attendee.name})
    if method == Vote.Method.DEVICE and (attendee.user_id is None or attendee.user_id != actor.pk):
        raise ValidationError(_("在线表决只能由本人进行。"))
    if method == Vote.Method.DEVICE and motion.meeting.entered_afterwards:
        raise ValidationError(_("会后补录的会议不能在线表决，请由书记按会议记录登记举手表决结果。"))


@transaction.atomic
def vote_cast(*, actor, motion: Motion, attendee: Attendee, choice: str, method: str) -> Vote:
    """One named vote, exactly once. The motion's row lock orders it against the close; the
    attendee's row lock against an attendance change; the unique key catches a double submit."""
    motion = _lock_motion(motion.pk)
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("请选择赞成、反对或弃权。")})
    if method not in Vote.Method.values:
        raise ValidationError(_("表决方式无效。"))
    _check_voter(actor=actor, motion=motion, attendee=attendee, method=method)
    if Vote.objects.filter(motion=motion, attendee=attendee).exists():
        raise ValidationError(ALREADY % {"name": attendee.name})
    vote = Vote(motion=motion, attendee=attendee, choice=choice, method=method, recorded_by=actor)
    vote.full_clean(validate_unique=False, validate_constraints=False)
    set_actor(vote, actor)
    try:
        with transaction.atomic():
            vote.save()
    except IntegrityError as exc:  # the same vote submitted twice at once
        raise ValidationError(ALREADY % {"name": attendee.name}) from exc
    return vote


@transaction.atomic
def votes_record_hands(*, actor, motion: Motion, choices: dict[int, str]) -> list[Vote]:
    """The secretary records a show of hands for several members at once: all or nothing."""
    attendees = {a.pk: a for a in Attendee.objects.filter(meeting_id=motion.meeting_id, pk__in=list(choices))}
    missing = set(choices) - set(attendees)
    if missing:
        raise ValidationError(_("表决人不属于本次会议。"))
    return [
        vote_cast(actor=actor, motion=motion, attendee=attendees[pk], choice=choice, method=Vote.Method.HANDS)
        for pk, choice in sorted(choices.items())
    ]
