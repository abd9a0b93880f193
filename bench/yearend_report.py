"""Time one year-end report (R14): a committee with 60 units, 12 meetings (two resolutions each)
and 200 funding ledger lines.

    .venv/bin/python bench/yearend_report.py            # median of 3 builds
    .venv/bin/python bench/yearend_report.py -n 5 --units 120

Sets up a throwaway SQLite database under /tmp (deleted first), migrates it, makes the data with
``tests/yearend/builders.py`` and builds the report through the same service the Celery task
runs (``yearend.services.report_build``). Prints the median build time, the SQL queries of the
data gathering, the PDF's pages and size, and the peak memory: tracemalloc's peak of one build
(Python objects) and the process's ru_maxrss (everything, WeasyPrint's C libraries included).
"""

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "/tmp/dangwei-bench-yearend.sqlite3"


def setup_django(db: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DANGWEI_VAR_DIR", "/tmp/dangwei-bench-yearend-var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangwei.settings.local"
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="builds (median)")
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--meetings", type=int, default=12)
    parser.add_argument("--ledger", type=int, default=200)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    started = time.perf_counter()
    setup_django(DB)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from tests.factories import CommitteeFactory, CommunityFactory, CountyFactory, TownshipFactory
    from tests.yearend.builders import build_year
    from yearend import selectors, services
    from yearend.models import YearEndReport

    actor = User.objects.create(username="bench", role=User.Role.ADMIN, is_superuser=True)
    township = TownshipFactory(county=CountyFactory(name="基准县"), name="基准镇")
    committee = CommitteeFactory(community=CommunityFactory(township=township, name="基准社区"))
    build_year(committee, year=args.year, actor=actor, units=args.units, meetings=args.meetings, ledger=args.ledger)
    print(f"setup (migrate + data): {time.perf_counter() - started:.1f} s")

    with CaptureQueriesContext(connection) as ctx:
        selectors.report_data(committee=committee, year=args.year)
    queries = len(ctx.captured_queries)

    def build():
        YearEndReport.objects.filter(committee=committee, year=args.year).update(status="queued")
        report = YearEndReport.objects.filter(committee=committee, year=args.year).first()
        if report is None:
            report = services.report_request(actor=None, committee=committee, year=args.year)
        report = services.report_build(report_id=report.pk)
        assert report is not None and report.status == "ready", report and report.error
        return report

    times = []
    for _ in range(args.n):
        t0 = time.perf_counter()
        report = build()
        times.append(time.perf_counter() - t0)
    # one more build under tracemalloc (it slows Python down, so it is not timed)
    tracemalloc.start()
    report = build()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    from pypdf import PdfReader

    with report.file.open("rb") as f:
        pages = len(PdfReader(f).pages)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"{args.units} units, {args.meetings} meetings ({args.meetings * 2} resolutions), "
        f"{args.ledger} ledger lines; {args.n} builds"
    )
    print(f"build median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")
    print(f"data queries {queries}; PDF {pages} pages, {report.file_size / 1024:.0f} KiB")
    print(f"peak memory: tracemalloc {peak / 2**20:.1f} MiB per build; process ru_maxrss {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
