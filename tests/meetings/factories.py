"""Shared factories for the meetings app (imported by every meetings test module)."""

import datetime

import factory
from django.utils import timezone

from meetings.models import AgendaItem, Attendee, Meeting
from tests.factories import CommitteeFactory


def _in_days(days: int, hour: int = 9) -> datetime.datetime:
    local = timezone.localtime() + datetime.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    committee = factory.SubFactory(CommitteeFactory)
    kind = Meeting.Kind.WORK
    title = factory.Sequence(lambda n: f"第{n}次大党委工作会议")
    starts_at = factory.LazyFunction(lambda: _in_days(7))
    duration_minutes = 120
    place = "社区党群服务中心二楼会议室"
    status = Meeting.Status.DRAFT
    chair_name = "王书记"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    category = AgendaItem.Category.PARTY_BUILDING
    title = factory.Sequence(lambda n: f"议题{n}")
    planned_minutes = 15


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendee

    meeting = factory.SubFactory(MeetingFactory)
    role = Attendee.Role.MEMBER
    name = factory.Sequence(lambda n: f"参会人{n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.cn")
