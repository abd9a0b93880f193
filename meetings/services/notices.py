"""Meeting notices (R12.2) through the durable outbox, and the attendees' replies (回执).

One message per attendee per meeting version, keyed
``meeting:<id>:v<version>:<notice|reminder>:attendee:<attendee_id>`` (and
``meeting:<id>:cancel:attendee:<id>``; the batched update notices of time, place and agenda
changes live in ``meetings.services.changes``): recording twice records once. Every notice is due
at once; the reminder is planned 24 hours before the start and re-planned on a reschedule. These
functions run inside the caller's transaction; the sweep is asked to run after commit.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.audit import set_actor
from common.validators import is_mobile, mobile_normalize
from inbox.models import Message
from inbox.services import message_cancel_pending, message_enqueue, message_record_phone_call, outbox_kick
from meetings.models import Attendee, Meeting

REMINDER_BEFORE = datetime.timedelta(hours=24)  # the default; settings.MEETING_REMINDER_HOURS decides
REPLY_SALT = "meetings.reply"


def _when(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def reply_token(attendee: Attendee, *, now: datetime.datetime | None = None) -> str:
    """A signed link for attendees without an account: it names the attendee and when it was
    signed (so that it can expire and be revoked, issue #14 item 10), nothing else."""
    issued = (now or timezone.now()).timestamp()
    return signing.dumps({"a": attendee.pk, "t": int(issued)}, salt=REPLY_SALT)


def attendee_from_token(token: str, *, now: datetime.datetime | None = None) -> int | None:
    """The attendee a link names, or None when it is forged, older than REPLY_LINK_MAX_AGE_DAYS or
    revoked since it was sent (issue #14 item 10; the view also closes it when the meeting starts)."""
    from accounts.services import link_revoked

    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=REPLY_SALT)
        attendee_id, issued = int(data["a"]), float(data.get("t", 0))
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None
    if now.timestamp() - issued > settings.REPLY_LINK_MAX_AGE_DAYS * 86400:
        return None
    if link_revoked(kind=REPLY_SALT, object_id=attendee_id, issued_at=issued):
        return None
    return attendee_id


def reply_link_expired(attendee: Attendee, *, now: datetime.datetime | None = None) -> bool:
    """A signed reply link stops working when the meeting starts (issue #14 item 10)."""
    return (now or timezone.now()) >= attendee.meeting.starts_at


def reply_url(attendee: Attendee) -> str:
    if attendee.user_id:
        return reverse("meetings:reply", args=[attendee.meeting_id])
    return reverse("meetings:reply_token", args=[reply_token(attendee)])


def reminder_before() -> datetime.timedelta:
    """Issue #15 item 8: how long before the start the reminder goes (the day before by default)."""
    hours = getattr(settings, "MEETING_REMINDER_HOURS", None)
    return datetime.timedelta(hours=hours) if hours else REMINDER_BEFORE


def attendee_phone(attendee: Attendee) -> str:
    """A mobile number for an attendee without an account or e-mail (issue #15 item 7), in this
    order: the attendee's own phone, the phone of their post (the holder's mobile), then the
    ledger's liaison phone of their unit, else its contact phone when that is a mobile."""
    post, unit = attendee.post, attendee.unit
    candidates = [attendee.phone, post.phone if post is not None else ""]
    if unit is not None:
        candidates += [unit.liaison_phone, unit.contact_phone]
    for phone in candidates:
        if is_mobile(phone):
            return mobile_normalize(phone)
    return ""


def attendee_channel(attendee: Attendee) -> dict:
    """Where this attendee's notices go: the account's inbox and e-mail, an e-mail address, or an
    SMS to a phone with the signed reply link (works without logging in). Empty: nothing reaches
    them, the secretary phones and records it."""
    if attendee.user_id or attendee.email:
        return {"recipient": attendee.user, "email": attendee.email}
    phone = attendee_phone(attendee)
    if phone:
        return {"recipient": None, "email": "", "channel": Message.Channel.SMS, "address": phone}
    return {}


def _reachable(attendee: Attendee) -> bool:
    return bool(attendee_channel(attendee))


def _topics(meeting: Meeting) -> str:
    items = list(meeting.agenda_items.order_by("order", "pk"))
    return "\n".join(f"{i}. {item.title}" for i, item in enumerate(items, start=1))


