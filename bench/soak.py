"""Soak the production stack on loopback (issue #13): gunicorn (production settings) and a Celery
worker with embedded beat, 20 requests/s over the main pages of every role for 10 minutes, while
notices are queued and swept and year-end reports are built.

    .venv/bin/python bench/soak.py                      # 10 minutes at 20 requests/s
    .venv/bin/python bench/soak.py --seconds 60         # shorter
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangwei_soak REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/soak.py

Sets up its own database (a SQLite file under /tmp unless DATABASE_URL is set; PostgreSQL is
emptied first), migrates it and loads the demo data (``seed_demo``); the broker is REDIS_URL or
the filesystem queue. Everything listens on 127.0.0.1 only and stops at the end. Logged in by
session cookies made in this process for township, secretary, liaison, county and zzb.

Prints: requests, 5xx count, p50/p99 latency (overall and per role), the notices queued during the
run and how many were e-mailed once, twice (or more) and not at all (lost), counted by their
stable Message-ID in the mail files, and the year-end reports asked for, built, failed and stuck.
"""

import argparse
import collections
import email
import http.client
import math
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = pathlib.Path(sys.executable).parent
ROLES = ("township", "secretary", "liaison", "county", "zzb")
PAGES = (
    "/",
    "/dashboard/township/",
    "/dashboard/secretary/",
    "/dashboard/liaison/",
    "/dashboard/county/",
    "/committees/",
    "/meetings/",
    "/cobuilding/",
    "/funding/",
    "/inbox/",
    "/assessment/reports/ranking/",
    "/yearend/",
    "/reviews/",
    "/rollout/",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def _env(work: pathlib.Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "dangwei.settings.production",
        "DATABASE_URL": database_url,
        "DANGWEI_VAR_DIR": str(work / "var"),
        "SECRET_KEY": "soak-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": f"filemail:///{work / 'mail'}",  # django-environ drops one slash
        "OTP_REQUIRED_FOR_SUPERUSER": "false",
        "LOG_LEVEL": "ERROR",
    }
    if not env.get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    return env


def _manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def _django(env) -> None:
    os.environ.update(env)
    import django

    django.setup()


def _sessions() -> dict[str, str]:
    """A session cookie per role, made directly (the log-in form's CSRF and lockout are not what
    this measures)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    cookies = {}
    for username in ROLES:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def _get(port: int, path: str, cookie: str) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 599
    finally:
        conn.close()
    return status, time.perf_counter() - start


def _wait_http(port: int, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _get(port, "/healthz", "")[0] in (200, 503):
            return True
        time.sleep(0.5)
    return False


def _targets(port: int, cookies: dict[str, str]) -> list[tuple[str, str]]:
    """(role, path) for every main page the role may open (200; redirects are left out)."""
    targets = []
    for role, cookie in cookies.items():
        for path in PAGES:
            if _get(port, path, cookie)[0] == 200:
                targets.append((role, path))
    return targets


def _background_work(stop: threading.Event, seconds: float, counters: dict) -> None:
    """During the run: queue one notice per second (due at once) and ask for a year-end report
    rebuild every 15 seconds, like the web side would (after commit, through the broker)."""
    from django.db import close_old_connections
    from django.utils import timezone

    from committees.models import Committee
    from inbox import services as inbox_services
    from yearend import services as yearend_services

    committees = list(Committee.objects.order_by("pk")[:3])
    year = timezone.localdate().year
    start = time.monotonic()
    tick = 0
    while not stop.is_set() and time.monotonic() - start < seconds:
        key = f"soak:{start:.0f}:{tick}"
        inbox_services.message_enqueue(
            key=key, email=f"soak{tick}@example.cn", subject="压力测试通知", body="soak", kind="soak"
        )
        inbox_services.outbox_kick()
        counters["notices"] += 1
        if tick % 15 == 0 and committees:
            committee = committees[(tick // 15) % len(committees)]
            yearend_services.report_request(actor=None, committee=committee, year=year)
            counters["reports"] += 1
        tick += 1
        close_old_connections()
        stop.wait(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="dangwei-soak-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'soak.sqlite3'}"
    env = _env(work, database_url)
    print(f"work folder {work}; database {database_url.split('@')[-1]}; broker {env.get('REDIS_URL', 'filesystem')}")
    if database_url.startswith("postgres"):
        _manage(
            env,
            "shell",
            "-c",
            "from django.db import connection; "
            "connection.cursor().execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')",
        )
    t = time.monotonic()
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")
    _manage(env, "collectstatic", "--noinput")
    print(f"migrate + seed_demo + collectstatic: {time.monotonic() - t:.0f} s")
    if env.get("REDIS_URL"):
        subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "flushdb"], check=False, stdout=subprocess.DEVNULL)  # noqa: S607

    port = _free_port()
    procs: list[subprocess.Popen] = []
    logs = work / "logs"
    logs.mkdir()

    def start(name, cmd):
        with open(logs / f"{name}.log", "w") as log:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )  # noqa: S603
        procs.append(proc)
        return proc

    start(
        "gunicorn",
        [str(BIN / "gunicorn"), "dangwei.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(args.gunicorn_workers), "--timeout", "60"],
    )
    start("worker", [str(BIN / "celery"), "-A", "dangwei", "worker", "-B", "-l", "warning", "--concurrency", "2"])
    try:
        if not _wait_http(port):
            print("gunicorn did not answer; see", logs)
            return 1
        _django(env)
        cookies = _sessions()
        targets = _targets(port, cookies)
        print(f"{len(targets)} pages over {len(cookies)} roles; {args.rate:g} requests/s for {args.seconds:g} s")

        results: list[tuple[str, int, float]] = []
        lock = threading.Lock()
        stop = threading.Event()
        counters = collections.Counter()
        t0 = time.monotonic()
        total = int(args.seconds * args.rate)
        next_slot = iter(range(total))

        def client():
            while True:
                with lock:
                    slot = next(next_slot, None)
                if slot is None:
                    return
                delay = t0 + slot / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                role, path = targets[slot % len(targets)]
                status, seconds = _get(port, path, cookies[role])
                with lock:
                    results.append((role, status, seconds))

        background = threading.Thread(target=_background_work, args=(stop, args.seconds, counters), daemon=True)
        background.start()
        threads = [threading.Thread(target=client, daemon=True) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        background.join(30)
        elapsed = time.monotonic() - t0

        # let beat's next sweeps and the builds finish
        from inbox.models import Message
        from yearend.models import YearEndReport

        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            pending = Message.objects.filter(kind="soak", state="pending").count()
            building = YearEndReport.objects.filter(status__in=("queued", "running")).count()
            if not pending and not building:
                break
            time.sleep(2)

        latencies = [s for _, _, s in results]
        errors = sum(1 for _, status, _ in results if status >= 500)
        print(f"\nrequests {len(results)} in {elapsed:.0f} s ({len(results) / elapsed:.1f}/s); 5xx {errors}")
        print(f"latency p50 {_percentile(latencies, 50) * 1000:.0f} ms, p99 {_percentile(latencies, 99) * 1000:.0f} ms")
        for role in cookies:
            mine = [s for r, _, s in results if r == role]
            if mine:
                print(
                    f"  {role:10} {len(mine):6} requests  p50 {_percentile(mine, 50) * 1000:5.0f} ms"
                    f"  p99 {_percentile(mine, 99) * 1000:5.0f} ms"
                )
        statuses = collections.Counter(status for _, status, _ in results)
        print("statuses", dict(sorted(statuses.items())))

        ids = collections.Counter()
        from django.conf import settings

        for path in pathlib.Path(settings.EMAIL_FILE_PATH).glob("*"):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    message = email.message_from_bytes(raw)
                    if message["To"] and message["To"].startswith("soak"):
                        ids[message["Message-ID"]] += 1
        queued = Message.objects.filter(kind="soak").count()
        once = sum(1 for n in ids.values() if n == 1)
        twice = sum(1 for n in ids.values() if n >= 2)
        print(f"notices queued {queued}: sent once {once}, twice or more {twice}, lost {queued - len(ids)}")
        reports = collections.Counter(YearEndReport.objects.values_list("status", flat=True))
        print(f"year-end report requests {counters['reports']}: rows by status {dict(reports)}")
        return 0
    finally:
        for proc in procs:  # only what this script started, by process group
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
