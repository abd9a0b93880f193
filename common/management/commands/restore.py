"""``manage.py restore ARCHIVE``: bring a backup back into an empty database (run ``migrate``
only afterwards, never before) and an empty var/private; see ``common.backup``."""

import pathlib

from django.core.management.base import BaseCommand, CommandError

from common import backup


class Command(BaseCommand):
    help = "从备份归档恢复数据库和上传文件（只能恢复到空数据库和空文件目录）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="manage.py backup 写出的归档文件")

    def handle(self, *args, **options):
        archive = pathlib.Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"找不到备份文件：{archive}")
        try:
            summary = backup.restore(archive)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        except Exception as exc:  # noqa: BLE001 - pg_restore's own message is the useful part
            raise CommandError(f"恢复失败：{getattr(exc, 'stderr', b'') or exc}") from exc
        expected = summary["manifest"]["counts"]
        differ = {t: (n, summary["counts"].get(t)) for t, n in expected.items() if summary["counts"].get(t) != n}
        # the notices expired just now are the only rows the restore itself changes (no counts)
        if differ:
            raise CommandError(f"恢复后行数与备份不符：{differ}")
        self.stdout.write(
            f"已恢复：{sum(expected.values())}行，{summary['files']}个文件；"
            f"{summary['expired']}条已过时的通知标记为“已过期未发送”，不再发送。"
        )
