"""Issue #13 on a real Celery worker (Redis marker; PostgreSQL, which the worker process shares
with the test): a year-end report and a ranking file whose pool process is SIGKILLed mid-build
are built again by themselves, a second delivery of the same message builds nothing more, and a
request made while the broker was down is built once the watchdog runs.

The worker is ``tests/background_worker.py`` in a process of its own (prefork, concurrency 1),
with a 3-second run lease so the takeover comes within seconds.
"""

import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.db import connection
from django.utils import timezone

from assessment import ranking_files, reports
from assessment.models import RankingFile
from tests.assessment.report_factories import YEAR, finalised_task, make_round
from tests.meetings.test_notices import _reset_broker_pools, broker_down
from yearend import services
from yearend.models import YearEndReport

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUN_LEASE = 3


def _database_url() -> str:
    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _fresh_broker_pools() -> None:
    """Drop every cached broker connection and producer pool of this process (kombu keeps them in
    a global registry; one closed by an earlier test would refuse to publish)."""
    from kombu import pools

    from dangwei.celery import app

    _reset_broker_pools(app)
    pools.reset()


def wait_until(predicate, timeout: float = 40.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _broker_idle() -> bool:
    """Nothing waiting in the queue and nothing delivered but unacknowledged."""
    from dangwei.celery import app

    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        return client.llen("celery") == 0 and client.hlen("unacked") == 0


@pytest.fixture
def worker(tmp_path, settings):
    """Start a worker process on demand (``worker(slow=True)`` kills-in-the-middle mode); every
    process started here is stopped by pid at the end."""
    from dangwei.celery import app

    app.conf.task_always_eager = False
    _fresh_broker_pools()
    with app.connection_for_write() as conn:  # a clean queue in our own Redis database
        conn.default_channel.client.delete("celery", "unacked", "unacked_index")
    started: list[subprocess.Popen] = []
    marker = tmp_path / "slow-build.pid"

    def start(*, slow: bool = False) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dangwei.settings.test",
            "DATABASE_URL": _database_url(),
            "DANGWEI_VAR_DIR": str(tmp_path),
            "BACKGROUND_RUN_LEASE": str(RUN_LEASE),
            "BACKGROUND_QUEUE_LEASE": "5",
        }
        if slow:
            env |= {"DANGWEI_TEST_SLOW_MARKER": str(marker), "DANGWEI_TEST_SLOW_SECONDS": "60"}
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(ROOT / "tests" / "background_worker.py")],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(proc)
        return proc

    start.marker = marker
    start.logs = lambda: "\n".join(p.read_text() for p in sorted(tmp_path.glob("worker-*.log")))
    yield start
    for proc in started:  # a test worker has nothing to keep: stop it at once
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    _fresh_broker_pools()


def _kill_the_build(worker) -> int:
    assert wait_until(worker.marker.exists), worker.logs()
    pid = int(worker.marker.read_text())
    os.kill(pid, signal.SIGKILL)  # the pool process, mid-build
    return pid


# --- the year-end report (R14) ----------------------------------------------------------------------


def test_r14_a_killed_build_is_taken_over_and_built_once(world, secretary_user, worker):
    worker(slow=True)
    report = services.report_request(actor=secretary_user, committee=world.mine, year=YEAR)
    assert report.enqueued.sent is True
    _kill_the_build(worker)
    assert YearEndReport.objects.get(pk=report.pk).status == "running"
    assert wait_until(lambda: YearEndReport.objects.get(pk=report.pk).status == "ready"), worker.logs()
    report.refresh_from_db()
    assert report.attempts == 2 and report.builds == 2  # the dead build, then the takeover
    assert report.file.storage.exists(report.file.name) and report.file.read().startswith(b"%PDF")
    reasons = list(report.history.values_list("history_change_reason", flat=True))
    assert "上次生成中断，重新开始生成" in reasons
    assert wait_until(_broker_idle)


def test_r14_a_second_delivery_of_the_same_message_builds_nothing(world, secretary_user, worker):
    from yearend.tasks import build_report

    report = services.report_request(actor=secretary_user, committee=world.mine, year=YEAR)
    build_report.delay(report.pk)  # the same message again (a redelivery)
    worker()
    assert wait_until(lambda: YearEndReport.objects.get(pk=report.pk).status == "ready"), worker.logs()
    assert wait_until(_broker_idle)
    time.sleep(0.5)
    report.refresh_from_db()
    assert report.builds == 1 and report.attempts == 1
    assert report.history.filter(history_change_reason="开始生成").count() == 1


def test_r14_broker_down_at_request_then_the_watchdog_builds_it(world, secretary_user, worker):
    from yearend.tasks import watchdog

    with broker_down():
        report = services.report_request(actor=secretary_user, committee=world.mine, year=YEAR)
    assert report.enqueued.failed
    report.refresh_from_db()
    assert report.status == "queued" and report.lease_until <= timezone.now()
    _fresh_broker_pools()
    worker()
    watchdog.delay()  # beat's next tick, once the broker is back
    assert wait_until(lambda: YearEndReport.objects.get(pk=report.pk).status == "ready"), worker.logs()
    report.refresh_from_db()
    assert report.builds == 1


# --- the R21 ranking file ----------------------------------------------------------------------------


def test_r21_a_killed_ranking_build_is_taken_over(world, county_user, worker):
    round_ = make_round(world.county)
    finalised_task(round_, world.unit)
    worker(slow=True)
    scope = reports.Scope("county", world.county, world.county)
    ranking = ranking_files.ranking_file_request(actor=county_user, round=round_, scope=scope)
    assert ranking.enqueued.sent is True
    _kill_the_build(worker)
    assert wait_until(lambda: RankingFile.objects.get(pk=ranking.pk).status == "ready"), worker.logs()
    ranking.refresh_from_db()
    assert ranking.attempts == 2 and ranking.rows == 1
    assert ranking.file.read().startswith(b"%PDF")
    from assessment.tasks import build_ranking_file

    build_ranking_file.delay(ranking.pk)  # a late second delivery
    assert wait_until(_broker_idle)
    time.sleep(0.5)
    assert RankingFile.objects.get(pk=ranking.pk).attempts == 2