def _details(meeting: Meeting) -> str:
    return _(
        "会议：%(title)s（%(kind)s）\n时间：%(when)s（约 %(minutes)s 分钟）\n"
        "地点：%(place)s\n主持人：%(chair)s\n议题：\n%(topics)s"
    ) % {
        "title": meeting.title,
        "kind": meeting.get_kind_display(),
        "when": _when(meeting.starts_at),
        "minutes": meeting.duration_minutes,
        "place": meeting.place,
        "chair": meeting.chair_name or _("（待定）"),
        "topics": _topics(meeting),
    }


def _enqueue(*, meeting: Meeting, attendee: Attendee, what: str, subject: str, body: str, due_at=None, versioned=True):
    channel = attendee_channel(attendee)
    if not channel:
        return None
    version = f"v{meeting.version}:" if versioned else ""
    return message_enqueue(
        key=f"meeting:{meeting.pk}:{version}{what}:attendee:{attendee.pk}",
        kind=f"meeting_{what}",
        **channel,
        subject=subject,
        body=body,
        url=reply_url(attendee),
        due_at=due_at,
    )


def _plan_reminder(meeting: Meeting, attendee: Attendee) -> None:
    due = meeting.starts_at - reminder_before()
    if due <= timezone.now():
        return  # an urgent meeting: the notice itself is the reminder
    _enqueue(
        meeting=meeting,
        attendee=attendee,
        what="reminder",
        subject=_("【会议提醒】%(title)s 将于%(when)s召开")
        % {"title": meeting.title, "when": _when(meeting.starts_at)},
        body=_("%(name)s：\n提醒您按时参加会议。\n\n%(details)s")
        % {"name": attendee.name, "details": _details(meeting)},
        due_at=due,
    )


def _notice_body(meeting: Meeting, attendee: Attendee) -> str:
    urgent = ""
    if meeting.urgency_reason:
        urgent = _("紧急召开理由（急事共商）：%(reason)s\n") % {"reason": meeting.urgency_reason}
    return _(
        "%(name)s：\n%(committee)s定于%(when)s召开%(title)s，请准时参加。\n%(urgent)s\n%(details)s\n\n"
        "请通过下方链接回执：确认参加，或请假并说明事由。"
    ) % {
        "name": attendee.name,
        "committee": meeting.committee.name,
        "when": _when(meeting.starts_at),
        "title": meeting.title,
        "urgent": urgent,
        "details": _details(meeting),
    }


def attendee_notify(*, meeting: Meeting, attendee: Attendee, kick: bool = True) -> None:
    """The notice of the current version (due now) and its reminder, for one attendee."""
    _enqueue(
        meeting=meeting,
        attendee=attendee,
        what="notice",
        subject=_("【会议通知】%(title)s（%(when)s）") % {"title": meeting.title, "when": _when(meeting.starts_at)},
        body=_notice_body(meeting, attendee),
    )
    _plan_reminder(meeting, attendee)
    if kick:
        outbox_kick()


def meeting_notify(*, meeting: Meeting) -> None:
    """R12.2: everyone on the list, at once; and the committee's group robot, when it has one."""
    for attendee in meeting.attendees.select_related("user", "unit", "post").order_by("pk"):
        attendee_notify(meeting=meeting, attendee=attendee, kick=False)
    robot_notify(meeting=meeting)
    outbox_kick()


def robot_notify(*, meeting: Meeting) -> Message | None:
    """Issue #15 item 7: the notice of this version posted once to the committee's group robot."""
    from inbox.models import CommitteeRobot

    robot = CommitteeRobot.objects.filter(committee_id=meeting.committee_id, is_active=True).first()
    if robot is None:
        return None
    return message_enqueue(
        key=f"meeting:{meeting.pk}:v{meeting.version}:notice:robot",
        kind="meeting_notice",
        channel=Message.Channel.WEBHOOK,
        address=robot.url,
        subject=_("【会议通知】%(title)s（%(when)s）") % {"title": meeting.title, "when": _when(meeting.starts_at)},
        body=_details(meeting),
        url=reverse("meetings:meeting_detail", args=[meeting.pk]),
    )


def meeting_notify_update(*, meeting: Meeting, previous_version: int, old: dict) -> None:
    """A new time or place (a new version): what the previous version still had pending is
    withdrawn (an unsent notice, the reminder) and the reminder re-planned. Whoever had not yet
    been sent the notice gets the new version's full notice now; everyone else learns of the
    change through the batched update notice (``meetings.services.changes``, R9)."""
    unsent = set(
        Message.objects.filter(
            key__startswith=f"meeting:{meeting.pk}:v{previous_version}:notice:", state=Message.State.PENDING
        ).values_list("key", flat=True)
    )
    message_cancel_pending(key_prefix=f"meeting:{meeting.pk}:v{previous_version}:")
    for attendee in meeting.attendees.select_related("user", "unit", "post").order_by("pk"):
        if f"meeting:{meeting.pk}:v{previous_version}:notice:attendee:{attendee.pk}" in unsent:
            attendee_notify(meeting=meeting, attendee=attendee, kick=False)
        else:
            _plan_reminder(meeting, attendee)
    outbox_kick()


