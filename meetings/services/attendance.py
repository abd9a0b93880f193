"""Attendance at the meeting and the presence quorum (issue #3 item 4, R12.3).

Who counts: the voting members (attendees with role "member"). A member represented by a
delegate (委托出席) is recorded as such but counts neither for the quorum nor as a voter: votes
in a Party committee are cast in person. The quorum is met when more than half of the members
are present, floor(n/2)+1 (same "more than half" as the vote rules).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.audit import set_actor
from meetings.models import Attendee, Meeting, Motion

# A session (attendance, votes) runs once the meeting has begun and until its minutes are approved.
IN_SESSION = (Meeting.Status.NOTIFIED, Meeting.Status.HELD)


def more_than_half(base: int) -> int:
    """The smallest whole number that is more than half of ``base``: floor(base/2)+1."""
    return base // 2 + 1


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int

    @property
    def needed(self) -> int:
        return more_than_half(self.members)

    @property
    def met(self) -> bool:
        return self.members > 0 and self.present >= self.needed


def quorum_of(attendees) -> Quorum:
    """The presence quorum computed from attendee rows already fetched (no query)."""
    members = [a for a in attendees if a.role == Attendee.Role.MEMBER]
    present = sum(1 for a in members if a.attendance == Attendee.Attendance.PRESENT)
    return Quorum(members=len(members), present=present)


def meeting_quorum(*, meeting: Meeting) -> Quorum:
    """One query."""
    return quorum_of(list(meeting.attendees.only("pk", "meeting_id", "role", "attendance")))


def require_in_session(meeting: Meeting) -> None:
    """Attendance and votes are taken once the meeting has begun (notified or held), never in a
    draft, cancelled meeting or one whose minutes are approved."""
    if meeting.status not in IN_SESSION:
        raise ValidationError(_("会议“%(status)s”，不能登记出席或表决。") % {"status": meeting.get_status_display()})
    if timezone.localdate(meeting.starts_at) > timezone.localdate():
        raise ValidationError(_("会议尚未召开，会议当天才能登记出席和表决。"))


NOTE_REQUIRED = {
    Attendee.Attendance.LEAVE: _("请假请填写事由。"),
    Attendee.Attendance.DELEGATE: _("委托出席请填写受托人姓名。"),
}


@transaction.atomic
def attendance_record(*, actor, attendee: Attendee, attendance: str, note: str = "") -> Attendee:
    """Tick one attendee present / absent / on leave (reason) / represented by a delegate (name).

    Under the meeting's row lock, so ticks and the opening of a vote (which checks the quorum)
    happen one after the other. A member who has voted on an open motion stays present until it
    closes: otherwise the vote would count someone recorded as not in the room.
    """
    meeting = Meeting.objects.select_for_update().get(pk=attendee.meeting_id)
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    require_in_session(meeting)
    if attendance not in Attendee.Attendance.values:
        raise ValidationError({"attendance": _("请选择出席情况。")})
    note = (note or "").strip()
    if attendance in NOTE_REQUIRED and not note:
        raise ValidationError({"attendance_note": NOTE_REQUIRED[attendance]})
    if attendance in (Attendee.Attendance.PRESENT, Attendee.Attendance.UNKNOWN):
        note = ""
    if attendance != Attendee.Attendance.PRESENT and attendee.votes.filter(motion__status=Motion.Status.OPEN).exists():
        raise ValidationError(_("%(name)s 已在表决中投票，表决结束前不能改为未出席。") % {"name": attendee.name})
    if attendee.attendance == attendance and attendee.attendance_note == note:
        return attendee
    attendee.attendance = attendance
    attendee.attendance_note = note
    attendee.full_clean()
    set_actor(attendee, actor)
    attendee.save(update_fields=["attendance", "attendance_note"])
    return attendee


@transaction.atomic
def attendance_mark_all_present(*, actor, meeting: Meeting) -> int:
    """Tick every attendee not yet recorded as present (a full room); returns how many changed."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_in_session(meeting)
    changed = 0
    for attendee in meeting.attendees.filter(attendance=Attendee.Attendance.UNKNOWN).order_by("pk"):
        attendee.attendance = Attendee.Attendance.PRESENT
        set_actor(attendee, actor)
        attendee.save(update_fields=["attendance"])
        changed += 1
    return changed
