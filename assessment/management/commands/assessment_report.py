"""Write the R21 reports from the command line (issue #6 item 5): the same files the pages give.

python manage.py assessment_report --year 2025 --unit 12 --output 县供电公司.pdf
python manage.py assessment_report --year 2025 --township 3 --output 城关镇.xlsx
python manage.py assessment_report --year 2025 [--county 1] --output 全县.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import reports
from assessment.models import Round, ScoringTask
from committees.models import County, Township, Unit

FORMATS = (".pdf", ".xlsx")


class Command(BaseCommand):
    help = "写出“双百分”考核报告：单位评分表（--unit）、镇（街道）排名（--township）或全县排名，PDF 或 Excel。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度")
        parser.add_argument("--unit", type=int, help="单位编号：写出该单位的评分表（PDF）")
        parser.add_argument("--township", type=int, help="镇（街道）编号：写出该镇（街道）的排名")
        parser.add_argument("--county", type=int, help="县（区）编号；只有一个县（区）有该年度轮次时可省略")
        parser.add_argument("--output", required=True, help="输出文件，以 .pdf 或 .xlsx 结尾")

    def handle(self, *args, year, unit, township, county, output, **options):
        path = Path(output)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise CommandError(_("输出文件须以 .pdf 或 .xlsx 结尾：%(name)s") % {"name": output})
        if unit is not None and township is not None:
            raise CommandError(_("--unit 与 --township 只能选一个。"))
        content = self._sheet(year, unit, suffix) if unit is not None else self._ranking(year, township, county, suffix)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(_("无法写入文件 %(name)s：%(error)s") % {"name": output, "error": exc}) from exc
        self.stdout.write(_("已写出 %(name)s（%(size)s 字节）。") % {"name": output, "size": len(content)})

    def _sheet(self, year: int, unit_id: int, suffix: str) -> bytes:
        from common.pdf import render_pdf

        if suffix != ".pdf":
            raise CommandError(_("单位评分表只能写成 PDF（.pdf）。"))
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise CommandError(_("没有编号为 %(id)s 的单位。") % {"id": unit_id})
        task = (
            ScoringTask.objects.select_related(
                "round__scheme", "round__county", "unit__community__township", "sheet__scheme", "finalised_by"
            )
            .filter(unit=unit, round__year=year)
            .first()
        )
        if task is None:
            raise CommandError(_("%(unit)s 没有 %(year)s 年度的评分任务。") % {"unit": unit.name, "year": year})
        if not task.is_finalised:
            raise CommandError(_("%(unit)s 的 %(year)s 年度考核尚未定分。") % {"unit": unit.name, "year": year})
        context = reports.unit_sheet(task)
        context["printed_at"] = timezone.now()
        return render_pdf("reports/assessment_sheet.html", context)

    def _ranking(self, year: int, township_id, county_id, suffix: str) -> bytes:
        if township_id is not None:
            township = Township.objects.select_related("county").filter(pk=township_id).first()
            if township is None:
                raise CommandError(_("没有编号为 %(id)s 的镇（街道）。") % {"id": township_id})
            scope = reports.Scope("township", township, township.county)
        else:
            county = self._county(year, county_id)
            scope = reports.Scope("county", county, county)
        round_ = reports.round_for(county=scope.county, year=year)
        if round_ is None:
            raise CommandError(
                _("%(name)s 没有 %(year)s 年度的考核评分轮次。") % {"name": scope.county.name, "year": year}
            )
        data = reports.ranking(scope=scope, round_=round_)
        if not data["rows"]:
            raise CommandError(_("%(name)s %(year)s 年度尚无已定分的单位。") % {"name": scope.title, "year": year})
        data.update(year=year, printed_at=timezone.now())
        data["title"] = reports.ranking_title(data)
        if suffix == ".xlsx":
            return reports.ranking_workbook(data)
        return reports.ranking_pdf(data)  # the same function as the page and the Celery task

    def _county(self, year: int, county_id) -> County:
        if county_id is not None:
            county = County.objects.filter(pk=county_id).first()
            if county is None:
                raise CommandError(_("没有编号为 %(id)s 的县（区）。") % {"id": county_id})
            return county
        counties = list(County.objects.filter(pk__in=Round.objects.filter(year=year).values("county_id")))
        if not counties:
            raise CommandError(_("没有 %(year)s 年度的考核评分轮次。") % {"year": year})
        if len(counties) > 1:
            raise CommandError(_("%(year)s 年度有多个县（区）的轮次，请用 --county 指定。") % {"year": year})
        return counties[0]
