"""Follow-up of resolutions (issue #3 item 7, R13: the committee supervises and checks that
decisions are carried out).

Each resolution yields tasks with a responsible unit, an owner and a due date; progress is
reported in updates (the secretary, the township or the responsible unit's liaison); tasks are
closed, never deleted. The day before a task is due at 09:00 (Asia/Shanghai) an e-mail and inbox
reminder goes out through the durable outbox, keyed ``task:<id>:due-reminder:<due_on>`` so it is
recorded once per due date; a new due date withdraws the old reminder and plans a new one.
"""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import save_audited as _save
from common.text import inner_quotes
from inbox.services import message_cancel_pending, message_enqueue
from meetings.models import FollowUpTask, Meeting, Resolution, TaskUpdate

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDER_AT = datetime.time(9, 0)
TASK_FIELDS = ("title", "responsible_unit", "owner_name", "owner", "due_on")


def _cn_day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def reminder_key(task: FollowUpTask) -> str:
    return f"task:{task.pk}:due-reminder:{task.due_on.isoformat()}"


def reminder_due_at(due_on: datetime.date) -> datetime.datetime:
    """The day before the due date at 09:00 Asia/Shanghai (stored in UTC)."""
    return datetime.datetime.combine(due_on - datetime.timedelta(days=1), REMINDER_AT, tzinfo=SHANGHAI)


def _recipient(task: FollowUpTask):
    """The owner's account, else the responsible unit's first active liaison."""
    if task.owner is not None and task.owner.is_active:
        return task.owner
    return task.responsible_unit.liaisons.filter(is_active=True).order_by("pk").first()


def task_notify_assigned(*, task: FollowUpTask):
    """Issue #15 item 6: the responsible unit's liaison (or the task's owner) learns of the task
    in the inbox and by e-mail, once per assignment (unit and owner name the key)."""
    recipient = _recipient(task)
    if recipient is None:
        return None
    return message_enqueue(
        key=f"task-assigned:{task.pk}:unit:{task.responsible_unit_id}:owner:{task.owner_id or 0}:user:{recipient.pk}",
        kind="task_assigned",
        recipient=recipient,
        subject=_("【督办任务】%(title)s") % {"title": task.title},
        body=_(
            "%(committee)s交办督办任务“%(title)s”（责任单位：%(unit)s），完成期限%(day)s。请按时办理，并在平台上填报进展。"
        )
        % {
            "committee": task.committee.name,
            "title": inner_quotes(task.title),
            "unit": task.responsible_unit.name,
            "day": _cn_day(task.due_on),
        },
        url=reverse("meetings:task_detail", args=[task.pk]),
    )


def task_plan_reminder(*, task: FollowUpTask):
    """Record the reminder of the task's current due date (idempotent by key). Nothing when the
    task is done, or due today or earlier; a reminder whose hour has passed goes out at once."""
    if task.status != FollowUpTask.Status.OPEN or task.due_on <= timezone.localdate():
        return None
    recipient = _recipient(task)
    email = (recipient.email if recipient is not None else "") or task.responsible_unit.contact_email
    if recipient is None and not email:
        return None
    return message_enqueue(
        key=reminder_key(task),
        kind="task_due_reminder",
        recipient=recipient,
        email=email,
        subject=_("【督办提醒】“%(title)s”将于明天（%(day)s）到期")
        % {"title": inner_quotes(task.title), "day": _cn_day(task.due_on)},
        body=_(
            "%(owner)s：\n%(committee)s督办任务“%(title)s”（责任单位：%(unit)s）将于%(day)s到期，"
            "当前进度 %(progress)s%%。请按时完成，并在平台上填报进展。"
        )
        % {
            "owner": task.owner_name,
            "committee": task.committee.name,
            "title": inner_quotes(task.title),
            "unit": task.responsible_unit.name,
            "day": _cn_day(task.due_on),
            "progress": task.progress,
        },
        url=reverse("meetings:task_detail", args=[task.pk]),
        due_at=max(reminder_due_at(task.due_on), timezone.now()),
    )


def _withdraw_reminders(task: FollowUpTask) -> int:
    return message_cancel_pending(key_prefix=f"task:{task.pk}:due-reminder:")


def _check_task(resolution: Resolution, fields: dict) -> None:
    community_id = resolution.meeting.committee.community_id
    unit = fields.get("responsible_unit")
    if unit is None:
        raise ValidationError({"responsible_unit": _("请选择责任单位。")})
    if unit.community_id != community_id:
        raise ValidationError({"responsible_unit": _("所选单位不属于本社区。")})
    if not (fields.get("title") or "").strip():
        raise ValidationError({"title": _("请填写任务内容。")})
    if not (fields.get("owner_name") or "").strip():
        raise ValidationError({"owner_name": _("请填写责任人。")})
    due_on = fields.get("due_on")
    if due_on is None:
        raise ValidationError({"due_on": _("请填写完成期限。")})
    if due_on < timezone.localdate(resolution.meeting.starts_at):
        raise ValidationError({"due_on": _("完成期限不能早于会议日期。")})


