"""Reads of the meeting session (attendance, motions and votes), the record and minutes, and the
follow-up tasks; scoped to the user, each page in a fixed number of queries.

Who sees a motion: whoever may see its meeting in their scope (common.permissions) and —
explicitly here, never by loosening the permission module — a member on the meeting's attendee
list with their own account, so they can vote on their own device.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from common.permissions import can_change, scope_q, scoped
from meetings.models import (
    Attendee,
    FollowUpTask,
    Meeting,
    MeetingRecord,
    Minutes,
    MinutesAmendment,
    Motion,
    MotionVoter,
    Resolution,
    TaskUpdate,
    Vote,
)
from meetings.services.attendance import IN_SESSION, Quorum, quorum_of
from meetings.services.votes import is_recused, result_of

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def _attendee_q(user, path: str) -> Q:
    """Rows of meetings on whose list the user is, with their own account (never a draft)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    meetings = Attendee.objects.filter(user=user).values("meeting_id")
    return Q(**{f"{path}__in": meetings}) & ~Q(**{f"{path.removesuffix('_id')}__status": Meeting.Status.DRAFT})


def in_scope(user, meeting: Meeting) -> bool:
    return scoped(user, Meeting.objects.filter(pk=meeting.pk)).exists()


def may_change(user, meeting: Meeting) -> bool:
    """Changing needs the scope itself: being on the list lets one read and vote, nothing more."""
    return can_change(user, meeting) and in_scope(user, meeting)


# --- the session page: attendance, quorum, motions ------------------------------------------------


@dataclass
class SessionPage:
    meeting: Meeting
    attendees: list[Attendee]
    members: list[Attendee]
    others: list[Attendee]
    quorum: Quorum
    motions: list[Motion]
    in_session: bool
    counts: dict[str, int] = field(default_factory=dict)


def session_page(*, meeting: Meeting) -> SessionPage:
    """Attendance, the quorum and the motions of a meeting: three queries."""
    attendees = list(meeting.attendees.select_related("unit").order_by("role", "pk"))
    motions = list(meeting.motions.select_related("agenda_item", "concerns_unit").order_by("pk"))
    for motion in motions:
        motion.result = result_of(motion)
    page = SessionPage(
        meeting=meeting,
        attendees=attendees,
        members=[a for a in attendees if a.role == Attendee.Role.MEMBER],
        others=[a for a in attendees if a.role != Attendee.Role.MEMBER],
        quorum=quorum_of(attendees),
        motions=motions,
        in_session=meeting.status in IN_SESSION and timezone.localdate(meeting.starts_at) <= timezone.localdate(),
    )
    for choice, _label in Attendee.Attendance.choices:
        page.counts[choice] = sum(1 for a in page.members if a.attendance == choice)
    page.counts["others_present"] = sum(1 for a in page.others if a.attendance == Attendee.Attendance.PRESENT)
    return page


def attendee_get_for_meeting(*, meeting: Meeting, pk: int) -> Attendee:
    return get_object_or_404(Attendee.objects.select_related("unit"), meeting=meeting, pk=pk)


# --- motions -----------------------------------------------------------------------------------


def motion_visible_q(user) -> Q:
    scope = scope_q(user, Motion)
    if not scope:  # an empty Q means everything (admin); OR-ing it would drop it
        return scope
    return scope | _attendee_q(user, "meeting_id")


def motion_get(*, user, pk: int) -> Motion:
    """The motion if the user may see it (in scope, or on its meeting's list), else 404."""
    return get_object_or_404(
        Motion.objects.filter(motion_visible_q(user)).select_related(
            "meeting__committee__community", "agenda_item", "concerns_unit"
        ),
        pk=pk,
    )


@dataclass
class VoterRow:
    attendee: Attendee
    vote: Vote | None
    recused: bool
    present: bool

    @property
    def can_vote(self) -> bool:
        return self.vote is None and self.present and not self.recused


@dataclass
class MotionPage:
    motion: Motion
    rows: list[VoterRow]
    others: list[Attendee]
    counts: dict[str, int]
    result: object = None

    @property
    def waiting(self) -> list[VoterRow]:
        return [r for r in self.rows if r.can_vote]


