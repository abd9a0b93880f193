"""A pledge that comes out of a meeting resolution is followed up as that resolution's task
(R13, R17): linking creates the task for the unit; confirmed reports move and then close it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cobuilding import services
from meetings.models import FollowUpTask, Meeting, Resolution
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _resolution(committee, text="组织驻区单位为困难党员募集慰问金"):
    meeting = MeetingFactory(committee=committee, status=Meeting.Status.HELD, held_on=timezone.localdate())
    return Resolution.objects.create(meeting=meeting, text=text)


def test_linking_creates_the_units_task_and_reports_move_it_to_done(accepted_pledge, secretary_user, liaison_user):
    resolution = _resolution(accepted_pledge.committee)
    pledge = services.pledge_link_resolution(actor=secretary_user, pledge=accepted_pledge, resolution=resolution)
    task = pledge.task
    assert task.resolution == resolution and task.responsible_unit == pledge.unit
    assert task.due_on == pledge.period_end and task.status == FollowUpTask.Status.OPEN

    today = timezone.localdate()
    half = services.fulfilment_report(
        actor=liaison_user, pledge=pledge, delivered_on=today, text="第一批慰问金", amount=Decimal("5000")
    )
    services.fulfilment_confirm(actor=secretary_user, fulfilment=half)
    task.refresh_from_db()
    assert task.progress == 50 and task.status == FollowUpTask.Status.OPEN

    rest = services.fulfilment_report(
        actor=liaison_user, pledge=pledge, delivered_on=today, text="第二批慰问金", amount=Decimal("5000")
    )
    services.fulfilment_confirm(actor=secretary_user, fulfilment=rest)
    task.refresh_from_db()
    assert task.status == FollowUpTask.Status.DONE and task.closed_on == today


def test_only_accepted_pledges_of_the_same_committee_link_once(
    accepted_pledge, make_pledge, secretary_user, liaison_user, world
):
    draft = make_pledge(liaison_user)
    with pytest.raises(ValidationError):
        services.pledge_link_resolution(actor=secretary_user, pledge=draft, resolution=_resolution(world.mine))
    with pytest.raises(ValidationError):
        services.pledge_link_resolution(
            actor=secretary_user, pledge=accepted_pledge, resolution=_resolution(world.other)
        )
    services.pledge_link_resolution(actor=secretary_user, pledge=accepted_pledge, resolution=_resolution(world.mine))
    with pytest.raises(ValidationError):
        services.pledge_link_resolution(
            actor=secretary_user, pledge=accepted_pledge, resolution=_resolution(world.mine)
        )
    assert FollowUpTask.objects.count() == 1


def test_the_secretary_links_on_the_page_and_a_liaison_may_not(client, accepted_pledge, secretary_user, liaison_user):
    resolution = _resolution(accepted_pledge.committee)
    url = reverse("cobuilding:pledge_link_resolution", args=[accepted_pledge.pk])
    client.force_login(liaison_user)
    assert client.post(url, {"resolution": resolution.pk}).status_code == 403
    client.force_login(secretary_user)
    page = client.get(accepted_pledge.get_absolute_url()).content.decode()
    assert "关联并生成督办任务" in page
    assert client.post(url, {"resolution": resolution.pk}).status_code == 302
    accepted_pledge.refresh_from_db()
    assert accepted_pledge.resolution == resolution
    assert "查看督办任务" in client.get(accepted_pledge.get_absolute_url()).content.decode()
