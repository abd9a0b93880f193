"""Writes to the outbox/inbox, and the sweep that delivers it.

Recorded exactly once, e-mailed at least once (issue #13): ``message_enqueue`` records one row
per ``key`` (the database's unique key carries the guarantee under races). The sweep claims a
batch of due rows under ``select_for_update(skip_locked=True)``, stamps ``claimed_until`` and
commits the claim before it sends, so two sweeps (two beat processes, a task delivered twice)
never send the same row. Each message's outcome is recorded in its own transaction right after
its send, so a worker that dies between the mail server's reply and the recorded send repeats
that one message when its claim expires (the rest of its batch waits for the same expiry and
goes out once). To make such a repeat rarer the sweep connects to the mail server before it
claims anything, and to make it harmless every attempt of one key carries the same Message-ID
(``message_id``), so mail clients show it once.

Speed (issue #17: 10,000 due notices in ≤ 20 s): one claim transaction per batch, one UPDATE per
outcome, and on PostgreSQL the sweep's commits do not wait for the disk (``synchronous_commit``
off for these transactions only): a killed worker loses nothing the server has committed, and a
crash of the database server itself can forget at most the last fraction of a second of
outcomes — those messages go out once more, with the same Message-ID.
"""

import contextlib
import dataclasses
import datetime
import hashlib
import logging
import secrets
import time
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db import connection as database
from django.db.models import F, Q
from django.utils import timezone

from . import channels
from .models import CalendarToken, CommitteeRobot, Message

logger = logging.getLogger("dangwei.inbox")

# One e-mail never takes this long: a claim older than this belongs to a dead worker.
CLAIM_FOR = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 5
# Backoff after the 1st, 2nd, 3rd, 4th failed attempt; the 5th failure is final.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
SWEEP_LIMIT = 500
# Messages claimed in one transaction. A batch that takes longer than half the claim (a slow mail
# server) hands its unsent rest back before the claim could expire under it.
CLAIM_BATCH = 50


def message_enqueue(
    *,
    key: str,
    recipient=None,
    email: str = "",
    subject: str,
    body: str,
    url: str = "",
    kind: str = "",
    due_at: datetime.datetime | None = None,
    channel: str = Message.Channel.EMAIL,
    address: str = "",
) -> Message:
    """Record one message, exactly once per ``key`` (idempotent: a second call returns the
    first row unchanged). The database's unique key carries the guarantee under races.

    ``channel`` (issue #15 item 7): e-mail (to ``email``), SMS (to the phone in ``address``) or a
    group robot (the webhook URL in ``address``); one key is one row, so one channel per key.

    A message that was withdrawn before it went out (CANCELLED) is planned again with the new
    text and time: it was never sent, so this still sends each key at most once (e.g. a task's
    due date moved away and back, or a reopened task)."""
    if recipient is not None and not email:
        email = recipient.email or ""
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        if existing.state == Message.State.CANCELLED:
            return _message_revive(
                existing, email=email, subject=subject, body=body, url=url, due_at=due_at, address=address
            )
        return existing
    message = Message(
        key=key,
        recipient=recipient,
        email=email,
        subject=subject[:200],
        body=body,
        url=url,
        kind=kind,
        due_at=due_at or timezone.now(),
        channel=channel,
        address=address,
    )
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(key=key)
    return message


@transaction.atomic
def _message_revive(message: Message, *, email, subject, body, url, due_at, address="") -> Message:
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.state != Message.State.CANCELLED:  # revived or sent meanwhile
        return message
    message.state, message.email, message.subject, message.body, message.url = (
        Message.State.PENDING,
        email,
        subject[:200],
        body,
        url,
    )
    message.due_at = due_at or timezone.now()
    message.address = address or message.address
    message.attempts, message.claimed_until, message.next_attempt_at, message.last_error = 0, None, None, ""
    message.save(
        update_fields=[
            "state",
            "email",
            "subject",
            "body",
            "url",
            "due_at",
            "address",
            "attempts",
            "claimed_until",
            "next_attempt_at",
            "last_error",
        ]
    )
    return message


def message_record_phone_call(*, key: str, subject: str, body: str, now: datetime.datetime | None = None) -> Message:
    """Issue #15 item 7: where no channel reaches a person, the secretary phones them and records
    it here (已电话通知): a row of the PHONE channel, sent when recorded, never swept. Once per key."""
    now = now or timezone.now()
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing
    message = Message(
        key=key,
        kind="phone_call",
        channel=Message.Channel.PHONE,
        subject=subject[:200],
        body=body,
        due_at=now,
        state=Message.State.SENT,
        sent_at=now,
    )
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(key=key)
    return message


