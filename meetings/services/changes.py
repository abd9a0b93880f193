"""Update notices (会议通知变更) when a notified meeting's time, place or agenda changes (R9, R12.2).

Several edits in a short while send one notice: the first change after the attendees were last
told opens a batch (``ChangeNotice``) that remembers what they were told (``baseline``) and is
due ``CHANGE_DELAY`` later. Every edit before then rewrites the same pending messages (keyed
``meeting:<id>:change:<batch>:attendee:<attendee_id>``) with the difference between the baseline
and the meeting as it is now; an edit that undoes the batch withdraws them. Once the batch is due
it is closed: the sweep sends each key once, and the next edit opens batch + 1 whose baseline is
what that notice said. Everything runs inside the caller's transaction, under the meeting's lock.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import save_audited
from common.text import inner_quotes
from inbox.services import message_cancel_pending, message_enqueue, outbox_kick
from meetings.models import NOTICE_LEAD, AgendaItem, Attendee, ChangeNotice, Meeting

from . import notices

CHANGE_DELAY = datetime.timedelta(minutes=5)
# A batch this close to its due time is treated as closed: the sweep may be about to claim it.
CLOSE_MARGIN = datetime.timedelta(seconds=30)
ITEM_FIELDS = ("title", "category", "description", "proposer", "presenter", "planned_minutes")


def _when_iso(value: datetime.datetime) -> str:
    return value.isoformat()


def snapshot(meeting: Meeting) -> dict:
    """What a notice tells the attendees: time, place, the agenda and its attachments, and who was
    on the list (newcomers get the full notice, not the changes)."""
    items = {}
    for item in meeting.agenda_items.order_by("order", "pk").prefetch_related("attachments"):
        row = {name: getattr(item, name) for name in ITEM_FIELDS}
        row["order"] = item.order
        row["attachments"] = sorted([[a.pk, a.name] for a in item.attachments.all()])
        items[str(item.pk)] = row
    return {
        "starts_at": _when_iso(meeting.starts_at),
        "place": meeting.place,
        "items": items,
        "attendees": sorted(meeting.attendees.values_list("pk", flat=True)),
    }


def _label(name: str) -> str:
    return str(AgendaItem._meta.get_field(name).verbose_name)


def _item_changes(old: dict, new: dict) -> list[str]:
    parts = []
    for name in ITEM_FIELDS:
        if old.get(name) == new.get(name):
            continue
        if name == "description":
            parts.append(_("说明已修改"))
        elif name == "category":
            choices = dict(AgendaItem.Category.choices)
            parts.append(
                _("%(field)s由“%(old)s”改为“%(new)s”")
                % {
                    "field": _label(name),
                    "old": inner_quotes(choices.get(old.get(name), "")),
                    "new": inner_quotes(choices.get(new.get(name), "")),
                }
            )
        else:
            parts.append(
                _("%(field)s由“%(old)s”改为“%(new)s”")
                % {
                    "field": _label(name),
                    "old": inner_quotes(old.get(name, "")),
                    "new": inner_quotes(new.get(name, "")),
                }
            )
    old_files = dict(old.get("attachments", []))
    new_files = dict(new.get("attachments", []))
    for pk in sorted(set(new_files) - set(old_files)):
        parts.append(_("新增附件“%(name)s”") % {"name": inner_quotes(new_files[pk])})
    for pk in sorted(set(old_files) - set(new_files)):
        parts.append(_("删除附件“%(name)s”") % {"name": inner_quotes(old_files[pk])})
    return parts


def changes_between(old: dict, new: dict) -> list[str]:
    """The changes as lines the attendees read (old → new); empty when nothing they were told
    differs."""
    lines = []
    if old["starts_at"] != new["starts_at"]:
        lines.append(
            _("时间：%(old)s → %(new)s")
            % {
                "old": notices._when(datetime.datetime.fromisoformat(old["starts_at"])),
                "new": notices._when(datetime.datetime.fromisoformat(new["starts_at"])),
            }
        )
    if old["place"] != new["place"]:
        lines.append(_("地点：%(old)s → %(new)s") % {"old": old["place"], "new": new["place"]})
    old_items, new_items = old["items"], new["items"]
    for pk, item in new_items.items():
        if pk not in old_items:
            lines.append(_("新增议题：%(title)s") % {"title": item["title"]})
    for pk, item in old_items.items():
        if pk not in new_items:
            lines.append(_("删除议题：%(title)s") % {"title": item["title"]})
    for pk, item in new_items.items():
        if pk in old_items:
            parts = _item_changes(old_items[pk], item)
            if parts:
                lines.append(
                    _("议题“%(title)s”：%(changes)s")
                    % {"title": inner_quotes(old_items[pk]["title"]), "changes": "；".join(parts)}
                )
    return lines


def _open_batch(meeting: Meeting, now: datetime.datetime) -> ChangeNotice | None:
    last = meeting.change_notices.order_by("-batch").first()
    if last is not None and last.due_at > now + CLOSE_MARGIN:
        return last
    return None


def _body(meeting: Meeting, attendee: Attendee, lines: list[str], *, retime: bool, now) -> str:
    urgent = ""
    if meeting.urgency_reason and meeting.starts_at - now < NOTICE_LEAD:
        urgent = _("紧急召开理由（急事共商）：%(reason)s\n") % {"reason": meeting.urgency_reason}
    ask = _("会议时间已变更，请通过下方链接重新回执。") if retime else _("如需调整回执，请通过下方链接办理。")
    return _(
        "%(name)s：\n%(committee)s已通知的%(title)s有以下变更：\n%(changes)s\n%(urgent)s\n"
        "变更后的会议安排：\n%(details)s\n\n%(ask)s"
    ) % {
        "name": attendee.name,
        "committee": meeting.committee.name,
        "title": meeting.title,
        "changes": "\n".join(f"· {line}" for line in lines),
        "urgent": urgent,
        "details": notices._details(meeting),
        "ask": ask,
    }


def _replan_reminders(meeting: Meeting, attendees: list[Attendee], now) -> None:
    """The pending reminder repeats the agenda: rewrite it, unless the sweep may be sending it."""
    due = meeting.starts_at - notices.reminder_before()
    if due <= now + CLOSE_MARGIN:
        return
    message_cancel_pending(key_prefix=f"meeting:{meeting.pk}:v{meeting.version}:reminder:")
    for attendee in attendees:
        notices._plan_reminder(meeting, attendee)


def change_record(*, actor, meeting: Meeting, before: dict) -> ChangeNotice | None:
    """After an edit of a notified meeting (``before`` = its snapshot just before the edit): open
    or rewrite this batch's update notice. Returns the batch, or None when nothing the attendees
    were told has changed and no batch is open."""
    if meeting.status != Meeting.Status.NOTIFIED:
        return None
    now = timezone.now()
    batch = _open_batch(meeting, now)
    after = snapshot(meeting)
    baseline = batch.baseline if batch is not None else before
    lines = changes_between(baseline, after)
    if batch is None and not lines:
        return None
    if batch is None:
        last = meeting.change_notices.order_by("-batch").values_list("batch", flat=True).first() or 0
        batch = ChangeNotice(
            meeting=meeting,
            batch=last + 1,
            baseline=before,
            due_at=max(now, min(now + CHANGE_DELAY, meeting.starts_at)),
        )
    prefix = f"meeting:{meeting.pk}:change:{batch.batch}:"
    if batch.pk:
        message_cancel_pending(key_prefix=prefix)  # rewritten below (revived with the new text)
    told = set(baseline["attendees"])
    everyone = list(meeting.attendees.select_related("user", "unit", "post").order_by("pk"))
    attendees = [a for a in everyone if a.pk in told and notices.attendee_channel(a)]
    if lines:
        retime = baseline["starts_at"] != after["starts_at"]
        subject = _("【会议通知变更】%(title)s（%(when)s）") % {
            "title": meeting.title,
            "when": notices._when(meeting.starts_at),
        }
        for attendee in attendees:
            message_enqueue(
                key=f"{prefix}attendee:{attendee.pk}",
                kind="meeting_change",
                **notices.attendee_channel(attendee),
                subject=subject,
                body=_body(meeting, attendee, lines, retime=retime, now=now),
                url=notices.reply_url(attendee),
                due_at=batch.due_at,
            )
        _replan_reminders(meeting, everyone, now)
    batch.summary = "\n".join(lines)
    batch.recipients = len(attendees) if lines else 0
    reason = _("会议通知变更") if lines else _("变更已撤回，变更通知不再发送")
    save_audited(batch, actor, reason=reason)
    outbox_kick()
    return batch
