"""``manage.py yearend_report --committee <id> --year <yyyy> --output <file.pdf>``: build the
year-end report (R14) synchronously, the same PDF the background task builds (with the stored
next-year plan, if any), without touching the stored report.

Start-up is kept small (issue #16 item 10): no system checks (they import every URLconf and view
and ask fontconfig for the fonts), WeasyPrint is imported only when the PDF is drawn; the command
reports its wall time split into start-up and report.
"""

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from committees.models import Committee
from yearend import services
from yearend.models import YearEndReport


def _process_age() -> float | None:
    """Seconds since this process started (Linux), else None."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            start_ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Command(BaseCommand):
    help = "生成大党委年度工作报告 PDF（与页面上生成的相同）。"
    # `manage.py check` is run on deploy; here it would only slow the start (URLconf, fontconfig).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--committee", type=int, required=True, help="大党委编号（id）")
        parser.add_argument("--year", type=int, required=True, help="年度，如 2025")
        parser.add_argument("--output", required=True, help="输出的 PDF 文件路径")

    def handle(self, *args, committee, year, output, **options):
        started = _process_age()
        began = time.perf_counter()
        found = Committee.objects.filter(pk=committee).first()
        if found is None:
            raise CommandError(f"找不到编号为 {committee} 的大党委。")
        this_year = timezone.localdate().year
        if not 2000 <= year <= this_year:
            raise CommandError(f"年度应在2000年至{this_year}年之间。")
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"输出路径 {path} 是一个目录，请给出文件名。")
        if not path.parent.is_dir():
            raise CommandError(f"输出目录 {path.parent} 不存在。")
        plan = (
            YearEndReport.objects.filter(committee=found, year=year).values_list("next_year_plan", flat=True).first()
            or ""
        )
        content = services.report_render(committee=found, year=year, next_year_plan=plan)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc.strerror}") from exc
        spent = time.perf_counter() - began
        timing = f"生成用时 {spent:.2f} 秒"
        if started is not None:
            timing += f"，启动用时 {started:.2f} 秒，共 {started + spent:.2f} 秒"
        self.stdout.write(self.style.SUCCESS(f"已生成 {path}（{len(content) // 1024} KB）；{timing}。"))