@transaction.atomic
def message_cancel_pending(*, key_prefix: str, key_suffix: str = "") -> int:
    """Withdraw unsent messages (e.g. a reminder re-planned after a reschedule). A message being
    sent right now (claimed) is withdrawn too: its sender then records nothing."""
    qs = Message.objects.filter(key__startswith=key_prefix, state=Message.State.PENDING)
    if key_suffix:
        qs = qs.filter(key__endswith=key_suffix)
    return qs.update(state=Message.State.CANCELLED)


RESTORED_EXPIRED = "恢复备份后已过期，未发送"


@transaction.atomic
def messages_expire_passed(*, now: datetime.datetime) -> int:
    """After a restore from backup (``manage.py restore``): every unsent notice whose moment has
    passed (its send time — the reminder's time, the notice's day — is before ``now``) is marked
    expired instead of sent, so the restored outbox never mails what the old system had probably
    sent already, or what is too late to matter. They stay in the recipients' in-portal inbox."""
    return Message.objects.filter(state=Message.State.PENDING, due_at__lte=now).update(
        state=Message.State.EXPIRED, claimed_until=None, next_attempt_at=None, last_error=RESTORED_EXPIRED
    )


@transaction.atomic
def message_mark_read(*, actor, message: Message) -> Message:
    if message.recipient_id != actor.pk or message.read_at is not None:
        return message
    message.read_at = timezone.now()
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


# --- the sweep -------------------------------------------------------------------------------


def _claimable(now: datetime.datetime) -> Q:
    return (
        Q(state=Message.State.PENDING, due_at__lte=now)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


@contextlib.contextmanager
def _commits_without_flush():
    """For the sweep's own statements: on PostgreSQL, commit without waiting for the WAL to reach
    the disk (see the module's docstring), set for the connection while the sweep runs and reset
    after; SQLite already runs with ``synchronous=NORMAL``."""
    if database.vendor != "postgresql":
        yield
        return
    with database.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), database.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def messages_claim(*, now: datetime.datetime | None = None, limit: int = CLAIM_BATCH) -> list[Message]:
    """Claim up to ``limit`` of the oldest due messages that nobody else holds, and commit the
    claim (one transaction).

    ``skip_locked`` lets concurrent sweeps pass each other's rows; the conditional UPDATE repeats
    the claimable test so the claim also holds where row locks do nothing (SQLite, whose
    transactions here begin IMMEDIATE, one writer at a time). An attempt is counted at claim time,
    so a message that kills its worker every time still ends FAILED.
    """
    now = now or timezone.now()
    until = now + CLAIM_FOR
    with transaction.atomic():
        candidates = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not candidates:
            return []
        Message.objects.filter(_claimable(now), pk__in=candidates).update(
            claimed_until=until, attempts=F("attempts") + 1
        )
        return list(Message.objects.filter(pk__in=candidates, claimed_until=until).order_by("due_at", "pk"))


def message_claim_next(*, now: datetime.datetime | None = None) -> Message | None:
    """Claim the oldest due message that nobody else holds (``messages_claim`` of one)."""
    claimed = messages_claim(now=now, limit=1)
    return claimed[0] if claimed else None


def messages_unclaim(*, messages: list[Message]) -> int:
    """Hand claimed, unsent messages back (the attempt not counted): the next sweep takes them."""
    if not messages:
        return 0
    with transaction.atomic():
        return Message.objects.filter(
            pk__in=[m.pk for m in messages], state=Message.State.PENDING, claimed_until=messages[0].claimed_until
        ).update(claimed_until=None, attempts=F("attempts") - 1)


def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return getattr(settings, "PORTAL_BASE_URL", "http://localhost:8000").rstrip("/") + url


def message_id(message: Message) -> str:
    """The e-mail's Message-ID, the same for every attempt of one outbox key: a notice that goes
    out twice (a worker killed between the SMTP reply and the recorded send) reaches the
    recipient's mail client as the same message, which most clients show once."""
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:40]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "dangwei.local"
    return f"<{digest}@{domain}>"


def _send_email(message: Message, connection=None) -> None:
    body = message.body
    if message.url:
        body = f"{body}\n\n{_absolute(message.url)}"
    EmailMessage(
        subject=message.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.email],
        headers={"Message-ID": message_id(message)},
        connection=connection,
    ).send(fail_silently=False)


def message_deliver(*, message: Message, now: datetime.datetime | None = None, connection=None) -> str:
    """Send one claimed message and record the outcome. Returns the new state."""
    error = ""
    if message.channel in (Message.Channel.SMS, Message.Channel.WEBHOOK) or message.email:
        try:
            if message.channel in (Message.Channel.SMS, Message.Channel.WEBHOOK):
                channels.send(message)
            else:
                _send_email(message, connection)
        except Exception as exc:  # noqa: BLE001 - any transport error is a failed attempt
            error = f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("message %s not sent: %s", message.key, error)
    return message_record(message=message, error=error, now=now)