def motion_page(*, motion: Motion) -> MotionPage:
    """The named vote table: every member with their vote (live while open, the snapshot once
    closed). Three queries whatever the number of members and votes."""
    votes = {v.attendee_id: v for v in motion.votes.select_related("recorded_by")}
    attendees = list(motion.meeting.attendees.select_related("unit", "user").order_by("role", "pk"))
    if motion.status in (Motion.Status.CLOSED, Motion.Status.PUBLISHED):
        snapshot = {v.attendee_id: v for v in MotionVoter.objects.filter(motion=motion)}
        members = [a for a in attendees if a.pk in snapshot]
        rows = [VoterRow(a, votes.get(a.pk), snapshot[a.pk].recused, snapshot[a.pk].present) for a in members]
    else:
        members = [a for a in attendees if a.role == Attendee.Role.MEMBER]
        rows = [
            VoterRow(a, votes.get(a.pk), is_recused(motion, a), a.attendance == Attendee.Attendance.PRESENT)
            for a in members
        ]
    counts = {choice: sum(1 for v in votes.values() if v.choice == choice) for choice in Vote.Choice.values}
    counts["cast"] = len(votes)
    counts["entitled"] = sum(1 for r in rows if not r.recused)
    counts["present"] = sum(1 for r in rows if r.present and not r.recused)
    others = [a for a in attendees if a.role != Attendee.Role.MEMBER]
    return MotionPage(motion=motion, rows=rows, others=others, counts=counts, result=result_of(motion))


def my_attendee(*, user, meeting: Meeting) -> Attendee | None:
    if not user.is_authenticated:
        return None
    return meeting.attendees.filter(user=user).first()


def open_motions_for(*, user) -> list[Motion]:
    """The open motions a member may vote on from their own device right now."""
    if not user.is_authenticated:
        return []
    mine = Attendee.objects.filter(user=user, role=Attendee.Role.MEMBER).values("meeting_id")
    return list(
        Motion.objects.filter(meeting_id__in=mine, status=Motion.Status.OPEN)
        .exclude(votes__attendee__user=user)
        .select_related("meeting")
        .order_by("opened_at")
    )


# --- record and minutes ------------------------------------------------------------------------


def record_of(meeting: Meeting) -> MeetingRecord | None:
    return MeetingRecord.objects.filter(meeting=meeting).first()


def minutes_visible_q(user) -> Q:
    """In scope, or circulated/approved minutes of a meeting the user attended (征求意见)."""
    scope = scope_q(user, Minutes)
    if not scope:  # an empty Q means everything (admin); OR-ing it would drop it
        return scope
    return scope | (_attendee_q(user, "meeting_id") & ~Q(status=Minutes.Status.DRAFT))


def minutes_get(*, user, pk: int) -> Minutes:
    return get_object_or_404(
        Minutes.objects.filter(minutes_visible_q(user)).select_related(
            "meeting__committee__community", "meeting__recorder", "approved_at_meeting", "committee"
        ),
        pk=pk,
    )


@dataclass
class MotionVotes:
    motion: Motion
    rows: list[VoterRow]
    result: object = None


@dataclass
class DocumentPage:
    """Everything the record, the minutes and their PDFs show."""

    meeting: Meeting
    attendees: list[Attendee]
    agenda: list
    motions: list[MotionVotes]
    resolutions: list[Resolution]
    record: MeetingRecord | None
    minutes: Minutes | None
    amendments: list[MinutesAmendment]
    quorum: Quorum
    members: list[Attendee] = field(default_factory=list)
    present: list[Attendee] = field(default_factory=list)
    leave: list[Attendee] = field(default_factory=list)
    absent: list[Attendee] = field(default_factory=list)
    delegated: list[Attendee] = field(default_factory=list)
    observers: list[Attendee] = field(default_factory=list)


def document_page(*, meeting: Meeting, minutes: Minutes | None = None) -> DocumentPage:
    """The data of the record and the minutes: eight queries whatever the number of attendees,
    motions and votes."""
    attendees = sorted(meeting.attendees.select_related("unit"), key=lambda a: (a.role != Attendee.Role.MEMBER, a.pk))
    agenda = list(meeting.agenda_items.order_by("order", "pk"))
    motions = list(
        meeting.motions.filter(status__in=[Motion.Status.CLOSED, Motion.Status.PUBLISHED])
        .select_related("agenda_item", "concerns_unit")
        .prefetch_related(
            Prefetch("voters", queryset=MotionVoter.objects.order_by("pk")),
            Prefetch("votes", queryset=Vote.objects.order_by("pk")),
        )
        .order_by("pk")
    )
    by_pk = {a.pk: a for a in attendees}
    motion_votes = []
    for motion in motions:
        votes = {v.attendee_id: v for v in motion.votes.all()}
        rows = [
            VoterRow(by_pk[v.attendee_id], votes.get(v.attendee_id), v.recused, v.present) for v in motion.voters.all()
        ]
        motion_votes.append(MotionVotes(motion, rows, result_of(motion)))
    resolutions = list(meeting.resolutions.select_related("responsible_unit", "motion").order_by("pk"))
    if minutes is None:
        minutes = Minutes.objects.filter(meeting=meeting).first()
    amendments = list(minutes.amendments.select_related("made_by").order_by("made_at")) if minutes else []
    members = [a for a in attendees if a.role == Attendee.Role.MEMBER]
    page = DocumentPage(
        meeting=meeting,
        attendees=attendees,
        agenda=agenda,
        motions=motion_votes,
        resolutions=resolutions,
        record=record_of(meeting),
        minutes=minutes,
        amendments=amendments,
        quorum=quorum_of(attendees),
        members=members,
    )
    page.present = [a for a in members if a.attendance == Attendee.Attendance.PRESENT]
    page.leave = [a for a in members if a.attendance == Attendee.Attendance.LEAVE]
    page.absent = [a for a in members if a.attendance in (Attendee.Attendance.ABSENT, Attendee.Attendance.UNKNOWN)]
    page.delegated = [a for a in members if a.attendance == Attendee.Attendance.DELEGATE]
    page.observers = [
        a for a in attendees if a.role != Attendee.Role.MEMBER and a.attendance == Attendee.Attendance.PRESENT
    ]
    return page