def meeting_notify_cancel(*, meeting: Meeting) -> None:
    for attendee in meeting.attendees.select_related("user", "unit", "post").order_by("pk"):
        _enqueue(
            meeting=meeting,
            attendee=attendee,
            what="cancel",
            versioned=False,
            subject=_("【会议取消】%(title)s（原定%(when)s）")
            % {"title": meeting.title, "when": _when(meeting.starts_at)},
            body=_("%(name)s：\n原定于%(when)s在%(place)s召开的%(title)s已取消。\n取消原因：%(reason)s")
            % {
                "name": attendee.name,
                "when": _when(meeting.starts_at),
                "place": meeting.place,
                "title": meeting.title,
                "reason": meeting.cancel_reason,
            },
        )
    outbox_kick()


@transaction.atomic
def attendee_record_phoned(*, actor, attendee: Attendee, now: datetime.datetime | None = None) -> Message:
    """Issue #15 item 7: the secretary phoned an attendee whom no notice reaches (已电话通知), so
    the list shows everyone as told. Once per meeting version; only while the meeting is notified."""
    meeting = Meeting.objects.select_for_update().get(pk=attendee.meeting_id)
    if meeting.status != Meeting.Status.NOTIFIED:
        raise ValidationError(_("会议“%(status)s”，不需要再登记电话通知。") % {"status": meeting.get_status_display()})
    now = now or timezone.now()
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
    return message_record_phone_call(
        key=f"meeting:{meeting.pk}:v{meeting.version}:phoned:attendee:{attendee.pk}",
        subject=_("【已电话通知】%(title)s：%(name)s") % {"title": meeting.title, "name": attendee.name},
        body=_("%(who)s于%(when)s电话通知%(name)s参加%(title)s（%(starts)s）。")
        % {
            "who": who,
            "when": _when(now),
            "name": attendee.name,
            "title": meeting.title,
            "starts": _when(meeting.starts_at),
        },
        now=now,
    )


def meeting_withdraw_pending(*, meeting: Meeting) -> int:
    """Nothing still pending for this meeting goes out (cancelled, or held already)."""
    return message_cancel_pending(key_prefix=f"meeting:{meeting.pk}:")


def attendee_withdraw_pending(*, meeting: Meeting, attendee: Attendee) -> int:
    return message_cancel_pending(key_prefix=f"meeting:{meeting.pk}:", key_suffix=f":attendee:{attendee.pk}")


def replies_reset(*, actor, meeting: Meeting) -> None:
    """A new time asks everyone to reply again."""
    for attendee in meeting.attendees.exclude(reply=Attendee.Reply.NONE):
        attendee.reply = Attendee.Reply.NONE
        attendee.reply_reason = ""
        attendee.replied_at = None
        set_actor(attendee, actor, _("会议改期，回执重置"))
        attendee.save(update_fields=["reply", "reply_reason", "replied_at"])


# --- replies (回执) ------------------------------------------------------------------------------


@transaction.atomic
def attendee_reply(*, actor, attendee: Attendee, reply: str, reason: str = "") -> Attendee:
    """The attendee confirms or asks for leave with a reason, until the meeting begins.
    ``actor`` is the attendee's account, None for a signed link, or the secretary recording a
    reply given by phone."""
    meeting = Meeting.objects.select_for_update().get(pk=attendee.meeting_id)
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if meeting.status != Meeting.Status.NOTIFIED:
        raise ValidationError(_("会议“%(status)s”，不能再回执。") % {"status": meeting.get_status_display()})
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("会议已经开始，不能再回执；请直接联系社区书记。"))
    if reply not in (Attendee.Reply.CONFIRMED, Attendee.Reply.LEAVE):
        raise ValidationError({"reply": _("请选择确认参加或请假。")})
    reason = (reason or "").strip()
    if reply == Attendee.Reply.LEAVE and not reason:
        raise ValidationError({"reply_reason": _("请假请填写事由。")})
    attendee.reply = reply
    attendee.reply_reason = reason if reply == Attendee.Reply.LEAVE else ""
    attendee.replied_at = timezone.now()
    attendee.full_clean()
    set_actor(attendee, actor)
    attendee.save(update_fields=["reply", "reply_reason", "replied_at"])
    return attendee
