"""Background work that never hangs and never vanishes (issue #13).

Two pieces every app's background builds share:

``enqueue_on_commit(task, *args)``
    The one way the web side starts a Celery task: the message is published after the
    transaction commits (a worker never sees a row that is not there yet), and a broker that is
    down is tolerated — the request is already recorded in the database, the failure is logged
    and reported on the returned :class:`Enqueued` handle so the view can say so in Chinese, and
    the watchdog on beat publishes it again once the broker is back.

``Heartbeat``
    A build claims its row with a lease (``lease_until``); while it works a small thread pushes
    the lease forward. A worker killed mid-build (SIGKILL of the pool process) stops beating, the
    lease expires, and a redelivered message or the watchdog takes the row over.
"""

import dataclasses
import datetime
import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

logger = logging.getLogger("dangwei.background")


def queue_lease() -> datetime.timedelta:
    """How long a queued row waits for a worker before the watchdog publishes it again."""
    return datetime.timedelta(seconds=getattr(settings, "BACKGROUND_QUEUE_LEASE", 300))


def run_lease() -> datetime.timedelta:
    """How long a running build's claim lasts without a heartbeat (its worker died)."""
    return datetime.timedelta(seconds=getattr(settings, "BACKGROUND_RUN_LEASE", 120))


def max_attempts() -> int:
    """Builds started for one request before the row is given up as failed (a build that kills
    its worker every time must end, not loop)."""
    return getattr(settings, "BACKGROUND_MAX_ATTEMPTS", 3)


@dataclasses.dataclass
class Enqueued:
    """What became of one ``enqueue_on_commit``: ``sent`` is None until the transaction commits
    (or when it rolled back), then True, or False when the broker was unreachable."""

    task: str
    sent: bool | None = None
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.sent is False


def enqueue_on_commit(task, *args, on_failure=None, **kwargs) -> Enqueued:
    """Publish ``task(*args, **kwargs)`` once the current transaction commits; never raise.

    A broker outage only logs a warning (and calls ``on_failure()``): the work is recorded in the
    database and the watchdog publishes it again. Kombu's publish retry policy
    (``CELERY_TASK_PUBLISH_RETRY_POLICY``) keeps the wait on a dead broker under a second."""
    handle = Enqueued(task=getattr(task, "name", str(task)))

    def _send():
        try:
            task.delay(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a broker outage must never fail the request
            handle.sent = False
            handle.error = f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("%s%r not queued (broker unavailable): %s", handle.task, args, handle.error)
            if on_failure is not None:
                try:
                    on_failure()
                except Exception:  # noqa: BLE001 - best effort; the watchdog still finds the row
                    logger.exception("%s%r: on_failure failed", handle.task, args)
        else:
            handle.sent = True

    transaction.on_commit(_send)
    return handle


class Heartbeat:
    """Keep pushing ``lease_until`` of one row forward while a build runs (a context manager).

    The thread writes with a plain UPDATE on its own connection, only while the row is still
    ``running`` under this claim (``attempts``), so a build that lost its row to another worker
    does not extend that worker's lease. Errors are logged, never raised: a missed beat only
    shortens the lease."""

    def __init__(self, model, pk: int, *, attempt: int, lease: datetime.timedelta | None = None):
        self.model, self.pk, self.attempt = model, pk, attempt
        self.lease = lease or run_lease()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)

    def beat(self) -> int:
        return self.model.objects.filter(pk=self.pk, status="running", attempts=self.attempt).update(
            lease_until=timezone.now() + self.lease
        )

    def _run(self):
        interval = max(self.lease.total_seconds() / 4, 0.2)
        try:
            while not self._stop.wait(interval):
                try:
                    self.beat()
                except Exception as exc:  # noqa: BLE001 - see the class docstring
                    logger.warning("heartbeat of %s %s missed: %s", self.model.__name__, self.pk, exc)
        finally:
            connections.close_all()

    def __enter__(self):
        if _threads_share_database():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        return False


def _threads_share_database() -> bool:
    """An in-memory SQLite database (the unit tests) lives inside one test transaction that
    another thread cannot see. Everywhere else the heartbeat thread runs."""
    db = connections["default"].settings_dict
    name = str(db.get("NAME", ""))
    return not (db["ENGINE"].endswith("sqlite3") and (name in ("", ":memory:") or "mode=memory" in name))


# A build running this long is dead whatever its lease says (no build takes half an hour; rows
# from before leases existed have no ``lease_until`` at all).
LEGACY_STALE_AFTER = datetime.timedelta(minutes=30)


class ClaimHeld(Exception):  # noqa: N818 - a signal to the task, not an error
    """Another worker holds the row under a live lease: try again once it may have expired."""

    def __init__(self, retry_in: float):
        super().__init__(retry_in)
        self.retry_in = retry_in


def lease_expired(row, now: datetime.datetime | None = None) -> bool:
    """A queued or running row whose lease passed: its worker died, or no worker took it."""
    if row is None or row.status not in ("queued", "running"):
        return False
    now = now or timezone.now()
    if row.status == "running" and row.started_at is not None and now - row.started_at > LEGACY_STALE_AFTER:
        return True
    if row.lease_until is not None:
        return row.lease_until < now
    if row.status == "running":
        return row.started_at is None
    return row.requested_at is not None and now - row.requested_at > queue_lease()


def claim_decision(row, now: datetime.datetime) -> str:
    """What a build task does with the row it was sent for (locked by the caller):
    ``claim`` a queued row, ``take_over`` a running row whose lease expired (its worker died),
    ``held`` when a live worker has it (raise :class:`ClaimHeld` to retry), ``skip`` otherwise
    (gone, built, failed, or a duplicate delivery)."""
    if row is None:
        return "skip"
    if row.status == "queued":
        return "claim"
    if row.status == "running":
        if row.started_at is not None and now - row.started_at > LEGACY_STALE_AFTER:
            return "take_over"
        if row.lease_until is None:  # a claim from before leases: it cannot be timed, leave it
            return "skip"
        if row.lease_until < now:
            return "take_over"
        return "held"
    return "skip"


def expired_q(now: datetime.datetime):
    """The rows the watchdog takes back: queued or running with an expired lease."""
    from django.db.models import Q

    return (
        Q(status__in=("queued", "running"), lease_until__lt=now)
        | Q(status="running", started_at__lt=now - LEGACY_STALE_AFTER)
        | Q(status="queued", lease_until__isnull=True, requested_at__lt=now - queue_lease())
    )
