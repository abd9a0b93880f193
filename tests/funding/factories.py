"""Factories of the funding tests. Meetings rows are made directly with the ORM here: the
meetings services are written elsewhere, and funding only reads a resolution and its motion."""

import datetime

import factory
from django.utils import timezone

from funding.models import FiscalYear
from meetings.models import Meeting, Motion, Resolution
from tests.factories import CommitteeFactory


class FiscalYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiscalYear

    committee = factory.SubFactory(CommitteeFactory)
    year = 2026


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    title = factory.Sequence(lambda n: f"经费专题会议{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    place = "社区党群服务中心"
    status = Meeting.Status.HELD


def resolution_for(committee, *, passed: bool = True, text: str = "通过本年度成员单位出资分摊方案") -> Resolution:
    """A resolution of ``committee`` whose motion passed (or failed)."""
    meeting = MeetingFactory(committee=committee)
    motion = Motion.objects.create(
        meeting=meeting,
        title=text,
        status=Motion.Status.CLOSED,
        entitled_count=9,
        votes_for=7 if passed else 3,
        votes_against=1 if passed else 5,
        votes_abstain=1,
        passed=passed,
    )
    return Resolution.objects.create(meeting=meeting, motion=motion, text=text)


def decide(plan, actor, *, passed: bool = True, resolve: bool = True) -> Resolution | None:
    """Put ``plan`` to a held meeting of its committee through ``share_plan_propose`` (the motion
    is made from the plan, issue #11 item 12), record the vote's outcome and, when it passed, the
    resolution formed from that motion (meetings rows written directly, as above)."""
    from funding import services

    meeting = MeetingFactory(committee=plan.fiscal_year.committee)
    motion = services.share_plan_propose(actor=actor, plan=plan, meeting=meeting)
    Motion.objects.filter(pk=motion.pk).update(
        status=Motion.Status.CLOSED,
        entitled_count=9,
        votes_for=7 if passed else 3,
        votes_against=1 if passed else 5,
        votes_abstain=1,
        passed=passed,
    )
    if not (passed and resolve):
        return None
    return Resolution.objects.create(meeting=meeting, motion=motion, text=motion.title)


def pass_plan_motion(plan) -> Resolution:
    """The meeting votes the motion made from ``plan`` through and forms its resolution (rows
    written directly, as above)."""
    plan.refresh_from_db()
    Motion.objects.filter(pk=plan.motion_id).update(
        status=Motion.Status.CLOSED, entitled_count=9, votes_for=7, votes_against=1, votes_abstain=1, passed=True
    )
    return Resolution.objects.create(
        meeting_id=plan.motion.meeting_id, motion_id=plan.motion_id, text=plan.motion.title
    )
