"""The year-end report as a document (R14, GB/T 9704; issue #16 items 4, 5 and 8): a 仿宋 body
at 3号, 28 characters a line, "— n —" page numbers 7 mm below the block (odd right, even left),
tables and the chart numbered in order, no coloured text in tables, and the Word copy."""

import re
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse

from common.checks import FANGSONG_FILE
from tests.documents_kit import MM, docx_open, docx_text, east_asia_font, needs_poppler, page_numbers, pdf_lines
from yearend import documents, selectors, services
from yearend.models import YearEndReport

from .conftest import YEAR

pytestmark = pytest.mark.django_db

PLAN = "党" * 120  # a paragraph of full-width characters only: every full line is 28 of them


@pytest.fixture
def pdf(year_data):
    return services.report_render(committee=year_data.committee, year=YEAR, next_year_plan=PLAN)


@needs_poppler
def test_gbt9704_full_body_lines_hold_28_characters_of_the_156mm_block(pdf):
    lines = [ln for ln in pdf_lines(pdf) if ln.text and set(ln.text) == {"党"}]
    full = [ln for ln in lines[:-1] if abs(ln.x0 - 28 * MM) < 1]  # the paragraph's last line is short
    assert len(full) >= 3
    for ln in full:
        assert len(ln.text) == 28
        assert abs(ln.x1 - (210 - 26) * MM) < 2  # flush with the right edge of the block


@needs_poppler
def test_gbt9704_page_numbers_odd_right_even_left_7mm_below_the_block(pdf):
    numbers = page_numbers(pdf)
    assert len(numbers) >= 4
    assert [int(ln.text.strip("— ")) for ln in numbers] == [ln.page for ln in numbers]
    for ln in numbers:
        dash = (ln.y0 + ln.y1) / 2
        assert 6.5 * MM <= dash - (ln.page_height - 35 * MM) <= 7.5 * MM
        if ln.page % 2:
            assert abs(ln.x1 - ((210 - 26) * MM - 14)) < 2
        else:
            assert abs(ln.x0 - (28 * MM + 14)) < 2


def test_gbt9704_body_face_is_fangsong_at_16pt_when_installed(year_data, tmp_path):
    import shutil
    import subprocess

    if not FANGSONG_FILE.exists() or not shutil.which("pdffonts"):
        pytest.skip("FandolFang (texlive-lang-chinese) or pdffonts not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(services.report_render(committee=year_data.committee, year=YEAR, next_year_plan=PLAN))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "FandolFang" in fonts
    html = render_to_string(
        services.TEMPLATE, {"data": selectors.report_data(committee=year_data.committee, year=YEAR)}
    )
    assert re.search(r'html \{ font-family: "FandolFang"[^}]*font-size: 16pt', html)


def test_gbt9704_tables_and_chart_are_numbered_in_order_and_tables_hold_no_coloured_text(year_data):
    data = selectors.report_data(committee=year_data.committee, year=YEAR)
    html = render_to_string(services.TEMPLATE, {"data": data})
    assert 'content: "表" counter(table)' in html and 'content: "图" counter(figure)' in html
    assert not re.search(r'<p class="caption[^"]*">表\d', html)  # numbers come from the counters only
    tables = html.count("<table")
    assert html.count('<p class="caption">') == tables  # every table has its caption
    assert html.count('<p class="caption figure">') == html.count("<svg")
    body = html.split("</style>", 1)[1]
    assert "missed" not in body and "color:" not in body


def test_word_copy_of_the_report_numbers_tables_and_uses_office_fonts(year_data):
    document = docx_open(documents.report_docx(committee=year_data.committee, year=YEAR, next_year_plan=PLAN))
    section = document.sections[0]
    assert (round(section.top_margin.mm), round(section.right_margin.mm)) == (37, 26)
    assert (round(section.bottom_margin.mm), round(section.left_margin.mm)) == (35, 28)
    assert east_asia_font(document.styles["Normal"]) == "仿宋_GB2312"
    assert document.styles["Normal"].font.size.pt == 16
    assert east_asia_font(document.styles["Heading 1"]) == "黑体"
    assert east_asia_font(document.styles["Heading 2"]) == "楷体_GB2312"
    text = docx_text(document)
    captions = re.findall(r"^表(\d+)\u3000", text, re.M)
    assert captions == [str(i) for i in range(1, len(captions) + 1)] and len(captions) == len(document.tables)
    assert "图1\u3000" in text
    assert "一、组织建设情况" in text and PLAN in text
    assert document.tables[0].rows[0].cells[0].text == "职务"


def test_word_copy_download_of_a_ready_report(client, year_data, secretary_user):
    report = YearEndReport(committee=year_data.committee, year=YEAR, status="ready", progress=100, builds=1)
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7"), save=False)
    report.save()
    client.force_login(secretary_user)
    response = client.get(reverse("yearend:download_docx", args=[year_data.committee.pk, YEAR]))
    assert response.status_code == 200
    assert f"{year_data.committee.name}{YEAR}年度工作报告.docx" in unquote(response["Content-Disposition"])
    assert "年度工作报告" in docx_text(docx_open(response.content))
