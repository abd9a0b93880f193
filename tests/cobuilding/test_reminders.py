"""Reminders by e-mail and inbox a week and a day before deadlines (issue #4), through inbox.services."""

import datetime

import pytest

from cobuilding import reminders, services
from cobuilding.tasks import sweep
from inbox.models import Message

pytestmark = pytest.mark.django_db


def _keys():
    return sorted(Message.objects.filter(state=Message.State.PENDING).values_list("key", flat=True))


def test_call_reminders_week_and_day_before(liaison_user, sibling_liaison, secretary_user, world, today):
    deadline = today + datetime.timedelta(days=7)
    call = services.pledge_call_open(actor=secretary_user, committee=world.mine, year=today.year, submit_by=deadline)
    assert reminders.plan_reminders(today=today) == 4  # two liaisons × (7 days, 1 day)
    assert reminders.plan_reminders(today=today) == 4
    assert Message.objects.count() == 4  # idempotent by key
    msg = Message.objects.filter(recipient=liaison_user).order_by("due_at").first()
    assert msg.subject == "请填写贵单位本年度共建承诺" and "7 天" in msg.body
    assert msg.due_at.date() == today and msg.email == liaison_user.email
    last = Message.objects.filter(recipient=liaison_user).order_by("due_at").last()
    assert "1 天" in last.body and last.due_at.date() == deadline - datetime.timedelta(days=1)
    assert all(k.startswith(f"cobuilding:call:{call.pk}:") for k in _keys())


def test_submitted_unit_gets_no_more_call_reminders(liaison_user, secretary_user, world, today, make_pledge):
    services.pledge_call_open(
        actor=secretary_user, committee=world.mine, year=today.year, submit_by=today + datetime.timedelta(days=3)
    )
    reminders.plan_reminders(today=today)
    assert any(f"unit:{world.unit.pk}:" in k for k in _keys())
    make_pledge(liaison_user, status="submitted")
    reminders.plan_reminders(today=today)
    assert not any(f"unit:{world.unit.pk}:" in k for k in _keys())


def test_moved_deadline_withdraws_old_reminders(liaison_user, secretary_user, world, today):
    first = today + datetime.timedelta(days=5)
    services.pledge_call_open(actor=secretary_user, committee=world.mine, year=today.year, submit_by=first)
    reminders.plan_reminders(today=today)
    moved = today + datetime.timedelta(days=6)
    services.pledge_call_open(actor=secretary_user, committee=world.mine, year=today.year, submit_by=moved)
    reminders.plan_reminders(today=today)
    keys = _keys()
    assert keys and all(f"{moved:%Y%m%d}" in k for k in keys)


def test_pledge_and_claim_deadline_reminders(liaison_user, secretary_user, accepted_pledge, world, today):
    accepted_pledge.__class__.objects.filter(pk=accepted_pledge.pk).update(
        period_end=today + datetime.timedelta(days=1)
    )
    project = services.project_publish(
        actor=secretary_user,
        committee=world.mine,
        title="p",
        need="n",
        place="p",
        claim_by=today,
        deadline=today + datetime.timedelta(days=7),
    )
    services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    reminders.plan_reminders(today=today)
    keys = _keys()
    assert any(k.startswith(f"cobuilding:pledge:{accepted_pledge.pk}:") and k.endswith(":d1") for k in keys)
    assert not any(k.startswith(f"cobuilding:pledge:{accepted_pledge.pk}:") and k.endswith(":d7") for k in keys)
    assert any(k.startswith("cobuilding:claim:") and k.endswith(":d7") for k in keys)


def test_sweep_task_expires_and_plans(secretary_user, world, today, liaison_user):
    services.pledge_call_open(
        actor=secretary_user, committee=world.mine, year=today.year, submit_by=today + datetime.timedelta(days=1)
    )
    sweep()
    assert Message.objects.filter(recipient=liaison_user).exists()
