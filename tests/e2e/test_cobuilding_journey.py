"""Browser journey (issue #4, R17): a liaison on a phone fills three pledges of different kinds and
submits them; the secretary returns one with a comment; the liaison sees the comment, fixes it and
resubmits; the secretary accepts; the overview shows the new figures (then a fulfilment report
is confirmed and the fulfilment % appears)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

PLEDGES = [
    ("资金", "资助困难党员", "10000"),
    ("人才", "派驻电工志愿者", "3000"),
    ("教育", "开设家长课堂", "2000"),
]


def _switch(page, login_as, user, viewport):
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
    login_as(user)


def _fill_pledge(page, kind, title, value):
    page.get_by_label(kind, exact=True).check()
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", f"{title}：具体安排")
    page.fill("input[name=value]", value)
    page.fill("input[name=contact_phone]", "13800000000")
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交社区审核")


def test_liaison_pledges_secretary_returns_and_accepts(page, login_as, liaison_user, secretary_user, world):
    base = page.base_url

    # The liaison logs in on a phone and lands on the workspace with a clear next step.
    _switch(page, login_as, liaison_user, PHONE)
    expect(page).to_have_url(re.compile(r"/dashboard/liaison/$"))  # issue #7: the dashboard
    expect(page.locator("#next-step")).to_contain_text("共建承诺")
    for kind, title, value in PLEDGES:
        if kind == "资金":  # the first one through the next-step button, as a person would
            page.locator("#next-step a").click()
        else:
            page.goto(base + "/cobuilding/pledges/new/")
        _fill_pledge(page, kind, title, value)
    cards = page.locator("#pledge-cards")
    for _kind, title, _value in PLEDGES:
        expect(cards).to_contain_text(title)
    expect(cards).to_contain_text("待审核")

    # The secretary returns one of them with a comment.
    _switch(page, login_as, secretary_user, DESKTOP)
    page.goto(base + "/cobuilding/pledges/?status=submitted")
    row = page.locator("#pledge-table tr", has_text="派驻电工志愿者")
    row.get_by_role("link", name="退回").click()
    page.fill("textarea[name=comment]", "请写明每月派驻的人数和时间")
    page.get_by_role("button", name="退回").click()
    expect(page.locator(".alert-success")).to_contain_text("退回单位修改")

    # The liaison sees the comment at the top of the workspace, fixes the pledge and resubmits.
    _switch(page, login_as, liaison_user, PHONE)
    expect(page.locator("#next-step")).to_contain_text("退回")
    expect(page.locator(".review-comment")).to_have_text("请写明每月派驻的人数和时间")
    page.locator("#next-step a").click()
    expect(page.locator("#review-comment")).to_contain_text("请写明每月派驻的人数和时间")
    page.fill("input[name=quantity]", "每月2人，每周六上午")
    page.get_by_role("button", name="保存并重新提交").click()
    expect(page.locator(".alert-success")).to_contain_text("重新提交")

    # The secretary accepts all three.
    _switch(page, login_as, secretary_user, DESKTOP)
    page.goto(base + "/cobuilding/pledges/?status=submitted")
    for _ in PLEDGES:
        page.locator("#pledge-table").get_by_role("button", name="接受").first.click()
        expect(page.locator(".alert-success")).to_contain_text("已接受")
    expect(page.locator("#pledge-table")).to_contain_text("没有符合条件的承诺")

    # The overview shows the new figures: three accepted pledges, fulfilment 0 % so far.
    page.goto(base + "/cobuilding/overview/")
    row = page.locator(f"#overview-table tr[data-unit='{world.unit.name}']")
    expect(row.locator("td.percent")).to_have_text("0%")
    expect(row).to_contain_text("¥15,000.00")

    # The liaison reports the funds pledge fully delivered; the secretary confirms it.
    _switch(page, login_as, liaison_user, PHONE)
    expect(page.locator("#next-step")).to_contain_text("兑现")
    page.goto(base + "/cobuilding/pledges/")
    page.locator("#pledge-cards").get_by_role("link", name="资金：资助困难党员").click()
    page.get_by_role("link", name="报告兑现情况").click()
    page.fill("textarea[name=text]", "已向20名困难党员发放慰问金")
    page.fill("input[name=amount]", "10000")
    page.get_by_role("button", name="提交兑现报告").click()
    expect(page.locator(".alert-success")).to_contain_text("等待社区确认")
    expect(page.get_by_role("button", name="确认兑现")).to_have_count(0)

    _switch(page, login_as, secretary_user, DESKTOP)
    page.goto(base + "/cobuilding/pledges/")
    page.locator("#pledge-table").get_by_role("link", name="资助困难党员").click()
    page.get_by_role("button", name="确认兑现").click()
    expect(page.locator("#pledge-percent")).to_contain_text("100%")
    page.goto(base + "/cobuilding/overview/")
    row = page.locator(f"#overview-table tr[data-unit='{world.unit.name}']")
    expect(row.locator("td.percent")).to_have_text("33%")
    expect(page.locator("#overall-percent")).to_have_text("33%")
