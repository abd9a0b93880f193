"""Browser journey (issue #12, R28): the secretary collects a resident's need, sees the suggested
unit and asks it; the unit's liaison accepts on a phone, then reports it done; the secretary
records the return visit and the need shows 回访 at the end of its path."""

import pytest
from playwright.sync_api import expect

from needs import services

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _switch(page, login_as, user, viewport):
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
    login_as(user)


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_r28_need_collected_matched_accepted_done_visited(page, login_as, secretary_user, liaison_user, world):
    base = page.base_url
    services.resource_save(
        actor=liaison_user, unit=world.unit, kind="skill", title="电工志愿服务队", categories=["safety"]
    )

    _switch(page, login_as, secretary_user, DESKTOP)
    page.goto(base + "/needs/new/")
    page.fill("input[name=title]", "3号楼楼道照明灯损坏")
    page.select_option("select[name=category]", label="安全稳定")
    page.fill("input[name=building]", "3号楼")
    page.fill("input[name=asked_by]", "张大爷")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("[data-testid=need-status]")).to_have_text("收集")
    expect(page.locator("[data-testid=suggestions]")).to_contain_text("可提供：电工志愿服务队")
    page.select_option("select[name=unit]", label=world.unit.name)
    page.get_by_role("button", name="发送认领请求").click()
    expect(page.locator(".alert-success")).to_contain_text("已请单位认领")
    detail = page.url

    _switch(page, login_as, liaison_user, PHONE)
    page.goto(detail)
    _fits(page)
    page.get_by_role("button", name="接受认领").click()
    expect(page.locator("[data-testid=need-status]")).to_have_text("认领")
    page.fill("textarea[name=note]", "已更换12盏感应灯。")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("[data-testid=need-status]")).to_have_text("办结")
    _fits(page)

    _switch(page, login_as, secretary_user, DESKTOP)
    page.goto(detail)
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="记录回访").click()
    expect(page.locator("[data-testid=need-status]")).to_have_text("回访")
    expect(page.locator("[data-testid=need-feedback]")).to_contain_text("居民满意")
