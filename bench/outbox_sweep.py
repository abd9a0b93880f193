"""Time the outbox sweep for N due notices (issue #17 item 3: 10,000 due notices swept ≤ 20 s).

    .venv/bin/python bench/outbox_sweep.py                                   # 10,000 notices, PostgreSQL
    DATABASE_URL=sqlite:////tmp/x.sqlite3 .venv/bin/python bench/outbox_sweep.py -n 2000

Inserts N pending messages due now (keys ``bench-sweep:…``, e-mail only, bulk), then runs
``inbox.services.outbox_sweep`` — what the Celery task ``inbox.sweep_outbox`` runs each minute —
pass after pass (``SWEEP_LIMIT`` each) until nothing is due, with the in-memory e-mail backend
(no SMTP server: the figure is the portal's own cost: claim under a row lock, render, record).
Prints the wall time, messages per second, SQL queries per message and the passes; deletes its
messages at the end. The database must be migrated (e.g. by ``bench/http_pages.py``).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PREFIX = "bench-sweep:"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--notices", type=int, default=10000)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangwei_bench")
    os.environ.setdefault("DANGWEI_VAR_DIR", "/tmp/dangwei-bench-var")
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangwei.settings.local"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from inbox import services
    from inbox.models import Message

    Message.objects.filter(key__startswith=PREFIX).delete()
    now = timezone.now()
    Message.objects.bulk_create(
        (
            Message(
                key=f"{PREFIX}{i}",
                kind="bench",
                email=f"n{i}@scale.example.cn",
                subject=f"督办提醒 {i}",
                body="请尽快办理并报告进展。",
                url="/meetings/tasks/",
                due_at=now,
            )
            for i in range(args.notices)
        ),
        batch_size=1000,
    )
    passes = 0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:  # the first pass only (the log keeps 9,000)
        first = services.outbox_sweep()
    per_notice = len(queries) / max(1, len(first.sent))
    result = first
    while result.sent or result.failed or result.retrying:
        result = services.outbox_sweep()
        passes += 1
    seconds = time.perf_counter() - started
    mine = Message.objects.filter(key__startswith=PREFIX)
    sent = mine.filter(state=Message.State.SENT).count()
    left = mine.filter(state=Message.State.PENDING).count()
    Message.objects.filter(key__startswith=PREFIX).delete()
    print(
        f"{connection.vendor}: {sent} of {args.notices} notices sent in {seconds:.1f} s "
        f"({sent / seconds:.0f}/s), {passes + 1} passes of at most {services.SWEEP_LIMIT}, "
        f"{per_notice:.1f} queries per notice, {left} left pending; "
        f"load average {os.getloadavg()[0]:.2f} (target: 10,000 in ≤ 20 s)"
    )
    return 0 if sent == args.notices else 1


if __name__ == "__main__":
    sys.exit(main())
