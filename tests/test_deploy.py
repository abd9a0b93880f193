"""Deployment: the compose file is valid, production settings pass ``check --deploy``, and the
README's two commands keep their promises (dev.py is standard-library only; exit code 5 of
pytest fails the run)."""

import ast
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        if IN_CI:
            pytest.fail("CI=true but docker-compose is missing: dev.py test installs it with apt-get")
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    return binary


def _compose(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env.setdefault("EMAIL_URL", "smtp+tls://user:password@smtp.example.cn:587")  # required (issue #13)
    return subprocess.run(
        [_docker_compose(), "-f", "docker-compose.yml", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_file_is_valid():
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_runs_web_worker_beat_postgres_and_redis():
    result = _compose("config")
    assert result.returncode == 0, result.stderr
    services = _compose("config", "--services").stdout.split()
    assert sorted(services) == ["beat", "postgres", "redis", "web", "worker"]
    config = result.stdout
    assert "gunicorn dangwei.wsgi:application" in config
    assert "celery -A dangwei worker" in config
    assert "celery -A dangwei beat" in config and "django_celery_beat.schedulers:DatabaseScheduler" in config
    assert config.count("DJANGO_SETTINGS_MODULE: dangwei.settings.production") == 3
    for variable in ("DATABASE_URL: postgres://", "REDIS_URL: redis://redis:6379/0", "SECRET_KEY:", "ALLOWED_HOSTS:"):
        assert variable in config


def test_dockerfile_installs_what_the_pdfs_need():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim-bookworm" in dockerfile
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0", "libpango-1.0-0", "libpangoft2-1.0-0"):
        assert package in dockerfile
    assert "requirements/base.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert '"gunicorn"' in dockerfile


def test_check_deploy_reports_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}  # e.g. ALLOW_ASYNC_UNSAFE
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "dangwei.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "DANGWEI_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--settings=dangwei.settings.production",
            "--fail-level=WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_its_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env.update(ALLOWED_HOSTS="dangwei.example.cn", DANGWEI_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings=dangwei.settings.production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- the README's two commands ------------------------------------------------------------


def _load_dev():
    spec = importlib.util.spec_from_file_location("dev_commands", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_py_uses_the_standard_library_only():
    tree = ast.parse((ROOT / "dev.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported and imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_dev_py_test_fails_when_pytest_collects_nothing():
    dev = _load_dev()
    assert dev.step_outcome("pytest", 0) == (True, "")
    assert dev.step_outcome("pytest", 5) == (False, "no tests were collected")
    assert dev.step_outcome("pytest", 1)[0] is False
    assert dev.step_outcome("ruff check", 1)[0] is False


def test_dev_py_needs_a_command():
    result = subprocess.run([sys.executable, "dev.py"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "run" in result.stderr and "test" in result.stderr


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    commands = [line.split("#")[0].strip() for line in readme.splitlines() if line.startswith("python3 dev.py")]
    assert commands[:2] == ["python3 dev.py run", "python3 dev.py test"]
    assert readme.index("python3 dev.py run") < readme.index("##")


def test_ci_script_runs_the_test_command_against_postgres_and_redis():
    script = (ROOT / ".ci" / "run").read_text()
    assert script.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in script
    assert "DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangwei_ci" in script
    assert "REDIS_URL=redis://127.0.0.1:6379/0" in script
    assert 'exec python3 dev.py test "$@"' in script
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
