"""Issue #13 item 7: the containers have no mail server of their own, so docker-compose refuses
to start without EMAIL_URL instead of failing every notice in silence."""

import os
import subprocess

from tests.test_deploy import ROOT, _docker_compose


def _config(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"} | env_extra
    return subprocess.run(  # noqa: S603 - the system's docker-compose
        [_docker_compose(), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_refuses_to_start_without_email_url():
    result = _config({})
    assert result.returncode != 0
    assert "set EMAIL_URL to your mail server" in result.stderr


def test_compose_passes_email_url_to_every_app_service():
    result = _config({"EMAIL_URL": "smtp+tls://user:password@smtp.example.cn:587"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("EMAIL_URL: smtp+tls://user:password@smtp.example.cn:587") == 3
    assert "smtp://localhost:25" not in result.stdout
