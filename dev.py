#!/usr/bin/env python3
"""The README's two commands, for any machine with Python 3.11+ (standard library only).

    python3 dev.py run [--port 8000]   the portal with demo data: web server + Celery worker/beat
    python3 dev.py test [pytest args]  ruff, the migrations check and the whole test suite

Both create ``.venv`` when it is missing, install the pinned requirements (skipped while a stamp
shows them unchanged), make sure the Debian packages the PDFs and browser tests need are there
(installing them with apt-get when run as root, otherwise stopping with their names), and honour
DATABASE_URL / REDIS_URL from the environment (defaults: SQLite file, no Redis).
"""

import argparse
import contextlib
import ctypes.util
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 — the message an older python3 should print
    sys.exit("dev.py needs Python 3.11 or newer (found %s)." % sys.version.split()[0])  # noqa: UP031

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".dangwei-requirements.json"
REQUIREMENTS = ROOT / "requirements"

# texlive-lang-chinese brings FandolFang, the open 仿宋 (GB2312 coverage) of official papers (GB/T 9704).
RUN_PACKAGES = ("fonts-noto-cjk", "fonts-arphic-ukai", "texlive-lang-chinese", "libharfbuzz-subset0")
TEST_PACKAGES = ("chromium", *RUN_PACKAGES, "poppler-utils", "docker-compose")
# Outside CI the deployment test skips without docker-compose; everything else is required.
OPTIONAL_OUTSIDE_CI = ("docker-compose",)
# What each package provides, for machines without dpkg (and as a second opinion with it).
PROBES = {
    "fonts-noto-cjk": lambda: _fc_has("Noto Sans CJK SC") and _fc_has("Noto Serif CJK SC"),
    "fonts-arphic-ukai": lambda: _fc_has("AR PL UKai CN"),
    "texlive-lang-chinese": lambda: Path(
        "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf"
    ).exists(),
    "libharfbuzz-subset0": lambda: bool(ctypes.util.find_library("harfbuzz-subset")),
    "chromium": lambda: Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists(),
    "poppler-utils": lambda: bool(shutil.which("pdftoppm")),
    "docker-compose": lambda: bool(shutil.which("docker-compose")),
}


class Stop(Exception):
    """A clear, expected failure: print the message and exit non-zero."""


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m" if sys.stdout.isatty() else f"==> {message}", flush=True)


def run(cmd: list, **kwargs) -> int:
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False, **kwargs).returncode


def is_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


# --- virtual environment --------------------------------------------------------------------


def _digest(*names: str) -> str:
    h = hashlib.sha256()
    for name in names:
        h.update((REQUIREMENTS / name).read_bytes())
    h.update((VENV / "pyvenv.cfg").read_bytes())  # a venv rebuilt for another Python reinstalls
    return h.hexdigest()


def _read_stamp() -> dict:
    try:
        return json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return {}


def ensure_venv(profile: str) -> None:
    """``profile`` is "base" (run) or "dev" (test; it includes base)."""
    if not PY.exists():
        say(f"Creating the virtual environment in {VENV.name}/")
        cmd = [sys.executable, "-m", "venv", "--clear", VENV]
        if run(cmd, stdout=subprocess.DEVNULL) != 0:
            # Debian's python3 ships venv's pip separately (python3.X-venv).
            ensure_system_packages([f"python3.{sys.version_info.minor}-venv"], probes=False)
            if run(cmd) != 0:
                raise Stop("Could not create .venv with `python3 -m venv`.")
    files = {"base": ("base.txt",), "dev": ("base.txt", "dev.txt")}
    stamp = _read_stamp()
    wanted = _digest(*files[profile])
    if stamp.get(profile) == wanted or (profile == "base" and stamp.get("dev") == _digest(*files["dev"])):
        return
    say(f"Installing requirements/{profile}.txt into {VENV.name}/")
    pip = [PY, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off"]
    if run([*pip, "-r", REQUIREMENTS / f"{profile}.txt"]) != 0:
        raise Stop(f"pip could not install requirements/{profile}.txt (see above).")
    stamp[profile] = wanted
    if profile == "dev":
        stamp["base"] = _digest(*files["base"])
    STAMP.write_text(json.dumps(stamp, indent=1))


# --- system packages --------------------------------------------------------------------------


def _fc_has(family: str) -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    return family in out


def package_present(name: str) -> bool:
    if shutil.which("dpkg-query"):
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False
        ).stdout.split()
        if out and out[-1] == "installed":
            return True
    probe = PROBES.get(name)
    return bool(probe and probe())


