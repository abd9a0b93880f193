"""A real Celery worker in a process of its own, for the real-worker tests of issue #13
(``tests/test_background_worker.py``): prefork pool, concurrency 1, so a test can SIGKILL the
pool process mid-build.

With ``DANGWEI_TEST_SLOW_MARKER`` set, the first PDF render of any pool process whose marker file
does not exist yet writes the marker (the pool process's pid) and sleeps
``DANGWEI_TEST_SLOW_SECONDS`` first: the test waits for the marker and kills that pid while the
build is under way. Later renders (the marker exists) run at normal speed.
"""

import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwei.settings.test")

import django  # noqa: E402

django.setup()

from dangwei.celery import app  # noqa: E402


def _slow(fn, marker: pathlib.Path, seconds: float):
    def wrapper(*args, **kwargs):
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(seconds)
        return fn(*args, **kwargs)

    return wrapper


@app.task(name="tests.sleep", ignore_result=True, acks_late=True)
def sleep_task(seconds: float, marker: str = "") -> None:
    """A task that keeps the worker busy (the Redis-restart test); writes ``marker`` when done."""
    time.sleep(seconds)
    if marker:
        pathlib.Path(marker).write_text("done")


def main() -> None:
    marker = os.environ.get("DANGWEI_TEST_SLOW_MARKER")
    if marker:
        from assessment import reports
        from yearend import services

        seconds = float(os.environ.get("DANGWEI_TEST_SLOW_SECONDS", "60"))
        services.render_pdf = _slow(services.render_pdf, pathlib.Path(marker), seconds)
        reports.ranking_pdf = _slow(reports.ranking_pdf, pathlib.Path(marker), seconds)
    extra = os.environ.get("DANGWEI_TEST_WORKER_ARGS", "").split()
    app.worker_main(
        [
            "worker",
            *extra,
            "--pool=prefork",
            "--concurrency=" + os.environ.get("DANGWEI_TEST_CONCURRENCY", "1"),
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=bgtest-{os.getpid()}@%h",
        ]
    )


if __name__ == "__main__":
    main()
