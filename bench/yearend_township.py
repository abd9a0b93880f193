"""Build every year-end report (R14) of one township at once through a real Celery worker.

    .venv/bin/python bench/yearend_township.py                   # 6 committees, worker concurrency 2
    .venv/bin/python bench/yearend_township.py --committees 10 --concurrency 1

Sets up a throwaway SQLite database and its own runtime folder under /tmp (so the Celery
filesystem queue is not the dev server's), makes the committees of one township (each with
``--units`` units, ``--meetings`` meetings and ``--ledger`` ledger lines), starts
``celery -A dangwei worker`` as a subprocess on that queue, asks for all the reports the way
township staff's "全部生成" does (``yearend.services.reports_request_all``; the enqueues happen on
commit), waits until every report is ready or failed, prints the wall time and each report's
build time, then stops the worker by its pid.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB = "/tmp/dangwei-bench-yearend-township.sqlite3"
VAR = "/tmp/dangwei-bench-yearend-township-var"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committees", type=int, default=6)
    parser.add_argument("--units", type=int, default=16)
    parser.add_argument("--meetings", type=int, default=6)
    parser.add_argument("--ledger", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for the worker")
    args = parser.parse_args()

    import shutil

    shutil.rmtree(VAR, ignore_errors=True)
    os.environ["DANGWEI_VAR_DIR"] = VAR
    from yearend_report import setup_django

    started = time.perf_counter()
    setup_django(DB)

    from accounts.models import User
    from tests.factories import CommitteeFactory, CommunityFactory, CountyFactory, TownshipFactory
    from tests.yearend.builders import build_year
    from yearend import services
    from yearend.models import YearEndReport

    actor = User.objects.create(username="bench", role=User.Role.ADMIN, is_superuser=True)
    township = TownshipFactory(county=CountyFactory(name="基准县"), name="基准镇")
    committees = []
    for i in range(args.committees):
        committee = CommitteeFactory(community=CommunityFactory(township=township, name=f"基准社区{i + 1:02d}"))
        build_year(committee, year=args.year, actor=actor, units=args.units, meetings=args.meetings, ledger=args.ledger)
        committees.append(committee)
    print(f"setup (migrate + data): {time.perf_counter() - started:.1f} s")

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{DB}", "DANGWEI_VAR_DIR": VAR}
    log = open(Path(VAR) / "worker.log", "w")  # noqa: SIM115 - closed in finally
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dangwei",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(args.concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        t0 = time.perf_counter()
        queued = services.reports_request_all(actor=actor, committees=committees, year=args.year)
        print(f"{queued} reports queued; worker pid {worker.pid}, concurrency {args.concurrency}")
        while True:
            done = YearEndReport.objects.filter(year=args.year, status__in=["ready", "failed"]).count()
            if done == len(committees):
                break
            if worker.poll() is not None:
                print(f"the worker stopped (exit {worker.returncode}); see {log.name}")
                return 1
            if time.perf_counter() - t0 > args.timeout:
                print(f"timed out after {args.timeout} s with {done} of {len(committees)} done; see {log.name}")
                return 1
            time.sleep(0.5)
        wall = time.perf_counter() - t0
    finally:
        worker.send_signal(signal.SIGTERM)  # warm shutdown of the worker we started, by its pid
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()

    reports = list(YearEndReport.objects.filter(year=args.year).select_related("committee").order_by("committee__name"))
    failed = [r for r in reports if r.status == "failed"]
    print(f"{len(committees)} committees × ({args.units}+ units, {args.meetings} meetings, {args.ledger} ledger lines)")
    print(f"all reports built through the worker in {wall:.1f} s wall time ({wall / len(reports):.1f} s per report)")
    for r in reports:
        took = (r.finished_at - r.started_at).total_seconds() if r.finished_at and r.started_at else float("nan")
        print(
            f"  {r.committee.name:<12} {r.get_status_display():<6} build {took:5.1f} s  {r.file_size / 1024:6.0f} KiB"
        )
    if failed:
        print(f"{len(failed)} failed: {failed[0].error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
