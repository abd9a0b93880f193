"""Browser journey (issue #12, R27): a member's proposal, entered by the unit's liaison on a phone,
is refused with one co-signer too few, tabled with two, registered with its number by the
secretary, assigned to the unit, answered by the liaison on the phone, and closed when the
proposers are satisfied; the half-year report lists it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _switch(page, login_as, user, viewport):
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
    login_as(user)


def test_r27_proposal_tabled_registered_assigned_answered_satisfied(
    page, login_as, liaison_user, secretary_user, world
):
    base = page.base_url

    # On a phone, the liaison enters a joint proposal with only one co-signer: refused, kept.
    _switch(page, login_as, liaison_user, PHONE)
    page.goto(base + "/proposals/new/")
    page.fill("input[name=title]", "关于增设小区充电桩的建议")
    page.fill("textarea[name=problem]", "电动车楼道充电，存在火灾隐患。")
    page.fill("textarea[name=suggestion]", "在小区空地集中建设充电桩。")
    page.fill("input[name=lead_proposer]", "王建国")
    page.fill("textarea[name=co_signers]", "李红")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("body")).to_contain_text("闭会期间须由3名以上党员联名提出，目前只有2人")
    expect(page.locator("input[name=title]")).to_have_value("关于增设小区充电桩的建议")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")

    # A second co-signer, and it is tabled.
    page.fill("textarea[name=co_signers]", "李红\n赵强")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("建议案已提交")
    expect(page.locator("[data-testid=signers]")).to_have_text("李红、赵强")
    detail = page.url

    # The secretary registers it (it gets its number) and assigns it to the liaison's unit.
    _switch(page, login_as, secretary_user, DESKTOP)
    page.goto(detail)
    page.get_by_role("button", name="立案并编号").click()
    expect(page.locator("[data-testid=proposal-number]")).to_have_text(re.compile(r"建〔\d{4}〕1号"))
    page.get_by_label(world.unit.name).check()
    page.get_by_role("button", name="交办").click()
    expect(page.locator("[data-testid=proposal-status]")).to_have_text("办理中")

    # The liaison answers on the phone.
    _switch(page, login_as, liaison_user, PHONE)
    page.goto(detail)
    page.fill("textarea[name=reply]", "已协调场地，建设12个充电桩。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("[data-testid=proposal-status]")).to_have_text("已答复")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")

    # The secretary records that the proposers are satisfied: closed.
    _switch(page, login_as, secretary_user, DESKTOP)
    page.goto(detail)
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="记录评价").click()
    expect(page.locator("[data-testid=proposal-status]")).to_have_text("已办结")
    expect(page.locator("[data-testid=satisfaction]")).to_contain_text("满意")

    page.goto(base + f"/proposals/committee/{world.mine.pk}/report/")
    expect(page.locator("#report-table")).to_contain_text("关于增设小区充电桩的建议")
