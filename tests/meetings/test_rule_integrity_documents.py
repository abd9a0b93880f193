"""Issue #11 items 9 and 10 in the printed record and minutes (R8, R12.3): a meeting entered
afterwards says so; each vote states how abstentions, non-votes and recusals counted."""

import pytest
from django.utils import timezone

from meetings import documents
from meetings.models import Attendee, Motion
from meetings.selectors.session import document_page
from meetings.services import minutes as minutes_svc
from meetings.services import votes

from .sessionkit import in_session, mark
from .test_rule_integrity import record_past

pytestmark = pytest.mark.django_db


def test_r8_record_and_minutes_of_a_meeting_entered_afterwards_say_so(board, secretary_user):
    meeting = record_past(board.committee, secretary_user, now=timezone.now())
    mark(list(meeting.attendees.filter(role=Attendee.Role.MEMBER)))
    minutes = minutes_svc.minutes_create(actor=secretary_user, meeting=meeting)
    doc = documents.minutes_document(minutes=minutes, page=document_page(meeting=meeting, minutes=minutes))
    assert any("线下召开，会后补录；原因：会议在线下召开" in line.text for line in doc.lines)
    record = documents.record_document(meeting=meeting, page=document_page(meeting=meeting))
    assert any("会后补录" in line.text for line in record.facts)


def test_r12_3_the_printed_vote_states_the_counting_sentence(world, secretary_user):
    s = in_session(world.mine, members=3, guests=0)
    mark(s.members)
    motion = votes.motion_create(
        actor=secretary_user, meeting=s.meeting, title="表决", rule=Motion.Rule.TWO_THIRDS_ENTITLED
    )
    motion = votes.motion_open(actor=secretary_user, motion=motion)
    votes.votes_record_hands(actor=secretary_user, motion=motion, choices={a.pk: "for" for a in s.members})
    motion = votes.motion_close(actor=secretary_user, motion=motion)
    minutes_svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="决议", motion=motion)
    record = documents.record_document(meeting=s.meeting, page=document_page(meeting=s.meeting))
    assert motion.counting_sentence in documents.motion_summary(record.motions[0])
