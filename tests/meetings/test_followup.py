"""Follow-up tasks (issue #3 item 7, R13): tasks from resolutions, progress, closing (never
deleting), overdue lists, and the day-before reminder keyed once per due date."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from inbox.models import Message
from meetings.models import FollowUpTask
from meetings.selectors.session import overdue_count, task_list
from meetings.services import followup as svc
from meetings.services import minutes as minutes_svc
from tests.factories import UserFactory

from .sessionkit import in_session, mark

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def resolution(world, secretary_user):
    s = in_session(world.mine, members=1, hours_ago=24 * 3)
    mark(s.members)  # R12.3: a consensus binds a meeting with a quorum
    return minutes_svc.resolution_create(
        actor=secretary_user,
        meeting=s.meeting,
        text="整治停车秩序",
        consensus=True,
        responsible_unit=world.unit,
        deadline=in_days(20),
    )


@pytest.fixture
def liaison(world):
    return UserFactory(username="gongdian", role="liaison", unit=world.unit, email="gd@example.cn")


def test_task_defaults_from_the_resolution_and_plans_its_reminder_r13(resolution, secretary_user, liaison):
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任", owner=liaison)
    assert (task.title, task.responsible_unit, task.due_on) == (
        "整治停车秩序",
        resolution.responsible_unit,
        in_days(20),
    )
    assert task.committee == resolution.meeting.committee
    message = Message.objects.get(key=f"task:{task.pk}:due-reminder:{in_days(20).isoformat()}")
    local = message.due_at.astimezone(SHANGHAI)
    assert (local.date(), local.hour, local.minute) == (in_days(19), 9, 0)
    assert (message.recipient, message.email, message.kind) == (liaison, "gd@example.cn", "task_due_reminder")
    assert "整治停车秩序" in message.subject and "明天" in message.subject
    assert message.url == task.get_absolute_url()


def test_reminder_is_keyed_once_r13(resolution, secretary_user, liaison):
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任", owner=liaison)
    svc.task_plan_reminder(task=task)
    svc.task_plan_reminder(task=task)
    svc.task_update(actor=secretary_user, task=task, owner_name="王主任")  # nothing changed
    assert Message.objects.filter(key__startswith=f"task:{task.pk}:").count() == 1


def test_a_new_due_date_withdraws_the_old_reminder_and_plans_a_new_one_r13(resolution, secretary_user, liaison):
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任", owner=liaison)
    svc.task_update(actor=secretary_user, task=task, due_on=in_days(40))
    rows = dict(Message.objects.filter(key__startswith=f"task:{task.pk}:").values_list("key", "state"))
    assert rows == {
        f"task:{task.pk}:due-reminder:{in_days(20).isoformat()}": Message.State.CANCELLED,
        f"task:{task.pk}:due-reminder:{in_days(40).isoformat()}": Message.State.PENDING,
    }


def test_reminder_goes_to_the_units_liaison_or_email_without_an_owner(world, resolution, secretary_user, liaison):
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任")
    assert Message.objects.get(key=svc.reminder_key(task)).recipient == liaison


def test_no_reminder_for_a_task_due_today_and_at_once_when_nine_oclock_passed(resolution, secretary_user):
    today = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="甲", due_on=in_days(0))
    assert not Message.objects.filter(key__startswith=f"task:{today.pk}:").exists()
    tomorrow = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="乙", due_on=in_days(1))
    message = Message.objects.get(key=svc.reminder_key(tomorrow))
    assert message.due_at <= max(svc.reminder_due_at(in_days(1)), timezone.now())


def test_closing_withdraws_the_reminder_and_tasks_are_never_deleted_r13(resolution, secretary_user):
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任")
    task = svc.task_close(actor=secretary_user, task=task, note="已完成划线")
    assert (task.status, task.closed_on, task.progress) == ("done", timezone.localdate(), 100)
    assert Message.objects.get(key=svc.reminder_key(task)).state == Message.State.CANCELLED
    assert task.updates.get().text == "已完成划线"
    with pytest.raises(ValidationError):
        svc.task_close(actor=secretary_user, task=task)
    with pytest.raises(ValidationError):
        svc.task_progress_add(actor=secretary_user, task=task, text="x", progress=10)
    with pytest.raises(ValidationError):
        svc.task_update(actor=secretary_user, task=task, title="改")
    with pytest.raises(ProtectedError):
        resolution.delete()
    task = svc.task_reopen(actor=secretary_user, task=task, reason="复查未落实")
    assert (task.status, task.closed_on) == ("open", None)
    assert task.history.first().history_change_reason == "复查未落实"


def test_progress_updates_set_the_tasks_progress(resolution, secretary_user, liaison):
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任")
    svc.task_progress_add(actor=liaison, task=task, text="已完成方案", progress=30)
    svc.task_progress_add(actor=liaison, task=task, text="施工中", progress=60)
    task.refresh_from_db()
    assert task.progress == 60 and task.updates.count() == 2
    for bad in (-1, 101, None):
        with pytest.raises(ValidationError):
            svc.task_progress_add(actor=liaison, task=task, text="x", progress=bad)
    with pytest.raises(ValidationError):
        svc.task_progress_add(actor=liaison, task=task, text=" ", progress=70)


def test_task_input_is_checked(world, resolution, secretary_user):
    bad = [
        {"responsible_unit": world.other_unit, "owner_name": "甲"},
        {"owner_name": " "},
        {"owner_name": "甲", "due_on": in_days(-10)},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError):
            svc.task_create(actor=secretary_user, resolution=resolution, **kwargs)
    assert not FollowUpTask.objects.exists()


def test_closing_date_cannot_be_in_the_future(resolution, secretary_user):
    task = svc.task_create(actor=secretary_user, resolution=resolution, owner_name="王主任")
    with pytest.raises(ValidationError):
        svc.task_close(actor=secretary_user, task=task, closed_on=in_days(1))


def test_overdue_tasks_are_listed_for_secretary_and_township_and_liaison_sees_own_unit_r13(
    world, secretary_user, township_user, liaison, county_user
):
    s = in_session(world.mine, members=1, hours_ago=24 * 30)
    mark(s.members)
    r = minutes_svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="决议", consensus=True)
    late = svc.task_create(
        actor=secretary_user, resolution=r, owner_name="甲", responsible_unit=world.unit, due_on=in_days(10)
    )
    FollowUpTask.objects.filter(pk=late.pk).update(due_on=in_days(-2))
    on_time = svc.task_create(
        actor=secretary_user, resolution=r, owner_name="乙", responsible_unit=world.sibling_unit, due_on=in_days(5)
    )
    other = in_session(world.other, members=1, hours_ago=24 * 30)
    mark(other.members)
    r2 = minutes_svc.resolution_create(actor=secretary_user, meeting=other.meeting, text="河西决议", consensus=True)
    foreign = svc.task_create(
        actor=secretary_user, resolution=r2, owner_name="丙", responsible_unit=world.other_unit, due_on=in_days(10)
    )
    FollowUpTask.objects.filter(pk=foreign.pk).update(due_on=in_days(-3))
    assert [t.pk for t in task_list(user=secretary_user, overdue=True)] == [late.pk]
    assert [t.pk for t in task_list(user=township_user, overdue=True)] == [late.pk]
    assert overdue_count(user=county_user) == 2  # the county reads both townships
    assert {t.pk for t in task_list(user=secretary_user)} == {late.pk, on_time.pk}
    assert [t.pk for t in task_list(user=liaison)] == [late.pk]
    assert svc.can_report_progress(liaison, late) and not svc.can_report_progress(liaison, on_time)