def message_record(*, message: Message, error: str = "", now: datetime.datetime | None = None) -> str:
    """Record the outcome of one claimed message's send (one UPDATE, its own transaction): sent,
    failed for good after ``MAX_ATTEMPTS``, or to be tried again after a backoff. Returns the new
    state; "" when the row is no longer pending (cancelled meanwhile, or recorded by a worker whose
    expired claim this one inherited)."""
    now = now or timezone.now()
    pending = Message.objects.filter(pk=message.pk, state=Message.State.PENDING)
    if not error:
        state, changes = Message.State.SENT, {"state": Message.State.SENT, "sent_at": now, "last_error": ""}
    elif message.attempts >= MAX_ATTEMPTS:
        state, changes = Message.State.FAILED, {"state": Message.State.FAILED, "last_error": error}
    else:
        backoff = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        state, changes = Message.State.PENDING, {"next_attempt_at": now + backoff, "last_error": error}
    recorded = pending.update(claimed_until=None, **changes)  # one statement: its own transaction
    return state if recorded else ""


@dataclasses.dataclass
class SweepResult:
    sent: list[Message] = dataclasses.field(default_factory=list)
    failed: list[Message] = dataclasses.field(default_factory=list)
    retrying: list[Message] = dataclasses.field(default_factory=list)


def outbox_sweep(*, limit: int = SWEEP_LIMIT, now: datetime.datetime | None = None) -> SweepResult:
    """One pass over the due messages: claim a batch, send and record each, again; at most
    ``limit`` messages.

    The slow part of SMTP (connecting, TLS, logging in) happens once, before the first claim:
    between a claim and its recorded outcome there is only the one message's exchange, which
    keeps the window where a killed worker can make a message go out twice small."""
    result = SweepResult()
    if not Message.objects.filter(_claimable(now or timezone.now())).exists():
        return result
    connection = _open_mail_connection()
    try:
        with _commits_without_flush():
            _sweep_batches(result, limit=limit, now=now, connection=connection)
    finally:
        if connection is not None:
            _close_quietly(connection)
    return result


def _sweep_batches(result: SweepResult, *, limit: int, now, connection) -> None:
    left = limit
    while left > 0:
        batch = messages_claim(now=now, limit=min(CLAIM_BATCH, left))
        if not batch:
            return
        left -= len(batch)
        hand_back_at = time.monotonic() + CLAIM_FOR.total_seconds() / 2
        for index, message in enumerate(batch):
            if time.monotonic() >= hand_back_at:  # a slow mail server: before the claim expires
                messages_unclaim(messages=batch[index:])
                return
            state = message_deliver(message=message, now=now, connection=connection)
            if state != Message.State.SENT and connection is not None:
                _close_quietly(connection)  # a broken connection: the next message opens a new one
            if state == Message.State.SENT:
                result.sent.append(message)
            elif state == Message.State.FAILED:
                result.failed.append(message)
            elif state == Message.State.PENDING:
                result.retrying.append(message)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the messages are recorded; a failed QUIT changes nothing
        logger.warning("mail connection not closed cleanly", exc_info=True)


def _open_mail_connection():
    """One mail connection for a sweep, opened before any claim; None when the server does not
    answer (each message then tries on its own and records its failure)."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - recorded per message by message_deliver
        logger.warning("mail server unavailable: %s", exc)
        return None
    return connection


def outbox_kick() -> None:
    """Ask a worker to sweep now (after commit). Beat sweeps every minute anyway, so when the
    broker is down this only logs: the messages are already safe in the database."""
    from common.background import enqueue_on_commit

    from .tasks import sweep_outbox

    enqueue_on_commit(sweep_outbox)


# --- calendar feed tokens ----------------------------------------------------------------------


@transaction.atomic
def calendar_token_get_or_create(*, user) -> CalendarToken:
    token = CalendarToken.objects.filter(user=user).first()
    if token is not None:
        return token
    try:
        with transaction.atomic():
            return CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(32))
    except IntegrityError:
        return CalendarToken.objects.get(user=user)


@transaction.atomic
def calendar_token_rotate(*, user) -> CalendarToken:
    token = calendar_token_get_or_create(user=user)
    token.token = secrets.token_urlsafe(32)
    token.save(update_fields=["token", "created_at"])
    return token


# --- group robots (issue #15 item 7) -------------------------------------------------------------


@transaction.atomic
def committee_robot_set(*, committee, url: str, is_active: bool = True) -> CommitteeRobot:
    """Set (or replace) the committee's group robot URL; only http(s) URLs are accepted."""
    robot = CommitteeRobot.objects.select_for_update().filter(committee=committee).first()
    robot = robot or CommitteeRobot(committee=committee)
    robot.url, robot.is_active = (url or "").strip(), is_active
    robot.full_clean(validate_unique=False)
    robot.save()
    return robot
