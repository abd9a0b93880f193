"""``manage.py backup``: one archive with the database and var/private (see ``common.backup``)."""

import pathlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common import backup


class Command(BaseCommand):
    help = "备份数据库和上传文件（var/private）到一个归档文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="归档文件路径（默认 var/backups/dangwei-年月日-时分秒.tar.gz）",
        )

    def handle(self, *args, **options):
        output = options["output"] or str(
            pathlib.Path(settings.VAR_DIR) / "backups" / f"dangwei-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        )
        try:
            manifest = backup.backup(pathlib.Path(output))
        except (backup.BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        except Exception as exc:  # noqa: BLE001 - pg_dump's own message is the useful part
            raise CommandError(f"备份失败：{getattr(exc, 'stderr', b'') or exc}") from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"已备份：{output}（{manifest['engine']}，{len(manifest['counts'])}张表{rows}行，"
            f"{manifest['files']}个文件）"
        )
