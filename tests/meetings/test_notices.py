"""Notices two days ahead (R12.2) through the outbox: one per attendee per version, exactly once.

The race tests need PostgreSQL row locks (``postgres``); the worker tests a real Celery worker on
Redis (``redis``). Both run under CI=true and are skipped locally when the service is missing.
"""

import contextlib
import datetime
import threading
from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from inbox import services as inbox_services
from inbox.models import Message
from meetings.models import Attendee, Meeting
from meetings.selectors.meetings import meeting_page
from meetings.services import notices, scheduling

from .factories import AgendaItemFactory


def in_hours(hours: float) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(microsecond=0)


def published(board, actor, *, hours=24 * 7, guest_email="guest@example.cn", **kw):
    meeting = scheduling.meeting_schedule(
        actor=actor,
        committee=board.committee,
        kind=Meeting.Kind.WORK,
        title="第二季度工作会议",
        starts_at=in_hours(hours),
        duration_minutes=90,
        place="党群服务中心",
        **kw,
    )
    AgendaItemFactory(meeting=meeting, title="区域党建项目")
    AgendaItemFactory(meeting=meeting, title="居民诉求办理")
    scheduling.attendee_add(actor=actor, meeting=meeting, role=Attendee.Role.GUEST, name="赵科长", email=guest_email)
    return scheduling.meeting_publish(actor=actor, meeting=meeting)


# --- enqueueing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_records_one_notice_and_one_reminder_per_reachable_attendee_r12_2(board, secretary_user):
    meeting = published(board, secretary_user)
    attendees = {a.name: a for a in meeting.attendees.all()}
    notices_ = Message.objects.filter(kind="meeting_notice")
    # the member without account or e-mail cannot be notified; everyone else once
    assert notices_.count() == len(attendees) - 1
    m0 = Message.objects.get(key=f"meeting:{meeting.pk}:v1:notice:attendee:{attendees['委员0'].pk}")
    assert m0.recipient == board.member_users[0] and m0.email == "member0@example.cn"
    assert m0.due_at <= timezone.now() and m0.due_at <= meeting.starts_at - datetime.timedelta(hours=48)
    for text in ("第二季度工作会议", "党群服务中心", "李书记", "区域党建项目", "居民诉求办理"):
        assert text in m0.body
    assert m0.url == reverse("meetings:reply", args=[meeting.pk])
    guest = Message.objects.get(key=f"meeting:{meeting.pk}:v1:notice:attendee:{attendees['赵科长'].pk}")
    assert guest.recipient is None and guest.url.startswith("/meetings/reply/")
    reminder = Message.objects.get(key=f"meeting:{meeting.pk}:v1:reminder:attendee:{attendees['委员0'].pk}")
    assert reminder.due_at == meeting.starts_at - datetime.timedelta(hours=24)
    # notifying again records nothing new (keys are unique)
    before = Message.objects.count()
    notices.meeting_notify(meeting=meeting)
    assert Message.objects.count() == before
    page = meeting_page(meeting=meeting, with_deliveries=True)
    assert [a.name for a in page.not_reached] == ["无账号委员"]


@pytest.mark.django_db
def test_urgent_meeting_is_notified_at_once_without_reminder_r9(board, secretary_user):
    meeting = published(board, secretary_user, hours=20, urgency_reason="防汛")
    assert Message.objects.filter(kind="meeting_notice").count() == 4
    assert not Message.objects.filter(kind="meeting_reminder").exists()
    assert "防汛" in Message.objects.filter(kind="meeting_notice").first().body
    assert meeting.status == Meeting.Status.NOTIFIED


@pytest.mark.django_db
def test_reschedule_sends_updates_and_replans_the_reminder(board, secretary_user):
    meeting = published(board, secretary_user)
    member = meeting.attendees.get(name="委员0")
    notices.attendee_reply(actor=board.member_users[0], attendee=member, reply="confirmed")
    inbox_services.outbox_sweep()  # the v1 notices go out; the reminders stay pending
    new_start = meeting.starts_at + datetime.timedelta(days=2)
    meeting = scheduling.meeting_update(actor=secretary_user, meeting=meeting, starts_at=new_start)
    assert meeting.version == 2
    old = Message.objects.get(key=f"meeting:{meeting.pk}:v1:reminder:attendee:{member.pk}")
    assert old.state == Message.State.CANCELLED
    new = Message.objects.get(key=f"meeting:{meeting.pk}:v2:reminder:attendee:{member.pk}")
    assert new.state == Message.State.PENDING and new.due_at == new_start - datetime.timedelta(hours=24)
    # the update notice is batched (R9, tests/meetings/test_agenda_update_notice.py): one per attendee
    update = Message.objects.get(key=f"meeting:{meeting.pk}:change:1:attendee:{member.pk}")
    assert "【会议通知变更】" in update.subject and "时间：" in update.body
    assert Message.objects.filter(kind="meeting_change").count() == 4
    member.refresh_from_db()
    assert member.reply == Attendee.Reply.NONE  # a new time: asked to reply again
    # a change of place only: version 3, the same pending update rewritten, replies kept
    notices.attendee_reply(actor=board.member_users[0], attendee=member, reply="confirmed")
    meeting = scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="社区二楼")
    assert meeting.version == 3
    assert Message.objects.filter(kind="meeting_change").count() == 4
    assert "地点：党群服务中心 → 社区二楼" in Message.objects.get(pk=update.pk).body
    member.refresh_from_db()
    assert member.reply == Attendee.Reply.CONFIRMED


