"""Browser journey of issue #6 item 5: a county reviewer logs in, opens the reports from the
navigation, finds a unit by name, opens its scoring sheet (read-only) and downloads the PDF,
whose text carries the unit's name, final score and grade."""

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import User
from tests.assessment.report_factories import bulk_finalised, finalised_task, make_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_county_reviewer_finds_a_unit_opens_its_sheet_and_downloads_the_pdf(page, login_as, world):
    reviewer = UserFactory(username="shenhe", full_name="赵审核", role=User.Role.COUNTY, county=world.county)
    round_ = make_round(world.county)
    bulk_finalised(round_, [world.mine.community, world.other.community], 60)  # more than one page of units
    task = finalised_task(round_, world.unit)  # 县供电公司: 92.50, 良好

    login_as(reviewer)
    page.get_by_role("link", name="考核报告").click()  # click 1
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025年度“双百分”考核报告")
    page.get_by_label("单位或社区名称").fill("供电")
    page.get_by_role("button", name="查找").click()
    units = page.get_by_test_id("report-units")
    expect(units.locator("tbody tr")).to_have_count(1)
    expect(units).to_contain_text("92.50")
    units.get_by_role("link", name="县供电公司").click()  # click 2 (the search is optional)

    expect(page.get_by_test_id("unit-name")).to_have_text("县供电公司")
    expect(page.get_by_test_id("final-score")).to_have_text("92.50")
    expect(page.get_by_test_id("grade")).to_have_text("良好")
    expect(page.get_by_text("参加大党委会议")).to_be_visible()
    # read-only: the only form on the page is the log-out in the user menu
    expect(page.locator("main form")).to_have_count(0)
    expect(page.get_by_role("button", name="打印")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("sheet-pdf").click()
    download = download_info.value
    assert download.suggested_filename == "县供电公司-2025年度考核评分表.pdf"
    text = "".join(p.extract_text() for p in PdfReader(download.path()).pages)
    text = text.replace(" ", "")
    assert "县供电公司" in text and "92.50" in text and "良好" in text
    assert str(task.final_score) == "92.50"