def _check_past_due(due_on, *, confirmed: bool) -> None:
    """Issue #15 item 10: a due date before today makes the task overdue at once; it is kept only
    when the secretary confirms it (e.g. entering an old task afterwards)."""
    if due_on is not None and not confirmed and due_on < timezone.localdate():
        raise ValidationError(
            {
                "due_on": _(
                    "完成期限%(day)s早于今天，保存后任务即为逾期。如确需如此（例如补登旧任务），"
                    "请勾选“确认完成期限早于今天”后再保存。"
                )
                % {"day": _cn_day(due_on)}
            }
        )


@transaction.atomic
def task_create(
    *,
    actor,
    resolution: Resolution,
    title: str = "",
    responsible_unit=None,
    owner_name: str = "",
    owner=None,
    due_on: datetime.date | None = None,
    confirm_past_due: bool = True,
) -> FollowUpTask:
    """R13: a task carrying out a resolution; the unit and the deadline default to the
    resolution's. Its due-date reminder is planned at once. A due date already past is taken only
    when confirmed (the form asks, issue #15 item 10)."""
    resolution = Resolution.objects.select_related("meeting__committee", "responsible_unit").get(pk=resolution.pk)
    if resolution.meeting.status not in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED):
        raise ValidationError(_("会议召开后才能分解督办任务。"))
    fields = {
        "title": (title or resolution.text[:200]).strip(),
        "responsible_unit": responsible_unit or resolution.responsible_unit,
        "owner_name": (owner_name or "").strip(),
        "owner": owner,
        "due_on": due_on or resolution.deadline,
    }
    _check_task(resolution, fields)
    _check_past_due(fields["due_on"], confirmed=confirm_past_due)
    task = FollowUpTask(resolution=resolution, committee=resolution.meeting.committee, **fields)
    _save(task, actor)
    task_plan_reminder(task=task)
    task_notify_assigned(task=task)
    return task


@transaction.atomic
def task_update(*, actor, task: FollowUpTask, **fields) -> FollowUpTask:
    """Change the title, unit, owner or due date of an open task; a new due date re-plans the
    reminder."""
    confirm_past_due = fields.pop("confirm_past_due", True)
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.status != FollowUpTask.Status.OPEN:
        raise ValidationError(_("任务已完成，不能再修改。"))
    if "due_on" in fields and fields["due_on"] != task.due_on:
        _check_past_due(fields["due_on"], confirmed=confirm_past_due)
    resolution = Resolution.objects.select_related("meeting__committee").get(pk=task.resolution_id)
    fields = {k: v for k, v in fields.items() if k in TASK_FIELDS}
    merged = {name: getattr(task, name) for name in TASK_FIELDS} | fields
    _check_task(resolution, merged)
    changed = [name for name, value in fields.items() if getattr(task, name) != value]
    if not changed:
        return task
    for name in changed:
        setattr(task, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    _save(task, actor, update_fields=changed)
    if "due_on" in changed:  # the key names the due date: the old one is withdrawn, a new one planned
        _withdraw_reminders(task)
        task_plan_reminder(task=task)
    if "responsible_unit" in changed or "owner" in changed:
        task_notify_assigned(task=task)
    return task


def can_report_progress(user, task: FollowUpTask) -> bool:
    """Besides those who may change the task, the responsible unit's liaison and the task's owner
    report progress (they do not close it)."""
    if not user.is_authenticated:
        return False
    if task.owner_id == user.pk:
        return True
    return getattr(user, "role", None) == "liaison" and user.unit_id == task.responsible_unit_id


@transaction.atomic
def task_progress_add(*, actor, task: FollowUpTask, text: str, progress: int) -> TaskUpdate:
    """A progress update (进展): its percentage becomes the task's."""
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.status != FollowUpTask.Status.OPEN:
        raise ValidationError(_("任务已完成，不能再填报进展。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写进展情况。")})
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError({"progress": _("进度应在0到100之间。")})
    update = TaskUpdate(task=task, text=text, progress=progress, made_by=actor)
    update.full_clean()
    update.save()
    if task.progress != progress:
        task.progress = progress
        _save(task, actor, update_fields=["progress"], reason=_("填报进展"))
    return update


@transaction.atomic
def task_close(*, actor, task: FollowUpTask, closed_on: datetime.date | None = None, note: str = "") -> FollowUpTask:
    """open → done with the day it was done (never deleted); the pending reminder is withdrawn."""
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.status != FollowUpTask.Status.OPEN:
        raise ValidationError(_("任务已经完成。"))
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("完成日期不能晚于今天。")})
    note = (note or "").strip()
    if note:
        update = TaskUpdate(task=task, text=note, progress=100, made_by=actor)
        update.full_clean()
        update.save()
    task.status = FollowUpTask.Status.DONE
    task.closed_on = closed_on
    task.progress = 100
    _save(task, actor, update_fields=["status", "closed_on", "progress"], reason=_("任务完成"))
    _withdraw_reminders(task)
    return task


@transaction.atomic
def task_reopen(*, actor, task: FollowUpTask, reason: str) -> FollowUpTask:
    """done → open again, with a reason (the check found it not carried out); a new reminder is
    planned if the due date is still ahead."""
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.status != FollowUpTask.Status.DONE:
        raise ValidationError(_("任务尚未完成。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写重新督办的原因。")})
    task.status = FollowUpTask.Status.OPEN
    task.closed_on = None
    _save(task, actor, update_fields=["status", "closed_on"], reason=reason.strip())
    task_plan_reminder(task=task)
    return task