@dataclass
class ArchiveQuarter:
    label: str
    minutes: list[Minutes]


def minutes_archive(*, user, year: int, committee_id: int | None = None) -> list[ArchiveQuarter]:
    """The minutes of a year grouped by quarter of their meeting (one query)."""
    qs = (
        scoped(user, Minutes.objects.filter(year=year))
        .select_related("meeting", "committee__community")
        .order_by("meeting__starts_at", "number")
    )
    if committee_id:
        qs = qs.filter(committee_id=committee_id)
    quarters = {q: ArchiveQuarter(QUARTERS[q], []) for q in range(1, 5)}
    for minutes in qs:
        quarters[minutes.meeting.quarter].minutes.append(minutes)
    return list(quarters.values())


def minutes_years(*, user) -> list[int]:
    years = set(scoped(user, Minutes.objects.all()).values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


# --- follow-up tasks (R13) --------------------------------------------------------------------------


def task_list(
    *, user, status: str | None = None, overdue: bool = False, committee_id: int | None = None
) -> QuerySet[FollowUpTask]:
    """Tasks in the user's scope (a liaison: their own unit's), soonest due first (one query)."""
    qs = (
        scoped(user, FollowUpTask.objects.all())
        .select_related("responsible_unit", "committee__community", "resolution__meeting")
        .annotate(update_count=Count("updates"))
        .order_by("due_on", "pk")
    )
    if overdue:
        qs = qs.filter(status=FollowUpTask.Status.OPEN, due_on__lt=timezone.localdate())
    elif status:
        qs = qs.filter(status=status)
    if committee_id:
        qs = qs.filter(committee_id=committee_id)
    return qs


def overdue_count(*, user) -> int:
    return task_list(user=user, overdue=True).count()


def task_get(*, user, pk: int) -> FollowUpTask:
    return get_object_or_404(
        scoped(user, FollowUpTask.objects.all()).select_related(
            "responsible_unit", "committee__community", "resolution__meeting", "resolution__motion", "owner"
        ),
        pk=pk,
    )


def task_updates(*, task: FollowUpTask) -> list[TaskUpdate]:
    return list(task.updates.select_related("made_by").order_by("made_at", "pk"))


def resolution_get(*, user, pk: int) -> Resolution:
    return get_object_or_404(
        scoped(user, Resolution.objects.all()).select_related("meeting__committee__community", "responsible_unit"),
        pk=pk,
    )


# --- the panels on the meeting page -----------------------------------------------------------------


@dataclass
class Summary:
    quorum: Quorum
    motions: list[Motion]
    minutes: Minutes | None
    record: MeetingRecord | None
    resolutions: list[Resolution]
    in_session: bool


def session_summary(*, meeting: Meeting) -> Summary:
    """What the four panels of the meeting page show: six queries whatever the data size."""
    attendees = list(meeting.attendees.only("pk", "meeting_id", "role", "attendance"))
    motions = list(meeting.motions.select_related("agenda_item").order_by("pk"))
    for motion in motions:
        motion.result = result_of(motion)
    resolutions = list(
        meeting.resolutions.select_related("responsible_unit", "motion")
        .prefetch_related(
            Prefetch("tasks", queryset=FollowUpTask.objects.select_related("responsible_unit").order_by("due_on"))
        )
        .order_by("pk")
    )
    today = timezone.localdate()
    return Summary(
        quorum=quorum_of(attendees),
        motions=motions,
        minutes=Minutes.objects.filter(meeting=meeting).first(),
        record=record_of(meeting),
        resolutions=resolutions,
        in_session=meeting.status in IN_SESSION and timezone.localdate(meeting.starts_at) <= today,
    )