@pytest.mark.django_db
def test_cancel_sends_a_cancellation_and_withdraws_what_is_pending(board, secretary_user):
    meeting = published(board, secretary_user)
    scheduling.meeting_cancel(actor=secretary_user, meeting=meeting, reason="与防汛冲突")
    assert not Message.objects.filter(key__contains=":reminder:", state=Message.State.PENDING).exists()
    assert not Message.objects.filter(kind="meeting_notice", state=Message.State.PENDING).exists()
    cancels = Message.objects.filter(kind="meeting_cancel")
    assert cancels.count() == 4
    assert all("与防汛冲突" in m.body for m in cancels)
    inbox_services.outbox_sweep()
    assert len(mail.outbox) == 3  # the secretary has no e-mail: inbox only
    assert all("【会议取消】" in m.subject for m in mail.outbox)


# --- replies (回执) -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reply_confirm_or_leave_with_reason(board, secretary_user):
    meeting = published(board, secretary_user)
    member = meeting.attendees.get(name="委员1")
    with pytest.raises(ValidationError) as exc:
        notices.attendee_reply(actor=board.member_users[1], attendee=member, reply="leave", reason=" ")
    assert "reply_reason" in exc.value.error_dict
    member = notices.attendee_reply(actor=board.member_users[1], attendee=member, reply="leave", reason="出差")
    assert (member.reply, member.reply_reason) == ("leave", "出差")
    member = notices.attendee_reply(actor=board.member_users[1], attendee=member, reply="confirmed", reason="ignored")
    assert (member.reply, member.reply_reason) == ("confirmed", "")
    assert member.history.first().history_user == board.member_users[1]
    page = meeting_page(meeting=meeting, with_deliveries=True)
    assert page.replies["confirmed"] == 1
    assert member not in page.not_replied and len(page.not_replied) == 4


@pytest.mark.django_db
def test_reply_refused_on_draft_cancelled_or_started_meetings(board, secretary_user):
    meeting = published(board, secretary_user)
    member = meeting.attendees.get(name="委员0")
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=in_hours(-1))
    with pytest.raises(ValidationError, match="已经开始"):
        notices.attendee_reply(actor=None, attendee=member, reply="confirmed")
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=in_hours(50), status="cancelled", cancel_reason="x")
    with pytest.raises(ValidationError, match="已取消"):
        notices.attendee_reply(actor=None, attendee=member, reply="confirmed")


@pytest.mark.django_db
def test_reply_token_round_trip_and_tampering():
    class A:
        pk = 42

    token = notices.reply_token(A())
    assert notices.attendee_from_token(token) == 42
    assert notices.attendee_from_token(token[:-2] + "xx") is None
    assert notices.attendee_from_token("garbage") is None


# --- the sweep --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sweep_sends_each_due_message_once_and_inbox_only_without_email(board, secretary_user):
    meeting = published(board, secretary_user)
    result = inbox_services.outbox_sweep()
    # secretary (no e-mail: inbox only), 委员0, 委员1, guest; reminders not yet due
    assert len(result.sent) == 4
    assert sorted(m.to[0] for m in mail.outbox) == ["guest@example.cn", "member0@example.cn", "member1@example.cn"]
    assert all(m.subject.startswith("【会议通知】") for m in mail.outbox)
    assert "/meetings/" in mail.outbox[0].body
    assert Message.objects.filter(kind="meeting_notice", state=Message.State.SENT, sent_at__isnull=False).count() == 4
    assert inbox_services.outbox_sweep().sent == []
    assert len(mail.outbox) == 3
    # the reminders go out when due, once
    later = meeting.starts_at - datetime.timedelta(hours=23)
    assert len(inbox_services.outbox_sweep(now=later).sent) == 4
    assert len(inbox_services.outbox_sweep(now=later).sent) == 0
    assert len(mail.outbox) == 6