_apt_updated = False


def ensure_system_packages(names, *, probes: bool = True, optional=()) -> None:
    """Install missing Debian packages as root with apt-get; otherwise stop naming them.
    Packages in ``optional`` only warn when they are missing."""
    global _apt_updated
    missing = [n for n in names if not package_present(n)] if probes else list(names)
    if not missing:
        return
    as_root = bool(shutil.which("apt-get")) and hasattr(os, "geteuid") and os.geteuid() == 0
    if as_root:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if not _apt_updated:
            say("apt-get update")
            if run(["apt-get", "update"], env=env) != 0:
                raise Stop("apt-get update failed (see above).")
            _apt_updated = True
        say(f"apt-get install -y {' '.join(missing)}")
        rc = run(["apt-get", "install", "-y", *missing], env=env)
        if probes:
            missing = [n for n in missing if not package_present(n)]
        elif rc == 0:
            missing = []
        if not missing:
            return
    required = [n for n in missing if n not in optional]
    if required:
        how = (
            "apt-get could not install them (see above)."
            if as_root
            else "Install them as root, then run this command again:\n    sudo apt-get install -y " + " ".join(missing)
        )
        raise Stop(f"Missing system packages: {' '.join(required)}\n{how}")
    say(f"Note: {' '.join(missing)} not installed; the tests that need it are skipped (CI installs it).")


# --- run --------------------------------------------------------------------------------------

LOGINS_BEGIN, LOGINS_END = "== 演示账号 ==", "== 演示账号结束 =="


