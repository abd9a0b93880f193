"""Time the county's R21 ranking PDF for 1,000 units, and its peak memory (issue #6 item 5).

    .venv/bin/python bench/assessment_ranking.py              # 1,000 finalised units, 3 timed renders
    .venv/bin/python bench/assessment_ranking.py --units 200 -n 5

Builds a throwaway SQLite database (deleted first), migrates it, bulk-inserts one county with
townships, communities and ``--units`` units whose scoring tasks are finalised in a released
round, then requests the county ranking PDF (and, for comparison, the HTML page and the Excel
file) through Django's test client as the county reviewer. Prints per file: median of N
requests in ms, SQL queries of one request, the peak Python memory of one request
(tracemalloc), the process's ru_maxrss after all requests, size and PDF page count. The PDF row
renders inside the request (``RANKING_PDF_SYNC_MAX`` raised for it); above that setting the page
builds it in Celery, so the script then times ``assessment.ranking_files.ranking_file_build``
(what the task runs; the enqueue is replaced by a no-op, no worker): median of N builds, SQL
queries, tracemalloc peak of one untimed build, ru_maxrss, size and pages of the stored file.
"""

import argparse
import datetime
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
YEAR = 2025


def _configure(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DANGWEI_VAR_DIR", "/tmp/dangwei-bench-var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangwei.settings.local"
    os.environ["DEBUG"] = "false"

    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()


def _seed(units: int, townships: int, communities: int):
    from django.utils import timezone

    from accounts.models import User
    from assessment import rules
    from assessment.models import Indicator, Round, Scheme, ScoringTask, Sheet
    from committees.models import Community, County, Township, Unit

    county = County.objects.create(name="排名测试县")
    towns = Township.objects.bulk_create(Township(county=county, name=f"第{i + 1:02d}镇") for i in range(townships))
    comms = Community.objects.bulk_create(
        Community(township=towns[i % townships], name=f"第{i + 1:03d}社区") for i in range(communities)
    )
    scheme = Scheme.objects.create(
        county=county,
        year=YEAR,
        title="社区大党委成员单位双百分考核",
        status=Scheme.Status.PUBLISHED,
        published_at=timezone.now(),
        weight=Decimal("0.2"),
    )
    sheet = Sheet.objects.create(scheme=scheme, kind=Sheet.Kind.UNITS)
    Indicator.objects.create(sheet=sheet, title="共驻共建", max_points=Decimal("100"))
    round_ = Round.objects.create(
        scheme=scheme,
        county=county,
        year=YEAR,
        title="双百分考核",
        self_report_deadline=datetime.date(YEAR, 11, 30),
        released_at=timezone.now(),
    )
    rows = Unit.objects.bulk_create(
        Unit(community=comms[i % communities], name=f"成员单位{i + 1:05d}", unit_type="enterprise")
        for i in range(units)
    )
    now = timezone.now()
    tasks = []
    for i, unit in enumerate(rows):
        final = Decimal("100") - Decimal(i * 37 % 4500) / 100  # 55.00 … 100.00, with ties
        tasks.append(
            ScoringTask(
                round=round_,
                unit=unit,
                sheet=sheet,
                status=ScoringTask.Status.FINALISED,
                committee_total=final,
                county_total=final,
                final_score=final,
                grade=rules.grade_for(final, scheme.grade_bands),
                converted=rules.convert(final, scheme.weight),
                finalised_at=now,
            )
        )
    ScoringTask.objects.bulk_create(tasks, batch_size=500)
    reviewer = User.objects.create_user(username="bench_county", role=User.Role.COUNTY, county=county)
    return county, reviewer


def _measure(client, url: str, n: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: imports WeasyPrint, loads the fonts
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # now: the next request empties the log this slices
    tracemalloc.start()
    response = client.get(url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pages = ""
    if response["Content-Type"] == "application/pdf":
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(response.content)).pages)
    return {
        "median": statistics.median(times),
        "queries": queries,
        "peak_mib": peak / 2**20,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "kib": len(response.content) / 1024,
        "pages": pages,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--communities", type=int, default=100)
    parser.add_argument("-n", "--requests", type=int, default=3, help="timed requests per file (median)")
    parser.add_argument("--db", default="/tmp/dangwei-bench-ranking.sqlite3", help="throwaway SQLite file")
    args = parser.parse_args()

    _configure(Path(args.db))
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    county, reviewer = _seed(args.units, args.townships, args.communities)
    print(f"seed: {args.units} finalised units in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(reviewer)
    query = f"?year={YEAR}&scope=county&id={county.pk}"
    print(f"\nthe county ranking of {args.units} units as the county reviewer; median of {args.requests} requests")
    header = f"{'file':<6} {'median ms':>10} {'queries':>8} {'peak MiB':>9} {'maxrss MiB':>11} {'KiB':>7} {'pages':>6}"
    print(header)
    print("-" * len(header))
    from django.conf import settings

    sync_max = settings.RANKING_PDF_SYNC_MAX
    settings.RANKING_PDF_SYNC_MAX = args.units  # the PDF row: rendered inside the request, as before
    for label, name in (("PDF", "ranking_pdf"), ("HTML", "ranking"), ("Excel", "ranking_xlsx")):
        m = _measure(client, reverse(f"assessment:{name}") + query, args.requests)
        print(
            f"{label:<6} {m['median']:>10.0f} {m['queries']:>8} {m['peak_mib']:>9.1f} {m['rss_mib']:>11.0f} "
            f"{m['kib']:>7.0f} {m['pages']!s:>6}"
        )
    settings.RANKING_PDF_SYNC_MAX = sync_max
    _measure_build(county, reviewer, args.requests)
    return 0


def _measure_build(county, reviewer, n: int) -> None:
    """The background build of the same ranking: ``ranking_file_build`` N times (re-queued
    between builds), its queries, and the tracemalloc peak of one more build."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from assessment import ranking_files, reports, tasks
    from assessment.models import RankingFile

    tasks.build_ranking_file.delay = lambda file_id: None  # no broker, no worker: the build is called here
    round_ = reports.round_for(county=county, year=YEAR)
    scope = reports.Scope("county", county, county)
    ranking_file = ranking_files.ranking_file_request(actor=reviewer, round=round_, scope=scope)

    def build() -> RankingFile:
        RankingFile.objects.filter(pk=ranking_file.pk).update(status=RankingFile.Status.QUEUED, attempts=0)
        return ranking_files.ranking_file_build(file_id=ranking_file.pk)

    times = []
    for _ in range(n):
        started = time.perf_counter()
        built = build()
        times.append(time.perf_counter() - started)
        assert built is not None and built.status == "ready", built and built.error
    with CaptureQueriesContext(connection) as captured:
        build()
    tracemalloc.start()
    built = build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    content = built.file.read()
    print(
        f"\nbackground build (ranking_file_build, what the Celery task runs; RANKING_PDF_SYNC_MAX={sync_max_of()}):"
        f"\nmedian {statistics.median(times):.2f} s of {n} (min {min(times):.2f}, max {max(times):.2f}); "
        f"{len(captured)} queries; tracemalloc peak {peak / 2**20:.1f} MiB; "
        f"ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
        f"{len(content) / 1024:.0f} KiB, {len(PdfReader(io.BytesIO(content)).pages)} pages"
    )


def sync_max_of() -> int:
    from django.conf import settings

    return settings.RANKING_PDF_SYNC_MAX


if __name__ == "__main__":
    sys.exit(main())
