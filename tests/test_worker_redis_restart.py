"""Issue #13 item 3: a worker busy with late-acknowledged tasks, with embedded beat, survives a
Redis restart and keeps working. The test starts its own ``redis-server`` on a free port (never
the shared one) and stops only what it started."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.test_background_worker import ROOT, wait_until

pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but redis-server is not installed")
        pytest.skip("redis-server not installed")
    port = _free_port()
    procs: list[subprocess.Popen] = []

    def start():
        proc = subprocess.Popen(  # noqa: S603 - the system's redis-server
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        assert wait_until(lambda: _redis_answers(port), timeout=10)
        return proc

    def stop():
        proc = procs[-1]
        proc.kill()  # a crash, not a clean shutdown
        proc.wait(10)
        assert not _redis_answers(port)

    start()
    yield type("Redis", (), {"port": port, "start": staticmethod(start), "stop": staticmethod(stop)})
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _send(url: str, *args) -> None:
    from kombu import Connection

    from dangwei.celery import app

    with Connection(url) as conn:
        app.send_task("tests.sleep", args=list(args), connection=conn)


def test_worker_and_its_beat_survive_a_redis_restart_while_busy(own_redis, tmp_path):
    url = f"redis://127.0.0.1:{own_redis.port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangwei.settings.test",
        "REDIS_URL": url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "DANGWEI_VAR_DIR": str(tmp_path),
        "DANGWEI_TEST_CONCURRENCY": "2",
        # embedded beat, on a schedule file (no database needed for this test)
        "DANGWEI_TEST_WORKER_ARGS": f"-B --scheduler=celery.beat:PersistentScheduler -s {tmp_path / 'beat'}",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(ROOT / "tests" / "background_worker.py")],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert wait_until(lambda: "ready." in log_path.read_text(), timeout=60), log_path.read_text()
        busy = [tmp_path / "busy-1", tmp_path / "busy-2"]
        for marker in busy:
            _send(url, 6, str(marker))
        assert wait_until(lambda: log_path.read_text().count("received") >= 2, timeout=20), log_path.read_text()
        own_redis.stop()  # both pool processes are busy with unacknowledged tasks
        time.sleep(2)
        own_redis.start()
        after = tmp_path / "after-restart"
        assert wait_until(lambda: log_path.read_text().count("Connected to redis") >= 2, timeout=40)
        _send(url, 0.1, str(after))
        assert wait_until(after.exists, timeout=40), log_path.read_text()
        assert worker.poll() is None, log_path.read_text()
        text = log_path.read_text()
        assert "AttributeError" not in text and "beat: Shutting down" not in text
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
