"""Backup and restore of the whole portal (issue #13 item 6): one archive with the database and
``var/private`` (uploads, scans, generated PDFs).

Archive (``.tar.gz``)::

    manifest.json        format, engine, when, row counts per table, file count and bytes
    database.dump        PostgreSQL: ``pg_dump --format=custom``
    database.sqlite3     SQLite: a copy made with the online backup API (consistent while in use)
    private/...          MEDIA_ROOT, file by file

``restore`` refuses anything but an empty database (no tables), loads the dump, unpacks the
files into an empty MEDIA_ROOT, checks the row counts against the manifest and then marks every
unsent notice whose moment has passed as expired (``inbox.services.messages_expire_passed``), so
a restored outbox never mails old notices again.
"""

import datetime
import io
import json
import os
import pathlib
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    pass


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"unsupported database: {vendor}")
    return vendor


def row_counts() -> dict[str, int]:
    """Rows per table of every installed model (auto-created many-to-many tables included)."""
    tables = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in tables and table not in counts:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name from the models
                counts[table] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _dump_database(target: pathlib.Path) -> None:
    if _engine() == "postgresql":
        args, env = _pg_env()
        subprocess.run(  # noqa: S603 - pg_dump with our own settings
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(target)]
            + [connection.settings_dict["NAME"]],
            env=env,
            check=True,
            capture_output=True,
        )
    else:
        if connection.in_atomic_block:  # SQLite's backup waits for the open transaction for ever
            raise BackupError("备份不能在数据库事务中进行。")
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()


def backup(output: pathlib.Path, *, media_root: pathlib.Path | None = None) -> dict:
    """Write the archive; returns its manifest."""
    media_root = pathlib.Path(media_root or settings.MEDIA_ROOT)
    engine = _engine()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_name = "database.dump" if engine == "postgresql" else "database.sqlite3"
        db_file = pathlib.Path(tmp) / db_name
        counts = row_counts()
        _dump_database(db_file)
        files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "counts": counts,
            "files": len(files),
            "bytes": sum(p.stat().st_size for p in files),
        }
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(datetime.datetime.now().timestamp())  # noqa: DTZ005 - a file time
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_name)
            for path in files:
                tar.add(path, arcname=f"private/{path.relative_to(media_root).as_posix()}")
        partial.replace(output)  # a half-written archive never carries the final name
    return manifest


def read_manifest(archive: pathlib.Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(archive: pathlib.Path, *, media_root: pathlib.Path | None = None, now=None) -> dict:
    """Bring an archive back into an empty database and an empty MEDIA_ROOT. Returns a summary:
    the manifest, the counts after the restore, the files written and the notices expired."""
    media_root = pathlib.Path(media_root or settings.MEDIA_ROOT)
    manifest = read_manifest(archive)
    engine = _engine()
    if manifest.get("format") != FORMAT:
        raise BackupError("未知的备份格式。")
    if manifest["engine"] != engine:
        raise BackupError(f"备份来自{manifest['engine']}数据库，不能恢复到{engine}数据库。")
    if not _database_is_empty():
        raise BackupError("目标数据库不是空库：只能恢复到新建的空数据库。")
    if media_root.exists() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(f"文件目录{media_root}不是空的：只能恢复到空目录。")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")  # the "data" filter refuses absolute paths and ".."
        root = pathlib.Path(tmp)
        _load_database(root)
        written = 0
        private = root / "private"
        if private.exists():
            for path in sorted(p for p in private.rglob("*") if p.is_file()):
                target = media_root / path.relative_to(private)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                written += 1
    from inbox.services import messages_expire_passed

    expired = messages_expire_passed(now=now or timezone.now())
    counts = row_counts()
    return {"manifest": manifest, "counts": counts, "files": written, "expired": expired}


def _load_database(root: pathlib.Path) -> None:
    if _engine() == "postgresql":
        args, env = _pg_env()
        connection.close()
        subprocess.run(  # noqa: S603 - pg_restore with our own settings
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args]
            + ["--dbname", connection.settings_dict["NAME"], str(root / "database.dump")],
            env=env,
            check=True,
            capture_output=True,
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(root / "database.sqlite3")
        try:
            source.backup(connection.connection)
        finally:
            source.close()