def _django_env(settings: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "PYTHONUNBUFFERED": "1"}
    env.pop("VIRTUAL_ENV", None)
    return env


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative inside the repository, else absolute."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _stop(children: list) -> None:
    """SIGTERM each child's process group (the autoreloader's and Celery's own children too),
    then SIGKILL whatever is left after 10 seconds."""
    for proc in children:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in children:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for_http(url: str, server: subprocess.Popen, seconds: int = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — our own server
                return response.status < 500
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return False


def cmd_run(args) -> int:
    port = int(args.port or os.environ.get("PORT") or 8000)
    ensure_venv("base")
    ensure_system_packages(RUN_PACKAGES)
    env = _django_env("dangwei.settings.local")
    say("Migrating the database")
    if run([PY, "manage.py", "migrate", "--noinput"], env=env) != 0:
        raise Stop("manage.py migrate failed (see above).")
    say("Loading the demo data (seed_demo; it changes nothing when the data is there)")
    seeded = subprocess.run(
        [str(PY), "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    print(seeded.stdout, end="")
    print(seeded.stderr, end="", file=sys.stderr)
    if seeded.returncode != 0:
        raise Stop("manage.py seed_demo failed (see above).")
    lines = seeded.stdout.splitlines()
    logins = lines[lines.index(LOGINS_BEGIN) + 1 : lines.index(LOGINS_END)] if LOGINS_BEGIN in lines else []

    var_dir = Path(os.environ.get("DANGWEI_VAR_DIR", ROOT / "var")).resolve()
    (var_dir / "log").mkdir(parents=True, exist_ok=True)
    worker_log = var_dir / "log" / "worker.log"
    shown_log = _shown(worker_log)
    children: list[subprocess.Popen] = []

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    # SIGINT too: a shell starts background jobs with SIGINT ignored.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        say(f"Starting the Celery worker with embedded beat (log: {shown_log})")

        def start_worker() -> subprocess.Popen:
            with open(worker_log, "ab") as log:
                proc = subprocess.Popen(
                    [str(BIN / "celery"), "-A", "dangwei", "worker", "-B", "-l", "info", "--concurrency", "2"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            children.append(proc)
            return proc

        worker = start_worker()
        worker_restarts: list[float] = []
        say(f"Starting the web server on 127.0.0.1:{port}")
        server = subprocess.Popen(
            [str(PY), "manage.py", "runserver", f"127.0.0.1:{port}"], cwd=ROOT, env=env, start_new_session=True
        )
        children.append(server)
        address = f"http://127.0.0.1:{port}/"
        if not _wait_for_http(address + "accounts/login/", server):
            raise Stop(f"The web server did not answer on {address} (see above).")
        broker = (
            "Redis " + os.environ["REDIS_URL"]
            if os.environ.get("REDIS_URL")
            else "filesystem queue " + _shown(var_dir / "celery")
        )
        banner = [
            "",
            "=" * 72,
            f"  社区大党委工作平台 is running:  {address}",
            "",
            "  Demo log-ins (用户名 / 密码 / 角色 · 范围):",
            *logins,
            "",
            f"  Database: {os.environ.get('DATABASE_URL') or 'SQLite file db.sqlite3'}",
            f"  Worker:   Celery + beat on the {broker}; log in {shown_log}",
            "  E-mail:   "
            + ("EMAIL_URL" if os.environ.get("EMAIL_URL") else f"written as files to {_shown(var_dir / 'mail')}/"),
            "  Stop:     Ctrl-C (stops the web server and the worker)",
            "=" * 72,
            "",
        ]
        print("\n".join(banner), flush=True)
        while True:
            if server.poll() is not None:
                raise Stop(f"The web server stopped unexpectedly (exit code {server.returncode}).")
            if worker.poll() is not None:
                # Issue #13: a dead worker (and its beat) comes back by itself; builds it held are
                # taken over once their lease expires. Five deaths within a minute is a real
                # fault: stop and show it.
                tail = worker_log.read_text(errors="replace").splitlines()[-20:]
                print("\n".join(tail), file=sys.stderr)
                now = time.monotonic()
                worker_restarts = [t for t in worker_restarts if now - t < 60] + [now]
                if len(worker_restarts) > 5:
                    raise Stop(f"The Celery worker keeps stopping (exit code {worker.returncode}).")
                say(f"The Celery worker stopped (exit code {worker.returncode}); starting it again")
                with contextlib.suppress(OSError):  # its pool and embedded beat may outlive it
                    os.killpg(worker.pid, signal.SIGKILL)
                children.remove(worker)
                worker = start_worker()
            time.sleep(1)
    except KeyboardInterrupt:
        say("Stopping the web server and the worker")
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not orphan the children
        _stop(children)


# --- test -------------------------------------------------------------------------------------


def step_outcome(name: str, returncode: int) -> tuple[bool, str]:
    """Whether a step passed, and a note. pytest's exit code 5 (no test collected) fails too."""
    if name == "pytest" and returncode == 5:
        return False, "no tests were collected"
    return returncode == 0, ""


def cmd_test(args) -> int:
    ensure_venv("dev")
    ensure_system_packages(TEST_PACKAGES, optional=() if is_ci() else OPTIONAL_OUTSIDE_CI)
    env = _django_env("dangwei.settings.test")
    steps = [
        ("ruff check", [BIN / "ruff", "check", "."]),
        ("makemigrations --check", [PY, "manage.py", "makemigrations", "--check", "--dry-run"]),
        ("pytest", [PY, "-m", "pytest", *args.pytest_args]),
    ]
    results = []
    for name, cmd in steps:
        say(name)
        started = time.monotonic()
        rc = run(cmd, env=env)
        ok, note = step_outcome(name, rc)
        results.append((name, ok, rc, time.monotonic() - started, note))
    print("\nSummary")
    for name, ok, rc, seconds, note in results:
        status = "ok" if ok else f"FAILED (exit code {rc}{', ' + note if note else ''})"
        print(f"  {name:<24} {status:<46} {seconds:7.1f} s")
    failed = [r for r in results if not r[1]]
    print("All checks passed." if not failed else f"{len(failed)} of {len(results)} steps failed.")
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run the portal with demo data (web server + Celery worker and beat)")
    p_run.add_argument("--port", type=int, help="web server port (default: $PORT or 8000)")
    sub.add_parser("test", help="ruff, makemigrations --check and pytest (extra arguments go to pytest)")
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.pytest_args = extra
    try:
        return cmd_run(args) if args.command == "run" else cmd_test(args)
    except Stop as exc:
        print(f"\ndev.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
