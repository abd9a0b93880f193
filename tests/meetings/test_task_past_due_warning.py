"""Issue #15 item 10: a follow-up task's due date already past is a risky entry: the form warns
and keeps nothing until the secretary confirms it; confirmed, it is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.models import FollowUpTask
from meetings.services import followup as svc
from tests.meetings.test_followup import in_days, resolution  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_r13_past_due_date_is_refused_unless_confirmed(resolution, secretary_user):  # noqa: F811
    with pytest.raises(ValidationError) as exc:
        svc.task_create(
            actor=secretary_user, resolution=resolution, owner_name="王主任", due_on=in_days(-1), confirm_past_due=False
        )
    assert "早于今天" in str(exc.value)
    assert not FollowUpTask.objects.exists()
    task = svc.task_create(
        actor=secretary_user, resolution=resolution, owner_name="王主任", due_on=in_days(-1), confirm_past_due=True
    )
    assert task.due_on == in_days(-1)


def test_r13_moving_a_due_date_into_the_past_asks_too(resolution, secretary_user):  # noqa: F811
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任", due_on=in_days(5))
    with pytest.raises(ValidationError):
        svc.task_update(actor=secretary_user, task=task, due_on=in_days(-1), confirm_past_due=False)
    task.refresh_from_db()
    assert task.due_on == in_days(5)


def test_r13_task_form_warns_then_saves_when_confirmed(resolution, secretary_user, login, world):  # noqa: F811
    client = login(secretary_user)
    url = reverse("meetings:task_create", args=[resolution.pk])
    data = {"title": "整治停车秩序", "responsible_unit": world.unit.pk, "owner_name": "王主任", "due_on": in_days(-1)}
    response = client.post(url, data)
    assert response.status_code == 200 and "早于今天" in response.content.decode()
    assert not FollowUpTask.objects.exists()
    response = client.post(url, {**data, "confirm_past_due": "on"})
    assert response.status_code == 302
    assert FollowUpTask.objects.get().due_on == in_days(-1)
