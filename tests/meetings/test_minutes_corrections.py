"""Circulating minutes for corrections (征求意见, R12.4): the meeting's attendees are told, may read
the circulated minutes (never a draft) and propose corrections; county reviewers only read."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from inbox.models import Message
from meetings.models import MinutesCorrection
from meetings.services import minutes as svc
from tests.factories import UserFactory

from .sessionkit import in_session, mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def circulating(world, secretary_user):
    member = UserFactory(username="member1", role=User.Role.LIAISON, unit=world.sibling_unit, email="m1@example.cn")
    s = in_session(world.mine, members=3, guests=0, units=[world.sibling_unit], users=[member])
    mark(s.members)
    minutes = svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    return s, minutes, member


def test_a_draft_is_hidden_from_attendees_then_circulated_minutes_reach_them(client, circulating, secretary_user):
    s, minutes, member = circulating
    url = reverse("meetings:minutes_detail", args=[minutes.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404

    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    notice = Message.objects.get(key=f"minutes:{minutes.pk}:circulated:attendee:{s.members[0].pk}")
    assert notice.recipient == member and notice.url == url
    page = client.get(url)
    assert page.status_code == 200 and "提交修改意见" in page.content.decode()


def test_an_attendee_proposes_a_correction_and_staff_see_it(client, circulating, secretary_user):
    s, minutes, member = circulating
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    client.force_login(member)
    response = client.post(
        reverse("meetings:minutes_correction_add", args=[minutes.pk]), {"text": "第二条的完成时限应为12月底"}
    )
    assert response.status_code == 302
    correction = MinutesCorrection.objects.get()
    assert correction.author == member and correction.minutes == minutes
    client.force_login(secretary_user)
    assert (
        "第二条的完成时限应为12月底"
        in client.get(reverse("meetings:minutes_detail", args=[minutes.pk])).content.decode()
    )


def test_corrections_only_while_circulated_and_never_empty(circulating, secretary_user):
    _s, minutes, member = circulating
    with pytest.raises(ValidationError):
        svc.minutes_correction_add(actor=member, minutes=minutes, text="草稿阶段的意见")
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    with pytest.raises(ValidationError):
        svc.minutes_correction_add(actor=member, minutes=minutes, text="   ")
    assert not MinutesCorrection.objects.exists()


def test_county_reviewer_reads_but_cannot_propose(client, circulating, secretary_user, county_user):
    _s, minutes, _member = circulating
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    client.force_login(county_user)
    assert client.get(reverse("meetings:minutes_detail", args=[minutes.pk])).status_code == 200
    response = client.post(reverse("meetings:minutes_correction_add", args=[minutes.pk]), {"text": "x"})
    assert response.status_code == 403 and not MinutesCorrection.objects.exists()


def test_another_communitys_secretary_gets_404(client, circulating, secretary_user, world):
    _s, minutes, _member = circulating
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    stranger = UserFactory(role=User.Role.SECRETARY, community=world.other.community)
    client.force_login(stranger)
    response = client.post(reverse("meetings:minutes_correction_add", args=[minutes.pk]), {"text": "x"})
    assert response.status_code == 404
