"""Helpers shared by the session tests (attendance, votes, minutes, follow-up): a meeting in
session with members and guests, built straight through the factories."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from meetings.models import Attendee, Meeting

from .factories import AgendaItemFactory, AttendeeFactory, MeetingFactory


def in_session(committee, *, members=5, guests=1, status=Meeting.Status.HELD, units=None, users=None, hours_ago=1):
    """A meeting of ``committee`` that began ``hours_ago`` hours ago, one agenda item, ``members``
    voting members (units and accounts given in order) and ``guests`` attending without a vote."""
    starts = timezone.now() - datetime.timedelta(hours=hours_ago)
    meeting = MeetingFactory(
        committee=committee,
        status=status,
        starts_at=starts,
        held_on=timezone.localdate(starts) if status == Meeting.Status.HELD else None,
        chair_name="李书记",
        cancel_reason="改期" if status == Meeting.Status.CANCELLED else "",
    )
    item = AgendaItemFactory(meeting=meeting, order=1, title="社区停车秩序整治方案")
    units = units or []
    users = users or []
    member_rows = [
        AttendeeFactory(
            meeting=meeting,
            role=Attendee.Role.MEMBER,
            name=f"委员{i + 1:02d}",
            unit=units[i] if i < len(units) else None,
            user=users[i] if i < len(users) else None,
        )
        for i in range(members)
    ]
    guest_rows = [
        AttendeeFactory(meeting=meeting, role=Attendee.Role.GUEST, name=f"列席{i + 1}") for i in range(guests)
    ]
    return SimpleNamespace(meeting=meeting, item=item, members=member_rows, guests=guest_rows)


def mark(attendees, attendance=Attendee.Attendance.PRESENT, note=""):
    """Test set-up: tick attendance straight in the database."""
    for a in attendees:
        a.attendance = attendance
        a.attendance_note = note
        a.save(update_fields=["attendance", "attendance_note"])
