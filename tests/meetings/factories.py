"""Shared factories for the meetings app (imported by every meetings test module)."""

import datetime

import factory
from django.db.models import Q
from django.utils import timezone

from committees.models import Post
from meetings.models import AgendaItem, Attendee, Meeting
from tests.factories import CommitteeFactory, PostFactory, UnitFactory

IN_FORCE_FROM = datetime.date(2024, 1, 2)


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """R12.3: a voting member holds a post in force (made here, in the meeting's committee and
        the attendee's unit, when the test gives none)."""
        if kwargs.get("role") == Attendee.Role.MEMBER and kwargs.get("post") is None:
            committee = kwargs["meeting"].committee
            kwargs["post"] = member_post(
                committee,
                name=kwargs["name"],
                unit=kwargs.get("unit"),
                user=kwargs.get("user"),
                meeting=kwargs["meeting"],
            )
            kwargs["unit"] = kwargs["post"].unit
        return super()._create(model_class, *args, **kwargs)


def member_post(committee, *, name: str, unit=None, user=None, kind=Post.Kind.MEMBER, meeting=None) -> Post:
    """The post in force (since 2 January 2024, before every meeting of the tests) of the person
    called ``name`` in ``committee``: one person holds one post, so a second meeting of the same
    committee reuses it; a namesake of another unit or account gets a post of their own."""
    same = Post.objects.filter(
        Q(holder_name=name) | Q(holder_name__startswith=f"{name}（"), committee=committee, status=Post.Status.IN_FORCE
    )
    if meeting is not None:
        same = same.exclude(pk__in=meeting.attendees.filter(post__isnull=False).values("post_id"))
    for post in same.order_by("pk"):
        if (unit is None or post.unit_id == unit.pk) and (user is None or post.user_id == user.pk):
            return post
    taken = Post.objects.filter(committee=committee, holder_name=name).exists()
    return PostFactory(
        committee=committee,
        kind=kind,
        holder_name=f"{name}（{Post.objects.count() + 1}）" if taken else name,
        unit=unit or UnitFactory(community=committee.community),
        user=user,
        status=Post.Status.IN_FORCE,
        in_force_from=IN_FORCE_FROM,
    )
