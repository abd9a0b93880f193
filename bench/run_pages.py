"""Time the organisation's busiest pages at county scale.

    .venv/bin/python bench/run_pages.py                      # 20 townships, 200 committees, 10,000 units
    .venv/bin/python bench/run_pages.py --units 2000 -n 20   # smaller and quicker

Sets up its own database (a SQLite file under /tmp unless DATABASE_URL is set), migrates it, runs
``seed_scale --reset`` at the given size, then requests the unit list, a unit detail, the committee
list and a committee detail through Django's test client, logged in as township staff and as the
administrator. For each page it prints the median and p95 time over N requests, the number of SQL
queries and the peak Python memory (tracemalloc) of one request.
"""

import argparse
import math
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _configure(db_path: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ.setdefault("DANGWEI_VAR_DIR", "/tmp/dangwei-bench-var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangwei.settings.local"
    os.environ["DEBUG"] = "false"  # templates and queries as in production

    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host and in-memory mail


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _pages():
    from django.urls import NoReverseMatch, reverse

    from committees.models import Committee, Unit

    county = "规模测试县"
    committee = Committee.objects.filter(community__township__county__name=county).order_by("pk").first()
    unit = Unit.objects.filter(community=committee.community).order_by("pk")[5]
    pages = []
    for label, name, args in (
        ("unit list", "committees:unit_list", ()),
        ("unit detail", "committees:unit_detail", (unit.pk,)),
        ("committee list", "committees:committee_list", ()),
        ("committee detail", "committees:committee_detail", (committee.pk,)),
        ("dashboard", "dashboards:township", ()),  # township: its 10 communities; admin: all 200
    ):
        try:
            pages.append((label, reverse(name, args=args)))
        except NoReverseMatch:
            pages.append((label, None))
    return pages


def _measure(client, url: str, n: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm caches (templates, first connection)
        client.get(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    reset_queries()  # a full log (9,000 entries) would count as no new query
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # now: the next request empties the log this slices
    tracemalloc.start()
    client.get(url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "status": response.status_code,
        "median": statistics.median(times),
        "p95": _percentile(times, 95),
        "queries": queries,
        "peak_kib": peak / 1024,
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--committees", type=int, default=200)
    parser.add_argument("--units", type=int, default=10000)
    parser.add_argument("-n", "--requests", type=int, default=30, help="timed requests per page and role")
    parser.add_argument("--db", default="/tmp/dangwei-bench.sqlite3", help="SQLite file when DATABASE_URL is unset")
    parser.add_argument("--no-seed", action="store_true", help="reuse the data already in the database")
    args = parser.parse_args()

    _configure(args.db)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine} {settings.DATABASES['default']['NAME']}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if not args.no_seed:
        started = time.perf_counter()
        call_command("seed_scale", townships=args.townships, committees=args.committees, units=args.units, reset=True)
        print(f"seed_scale: {time.perf_counter() - started:.1f} s")

    from committees.models import Committee, Township, Unit

    county = "规模测试县"
    sizes = {
        "units": Unit.objects.filter(community__township__county__name=county).count(),
        "committees": Committee.objects.filter(community__township__county__name=county).count(),
        "townships": Township.objects.filter(county__name=county).count(),
    }
    users = {
        "township": User.objects.get(username="scale_t01"),
        "admin": User.objects.get(username="scale_admin"),
    }
    rows = []
    for label, url in _pages():
        for role, user in users.items():
            if url is None:
                rows.append((label, role, "not built yet", None))
                continue
            client = Client()
            client.force_login(user)
            rows.append((label, role, url, _measure(client, url, args.requests)))

    print()
    print(
        f"{sizes['units']} units, {sizes['committees']} committees, {sizes['townships']} townships in {county}; "
        f"{args.requests} requests per page and role"
    )
    header = f"{'page':<18} {'role':<9} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'peak KiB':>9}"
    print(header)
    print("-" * len(header))
    failed = False
    for label, role, url, m in rows:
        if m is None:
            print(f"{label:<18} {role:<9} {'—':>6}  ({url})")
            continue
        failed |= m["status"] != 200
        print(
            f"{label:<18} {role:<9} {m['status']:>6} {m['median']:>10.1f} {m['p95']:>8.1f} "
            f"{m['queries']:>8} {m['peak_kib']:>9.0f}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
