"""Issue #13 item 6: the restore drill on both databases — ``manage.py backup`` of a portal with
data and uploaded files, ``manage.py restore`` into an empty database and an empty file folder
(another process, as an operator would run it), then the row counts and the files compared, and
no old notice sent again (its moment passed: expired; a future one stays pending)."""

import datetime
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from common import backup
from inbox import services as inbox_services
from inbox.models import Message
from yearend.models import YearEndReport

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _portal_with_data(world, secretary_user):
    """A ready year-end report (a file in var/private), a notice whose moment has passed and one
    still to come."""
    report = YearEndReport(committee=world.mine, year=2025, status="ready", progress=100, builds=1)
    report.file.save("yearend-drill.pdf", ContentFile(b"%PDF-1.4 drill"), save=False)
    report.save()
    now = timezone.now()
    inbox_services.message_enqueue(
        key="drill:past", recipient=secretary_user, subject="提醒", body="会议一小时后开始。", due_at=now
    )
    inbox_services.message_enqueue(
        key="drill:future",
        recipient=secretary_user,
        subject="会议通知",
        body="下周召开季度会议。",
        due_at=now + datetime.timedelta(days=7),
    )
    return report


def _manage(*args: str, database_url: str, var_dir: pathlib.Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangwei.settings.test",
        "DATABASE_URL": database_url,
        "DANGWEI_VAR_DIR": str(var_dir),
    }
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _archive(tmp_path, settings) -> tuple[pathlib.Path, dict]:
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))
    manifest = backup.read_manifest(archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and any(n.startswith("private/yearend/") for n in names)
    assert manifest["files"] == 1 and manifest["counts"]["inbox_message"] == 2
    return archive, manifest


def _files(root: pathlib.Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_restore_drill_on_sqlite(world, secretary_user, tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill runs on the SQLite test database")
    _portal_with_data(world, secretary_user)
    archive, manifest = _archive(tmp_path, settings)
    target, var_dir = tmp_path / "restored.sqlite3", tmp_path / "restored-var"
    result = _manage("restore", str(archive), database_url=f"sqlite:///{target}", var_dir=var_dir)
    assert result.returncode == 0, result.stderr
    assert "1个文件" in result.stdout and "1条已过时的通知" in result.stdout
    db = sqlite3.connect(target)
    try:
        for table, rows in manifest["counts"].items():
            assert db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == rows, table  # noqa: S608
        states = dict(db.execute("SELECT key, state FROM inbox_message").fetchall())
    finally:
        db.close()
    assert states == {"drill:past": "expired", "drill:future": "pending"}
    assert _files(var_dir / "private") == _files(pathlib.Path(settings.MEDIA_ROOT))
    # a second restore into the now full database is refused, and changes nothing
    again = _manage("restore", str(archive), database_url=f"sqlite:///{target}", var_dir=var_dir)
    assert again.returncode != 0 and "不是空库" in again.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_drill_on_postgresql(world, secretary_user, tmp_path, settings):
    _portal_with_data(world, secretary_user)
    archive, manifest = _archive(tmp_path, settings)
    assert manifest["engine"] == "postgresql"
    db = connection.settings_dict
    target = f"{db['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{target}"
    var_dir = tmp_path / "restored-var"
    try:
        result = _manage("restore", str(archive), database_url=url, var_dir=var_dir)
        assert result.returncode == 0, result.stderr
        assert "1个文件" in result.stdout and "1条已过时的通知" in result.stdout
        check = _manage(
            "shell",
            "-c",
            "import json; from common.backup import row_counts; from inbox.models import Message; "
            "print(json.dumps({'counts': row_counts(), 'states': dict(Message.objects.values_list('key', 'state'))}))",
            database_url=url,
            var_dir=var_dir,
        )
        assert check.returncode == 0, check.stderr
        restored = json.loads(check.stdout.strip().splitlines()[-1])
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
    assert restored["counts"] == manifest["counts"]
    assert restored["states"] == {"drill:past": "expired", "drill:future": "pending"}
    assert _files(var_dir / "private") == _files(pathlib.Path(settings.MEDIA_ROOT))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(world, tmp_path, settings):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=str(archive))
    before = Message.objects.count(), YearEndReport.objects.count()
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(archive))
    assert (Message.objects.count(), YearEndReport.objects.count()) == before


@pytest.mark.django_db
def test_expire_passed_marks_only_unsent_notices_whose_moment_passed(secretary_user):
    now = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
    for key, due in (
        ("past", now - datetime.timedelta(hours=1)),
        ("now", now),
        ("later", now + datetime.timedelta(minutes=1)),
    ):
        inbox_services.message_enqueue(key=key, recipient=secretary_user, subject="s", body="b", due_at=due)
    Message.objects.create(key="sent", subject="s", body="b", due_at=now, state="sent", sent_at=now)
    assert inbox_services.messages_expire_passed(now=now) == 2
    assert dict(Message.objects.values_list("key", "state")) == {
        "past": "expired",
        "now": "expired",
        "later": "pending",
        "sent": "sent",
    }
    assert inbox_services.outbox_sweep(now=now).sent == []  # nothing old goes out
