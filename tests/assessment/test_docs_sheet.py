"""The unit scoring sheet as a document (R21; issue #16 items 7 and 8): the unit named on every
page, a signature and seal block, no scorer guidance, whole points without decimals, and an
editable Word copy with the same content."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.documents_kit import docx_open, docx_text, east_asia_font, needs_poppler, pdf_lines

from .report_factories import finalised_task, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world):
    return finalised_task(make_round(world.county), world.unit)


@needs_poppler
def test_r21_sheet_pdf_names_the_unit_on_every_page_and_ends_with_signatures(world, county_user, login):
    task = finalised_task(make_round(world.county, extra_leaves=60), world.unit)
    response = login(county_user).get(reverse("assessment:unit_sheet_pdf", args=[task.pk]))
    assert response.status_code == 200
    lines = pdf_lines(response.content)
    pages = max(ln.page for ln in lines)
    assert pages >= 2
    for page in range(1, pages + 1):
        top = [ln for ln in lines if ln.page == page and ln.y1 < 18 * 72 / 25.4]  # in the top margin
        assert any(world.unit.name in ln.text for ln in top), page
    text = "\n".join(ln.text for ln in lines).replace(" ", "")
    assert "大党委（盖章）" in text and "县委组织部（盖章）" in text and "评分人（签字）" in text
    assert "建议：" not in text  # the portal's suggestions are for the scorers, not the paper


def test_r21_whole_points_print_without_decimals(world, county_user, login, task):
    html = login(county_user).get(reverse("assessment:unit_sheet", args=[task.pk])).content.decode()
    cells = re.findall(r'<td class="num">([\d.]+)</td>', html)
    assert cells and not any(c.endswith(".00") for c in cells)
    assert "40" in cells  # an indicator's 分值 of 40 points


def test_word_copy_of_the_sheet(client, world, county_user, login, task):
    response = login(county_user).get(reverse("assessment:unit_sheet_docx", args=[task.pk]))
    assert response.status_code == 200
    assert f"{world.unit.name}-" in unquote(response["Content-Disposition"])
    document = docx_open(response.content)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 15
    assert world.unit.name in section.header.paragraphs[0].text  # the running header
    assert east_asia_font(document.styles["Normal"]) == "仿宋_GB2312"
    text = docx_text(document)
    assert "考核评分表" in text and "最终得分" in text and "大党委（盖章）" in text
    assert "建议：" not in text


@needs_poppler
def test_r21_ranking_print_time_rides_in_every_foot_never_alone_on_a_last_page(world, county_user, login):
    round_ = make_round(world.county)
    finalised_task(round_, world.unit)
    response = login(county_user).get(
        reverse("assessment:ranking_pdf"), {"year": round_.year, "scope": "county", "id": world.county.pk}
    )
    assert response.status_code == 200
    lines = pdf_lines(response.content)
    pages = max(ln.page for ln in lines)
    for page in range(1, pages + 1):
        on_page = [ln.text.replace(" ", "") for ln in lines if ln.page == page]
        assert any(t.startswith("打印时间：") for t in on_page), page
        body = [t for t in on_page if not t.startswith("打印时间：") and not re.match(r"第\d+页/共\d+页", t)]
        assert body, f"page {page} holds only the print time"
