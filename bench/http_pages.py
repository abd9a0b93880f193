"""Every role's main pages over HTTP, through gunicorn with the production settings (issue #17 item 2).

    .venv/bin/python bench/http_pages.py                          # SQLite and PostgreSQL, 5 s per page
    .venv/bin/python bench/http_pages.py --backends sqlite --seconds 3
    .venv/bin/python bench/http_pages.py --seed                   # (re)build the county with its year first

For each backend: its own database (the SQLite file ``--sqlite``, the PostgreSQL database
``--postgres``), optionally seeded with ``manage.py seed_scale --reset --activity`` (200
committees, 10,000 units, a year of meetings, votes, tasks, pledges, money and a scored round);
``collectstatic`` into a runtime folder of its own; then gunicorn (``dangwei.wsgi``, production
settings, ``--workers 2``, the database connections kept between requests by ``CONN_MAX_AGE``)
on a loopback port. Each page gets a bounded load (``--connections`` for ``--seconds``): ``wrk``
with the role's session cookie where it is installed, else a Python loop of keep-alive
connections. Printed per page: requests/s, p50 and p99 latency, SQL queries of one request (the
same page through Django's test client in this process), and the ratio of its rate to /healthz
(the trivial view: the ceiling of the stack) measured in the same run. The server is stopped by
its pid at the end. The targets of the issue are printed beside the figures.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SECRET = "bench-only-" + "x" * 60  # never a production secret: this process's own server


def _env(database_url: str, var_dir: str, redis_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="dangwei.settings.production",
        DATABASE_URL=database_url,
        DANGWEI_VAR_DIR=var_dir,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="true",
        LOG_LEVEL="ERROR",
    )
    return env


def _run(env: dict, *args: str) -> None:
    subprocess.run([str(PY), "manage.py", *args], cwd=ROOT, env=env, check=True)


# --- load generators ----------------------------------------------------------------------


def _wrk(port: int, path: str, headers: dict, connections: int, seconds: int) -> dict:
    cmd = [
        "wrk",
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "errors": (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0),
        "tool": "wrk",
    }


def _python_load(port: int, path: str, headers: dict, connections: int, seconds: int) -> dict:
    """``connections`` threads, each a keep-alive connection (reopened when the server closes
    it), requesting ``path`` back to back until ``seconds`` have passed."""
    stop = time.perf_counter() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def worker():
        conn, mine, bad = None, [], 0
        while time.perf_counter() < stop:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = None
                bad += 1
                continue
            mine.append((time.perf_counter() - started) * 1000)
            bad += response.status >= 400
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")  # noqa: E731
    return {
        "rps": len(latencies) / elapsed,
        "p50": pick(0.50),
        "p99": pick(0.99),
        "errors": errors[0],
        "tool": "python",
    }


# --- the run of one backend ----------------------------------------------------------------


def _sessions_and_queries(year: int) -> tuple[list, dict, dict]:
    """In this process (same database and settings as the server): the pages, a session cookie
    per role (a real login session, made by the test client) and the queries of one request."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from committees.scale_activity import main_pages

    pages, users = main_pages(year)
    cookies, queries = {}, {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        for r, page, url, _text in pages:
            if r != role:
                continue
            client.get(url, secure=True)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{role} {page} {url}: HTTP {response.status_code}")
            queries[(role, page)] = len(captured)
    connection.close()
    return pages, cookies, queries


def _wait_up(port: int, proc, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited; see its output above")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz")


def run_backend(name: str, database_url: str, args) -> list[dict]:
    var_dir = f"/tmp/dangwei-http-bench-{name}"
    env = _env(database_url, var_dir, args.redis)
    _run(env, "migrate", "-v0")  # the tree moves on: a bench database left behind is brought up to date
    if args.seed:
        started = time.perf_counter()
        _run(env, "seed_scale", "--reset", "--activity", "--year", str(args.year))
        print(f"[{name}] seed_scale --activity: {time.perf_counter() - started:.0f} s")
    if not (Path(var_dir) / "staticfiles" / "staticfiles.json").exists():
        _run(env, "collectstatic", "--noinput", "-v0")

    # This process: the same settings as the server, for the cookies and the query counts.
    os.environ.update(env)
    pages, cookies, queries = _sessions_and_queries(args.year)

    cmd = [str(GUNICORN), "dangwei.wsgi:application", "--bind", f"127.0.0.1:{args.port}"]
    cmd += ["--workers", "2", "--timeout", "60", "--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        _wait_up(args.port, server)
        load = _wrk if shutil.which("wrk") and not args.python_load else _python_load
        base = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", "Host": "127.0.0.1"}
        rows = []
        targets = [("anonymous", "/healthz", "/healthz", None)] + [
            (role, page, url, role) for role, page, url, _t in pages
        ]
        for role, page, url, who in targets:
            headers = dict(base)
            if who:
                headers["Cookie"] = cookies[who]
            load(args.port, url, headers, 1, 1)  # warm-up: the workers' first request of the page
            m = load(args.port, url, headers, args.connections, args.seconds)
            # The load generator stops with requests still in the workers' hands: let them
            # finish, or the next page is measured against the tail of this one.
            time.sleep(min(15, m["p99"] / 1000 * args.connections / 2 + 0.2))
            m.update(backend=name, role=role, page=page, queries=queries.get((role, page), ""))
            rows.append(m)
            print(
                f"  [{name}] {role:<10} {page:<22} {m['rps']:>7.1f} req/s  p50 {m['p50']:.1f} ms  p99 {m['p99']:.1f} ms"
            )
        return rows
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _table(rows: list[dict], connections: int) -> str:
    healthz = rows[0]["rps"]
    out = [
        f"{'page':<22} {'role':<10} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'queries':>7} {'× healthz':>9}"
        f" {'errors':>6}",
        "-" * 84,
    ]
    for r in rows:
        out.append(
            f"{r['page']:<22} {r['role']:<10} {r['rps']:>7.1f} {r['p50']:>7.1f} {r['p99']:>7.1f} {r['queries']!s:>7} "
            f"{r['rps'] / healthz:>9.3f} {r['errors']:>6}"
        )
    ratios = sorted(r["rps"] / healthz for r in rows[1:])
    p99_max = max(r["p99"] for r in rows[1:])
    out.append("-" * 84)
    out.append(
        f"median page {statistics.median(ratios):.3f} × healthz (target ≥ 0.15); slowest {ratios[0]:.3f} × "
        f"(target ≥ 0.05); worst p99 {p99_max:.0f} ms at {connections} connections (target < 50 ms on PostgreSQL)"
    )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both (comma)")
    parser.add_argument("--sqlite", default="/tmp/dangwei-http-bench.sqlite3")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/dangwei_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--seed", action="store_true", help="migrate and seed_scale --reset --activity first")
    parser.add_argument("--year", type=int, default=time.localtime().tm_year)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--python-load", action="store_true", help="use the Python loop even where wrk is installed")
    args = parser.parse_args()

    urls = {"sqlite": f"sqlite:///{args.sqlite}", "postgres": args.postgres}
    results = {}
    for name in args.backends.split(","):
        # One backend per child process: Django is set up once per process, with its database.
        if len(args.backends.split(",")) > 1:
            argv, skip = [], False
            for a in sys.argv[1:]:
                if skip or a.startswith("--backends"):
                    skip = a == "--backends"
                    continue
                argv.append(a)
            subprocess.run([sys.executable, __file__, "--backends", name, *argv], check=True)
            continue
        results[name] = run_backend(name, urls[name], args)
    for name, rows in results.items():
        load = os.getloadavg()
        print(f"\n{name}: {args.connections} connections, {args.seconds} s per page, load average {load[0]:.2f}")
        print(_table(rows, args.connections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