class FlakyBackend:
    """An e-mail backend that fails for one address."""

    fail_for = "guest@example.cn"

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            if self.fail_for in message.to:
                raise ConnectionRefusedError("SMTP 服务器拒绝连接")
            mail.outbox.append(message)
        return len(messages)


@pytest.mark.django_db
def test_failures_are_retried_with_backoff_then_failed_and_shown(board, secretary_user, settings):
    settings.EMAIL_BACKEND = "tests.meetings.test_notices.FlakyBackend"
    meeting = published(board, secretary_user)
    guest = meeting.attendees.get(name="赵科长")
    key = f"meeting:{meeting.pk}:v1:notice:attendee:{guest.pk}"
    now = timezone.now()
    result = inbox_services.outbox_sweep(now=now)
    assert len(result.sent) == 3 and len(result.retrying) == 1
    message = Message.objects.get(key=key)
    assert message.state == Message.State.PENDING and message.attempts == 1
    assert message.next_attempt_at == now + inbox_services.BACKOFF[0]
    assert "SMTP" in message.last_error
    assert inbox_services.outbox_sweep(now=now + datetime.timedelta(seconds=30)).retrying == []  # backing off
    at = now
    for _ in range(inbox_services.MAX_ATTEMPTS - 1):
        at = Message.objects.get(key=key).next_attempt_at
        inbox_services.outbox_sweep(now=at)
    message.refresh_from_db()
    assert message.state == Message.State.FAILED and message.attempts == inbox_services.MAX_ATTEMPTS
    assert "SMTP" in message.last_error
    page = meeting_page(meeting=meeting, with_deliveries=True)
    assert {a.name for a in page.not_reached} == {"赵科长", "无账号委员"}
    assert guest.pk in page.deliveries and page.deliveries[guest.pk].label.startswith("未送达")


class CrashingBackend:
    """Sends, then the worker dies before the outcome is recorded (a BaseException, as a killed
    process would leave it)."""

    crash_for = "member1@example.cn"
    crashed = False

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            mail.outbox.append(message)
            if self.crash_for in message.to and not CrashingBackend.crashed:
                CrashingBackend.crashed = True
                raise SystemExit("worker killed mid-send")
        return len(messages)


@pytest.mark.django_db
def test_crash_mid_send_repeats_that_one_message_at_most_once(board, secretary_user, settings):
    settings.EMAIL_BACKEND = "tests.meetings.test_notices.CrashingBackend"
    CrashingBackend.crashed = False
    published(board, secretary_user)
    now = timezone.now()
    with pytest.raises(SystemExit):
        inbox_services.outbox_sweep(now=now)
    sent_before = Counter(m.to[0] for m in mail.outbox)
    assert sent_before["member1@example.cn"] == 1  # sent, the outcome not recorded
    # the task is retried at once (acks_late): the dead worker's claimed batch is skipped, and
    # what it had recorded as sent stays sent
    inbox_services.outbox_sweep(now=now + datetime.timedelta(seconds=5))
    assert Counter(m.to[0] for m in mail.outbox) == sent_before
    # once the dead worker's claim expires, the rest of its batch goes once and the message in
    # flight when it died goes again: at most one repeat
    expired = now + inbox_services.CLAIM_FOR + datetime.timedelta(seconds=1)
    inbox_services.outbox_sweep(now=expired)
    inbox_services.outbox_sweep(now=expired + datetime.timedelta(minutes=1))
    counts = Counter(m.to[0] for m in mail.outbox)
    assert counts == {"member0@example.cn": 1, "member1@example.cn": 2, "guest@example.cn": 1}
    assert not Message.objects.filter(kind="meeting_notice", state=Message.State.PENDING).exists()


@pytest.mark.django_db
def test_send_due_notices_command_prints_what_it_sent(board, secretary_user):
    published(board, secretary_user)
    out = StringIO()
    call_command("send_due_notices", stdout=out)
    text = out.getvalue()
    assert text.count("已发送") == 4
    assert "member0@example.cn" in text and "站内消息" in text
    assert "发送 4 条" in text
    out = StringIO()
    call_command("send_due_notices", stdout=out)
    assert "发送 0 条" in out.getvalue()


# --- the broker down at scheduling time --------------------------------------------------------------


def _reset_broker_pools(app):
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_down():
    """Point the broker at a closed port (Redis "down") for what runs inside."""
    from dangwei.celery import app

    old = app.conf.broker_url
    _reset_broker_pools(app)
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        yield
    finally:
        app.conf.broker_url = old
        _reset_broker_pools(app)


