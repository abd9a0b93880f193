"""``manage.py yearend_report --committee <id> --year <yyyy> --output <file.pdf>``: build the
year-end report (R14) synchronously, the same PDF the background task builds (with the stored
next-year plan, if any), without touching the stored report."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from committees.models import Committee
from yearend import services
from yearend.models import YearEndReport


class Command(BaseCommand):
    help = "生成大党委年度工作报告 PDF（与页面上生成的相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--committee", type=int, required=True, help="大党委编号（id）")
        parser.add_argument("--year", type=int, required=True, help="年度，如 2025")
        parser.add_argument("--output", required=True, help="输出的 PDF 文件路径")

    def handle(self, *args, committee, year, output, **options):
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
        self.stdout.write(self.style.SUCCESS(f"已生成 {path}（{len(content) // 1024} KB）。"))
