"""Browser journey of R21 "township schemes may refine it": township staff open the county's
published scheme, make their township's refinement, are refused a change of a county item's
points with a message, change its guidance instead, publish, and the county page lists it."""

import pytest
from playwright.sync_api import expect

from tests.assessment.scoring_factories import published_scheme

pytestmark = pytest.mark.django_db(transaction=True)


def test_township_staff_refine_the_county_scheme_and_publish(page, login_as, world, township_user, admin_user):
    county_scheme = published_scheme(admin_user, world.county)

    login_as(township_user)
    page.goto(page.base_url + county_scheme.get_absolute_url())
    page.get_by_role("link", name="制定镇（街道）细化方案").click()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("refinement-of")).to_contain_text("城关镇细化方案")

    row = page.locator("tr", has_text="参加会议")
    row.get_by_role("link", name="修改").click()
    page.fill("input[name=max_points]", "45")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("不能修改县级方案指标")).to_be_visible()
    page.fill("input[name=max_points]", "40")
    page.fill("textarea[name=guidance]", "每参加一次季度会议得10分")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("每参加一次季度会议得10分")).to_be_visible()

    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已发布")

    page.goto(page.base_url + county_scheme.get_absolute_url())
    expect(page.locator("#refinements")).to_contain_text("城关镇")
    expect(page.locator("#refinements")).to_contain_text("已发布")