@pytest.mark.django_db(transaction=True)
def test_broker_down_when_publishing_loses_nothing(board, secretary_user, settings):
    with broker_down():
        meeting = published(board, secretary_user)  # the after-commit kick fails quietly
    assert meeting.status == Meeting.Status.NOTIFIED
    assert Message.objects.filter(kind="meeting_notice", state=Message.State.PENDING).count() == 4
    inbox_services.outbox_sweep()  # beat's next sweep once the broker is back
    assert sorted(m.to[0] for m in mail.outbox) == ["guest@example.cn", "member0@example.cn", "member1@example.cn"]


# --- races on PostgreSQL ----------------------------------------------------------------------------


def _in_threads(n, target):
    errors = []
    barrier = threading.Barrier(n)

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def _many_attendees(board, actor, n=30):
    meeting = published(board, actor)
    for i in range(n):
        scheduling.attendee_add(
            actor=actor, meeting=meeting, role=Attendee.Role.GUEST, name=f"列席{i}", email=f"g{i}@example.cn"
        )
    return meeting


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_sweep_twice_concurrently_sends_each_once(board, secretary_user):
    _many_attendees(board, secretary_user)
    expected = Message.objects.filter(kind="meeting_notice").exclude(email="").count()
    _in_threads(2, inbox_services.outbox_sweep)
    counts = Counter(m.to[0] for m in mail.outbox)
    assert len(counts) == expected and set(counts.values()) == {1}
    assert not Message.objects.filter(kind="meeting_notice", state=Message.State.PENDING).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beat_processes_sweeping_at_once(board, secretary_user):
    """Two beats each fire the sweep every minute: four sweeps overlap, small batches."""
    _many_attendees(board, secretary_user)

    def beat():
        for _ in range(3):
            inbox_services.outbox_sweep(limit=7)

    _in_threads(4, beat)
    inbox_services.outbox_sweep()
    counts = Counter(m.to[0] for m in mail.outbox)
    assert set(counts.values()) == {1}
    assert len(counts) == Message.objects.filter(kind="meeting_notice").exclude(email="").count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publish_and_enqueue_record_once(board, secretary_user):
    meeting = published(board, secretary_user)
    before = Message.objects.count()
    _in_threads(4, lambda: notices.meeting_notify(meeting=meeting))
    assert Message.objects.count() == before


# --- a real Celery worker on Redis -----------------------------------------------------------------


@pytest.fixture
def celery_worker_on_redis(settings):
    from celery.contrib.testing.worker import start_worker

    from dangwei.celery import app

    settings.CELERY_RESULT_BACKEND = "cache+memory://"
    app.conf.result_backend = "cache+memory://"
    _reset_broker_pools(app)  # a worker stopped by an earlier test closed the shared pool
    with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
    _reset_broker_pools(app)


def _queue_sweeps(task, n: int) -> None:
    """Queue on a connection of our own: a worker stopped by an earlier test may close the app's
    shared producer pool while it shuts down."""
    with task.app.connection_for_write() as conn:
        for _ in range(n):
            task.apply_async(connection=conn)


def _wait_until(predicate, timeout=30.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_every_notice_exactly_once(board, secretary_user, celery_worker_on_redis):
    from inbox.tasks import sweep_outbox

    _many_attendees(board, secretary_user, n=20)  # publishing kicks a sweep after commit
    _queue_sweeps(sweep_outbox, 6)  # the same sweep delivered many times over, overlapping
    expected = Message.objects.filter(kind="meeting_notice").count()
    assert _wait_until(lambda: Message.objects.filter(kind="meeting_notice", state="sent").count() == expected)
    counts = Counter(m.to[0] for m in mail.outbox)
    assert set(counts.values()) == {1}
    assert len(counts) == Message.objects.filter(kind="meeting_notice").exclude(email="").count()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_redis_down_at_scheduling_then_worker_sends_once_it_is_back(board, secretary_user):
    from celery.contrib.testing.worker import start_worker

    from dangwei.celery import app
    from inbox.tasks import sweep_outbox

    with broker_down():
        published(board, secretary_user)
    assert mail.outbox == []
    app.conf.result_backend = "cache+memory://"
    _reset_broker_pools(app)
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
        _queue_sweeps(sweep_outbox, 2)  # beat's next ticks
        assert _wait_until(lambda: not Message.objects.filter(kind="meeting_notice", state="pending").exists())
    _reset_broker_pools(app)
    assert sorted(m.to[0] for m in mail.outbox) == ["guest@example.cn", "member0@example.cn", "member1@example.cn"]
