"""The year-end report (R14) as an editable Word copy (issue #16 item 8): the same rendered HTML as
the PDF (templates/reports/yearend.html), turned into a .docx laid out after GB/T 9704 (A4,
37/26/35/28 mm margins, 仿宋_GB2312 3号 body, 方正小标宋简体 title, 黑体 and 楷体 headings)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from committees.models import Committee

from . import selectors

TEMPLATE = "reports/yearend.html"


def report_docx(*, committee: Committee, year: int, next_year_plan: str = "", today=None) -> bytes:
    from common.docx import GBT9704, html_to_docx

    data = selectors.report_data(committee=committee, year=year, next_year_plan=next_year_plan, today=today)
    html = render_to_string(TEMPLATE, {"data": data})
    title = _("%(c)s%(y)s年度工作报告") % {"c": data.committee.name, "y": year}
    return html_to_docx(html, layout=GBT9704, title=title).to_bytes()


def docx_filename(committee: Committee, year: int) -> str:
    return _("%(c)s%(y)s年度工作报告.docx") % {"c": committee.name, "y": year}
