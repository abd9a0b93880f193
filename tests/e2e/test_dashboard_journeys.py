"""Issue #7 item 2 browser journeys: each role logs in through the form, lands on its dashboard
and sees the right figures (hand-built data, see tests/dashboards/builders.py)."""

import re
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from tests.dashboards import builders as b

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(world, secretary_user, liaison_user):
    b.meeting(world.sibling)  # the sibling held its meeting this period; 陵园社区 did not (R8)
    b.vacancy(world.mine, opened_days_ago=7)
    b.task(world.mine, world.unit, due=b.days(-3), title="修缮活动阵地")
    b.shares(
        world.mine,
        {world.unit: D("1000.00"), world.sibling_unit: D("700.00")},
        paid={world.unit: D("400.00"), world.sibling_unit: D("700.00")},
        actor=secretary_user,
    )
    b.pledge(world.mine, world.unit, title="电力安全培训", actor=liaison_user)
    b.pledge(world.mine, world.sibling_unit, title="开放学校操场", actor=liaison_user)
    rnd = b.scoring_round(world.county, released=True)
    b.score(rnd, world.unit, "86.50", "良好")
    b.score(rnd, world.other_unit, "93.00", "优秀")
    b.score(b.scoring_round(world.foreign.community.township.county), world.foreign_unit, "99.00", "优秀")
    return world


def _switch(page, login_as, user):
    page.context.clear_cookies()
    login_as(user)


def test_each_role_lands_on_its_dashboard(
    page, login_as, data, township_user, secretary_user, liaison_user, county_user
):
    # township staff: the red flags of their communities
    _switch(page, login_as, township_user)
    expect(page).to_have_url(re.compile(r"/dashboard/township/$"))
    expect(page.get_by_test_id("card-no-meeting")).to_contain_text("1")
    expect(page.get_by_test_id("card-overdue")).to_contain_text("1")
    expect(page.get_by_test_id("card-arrears")).to_contain_text("¥600.00")
    mine = page.locator('#community-table tr[data-community="陵园社区"]')
    expect(mine).to_contain_text("本期尚未召开")
    expect(mine).to_contain_text("委员空缺 7 天")
    expect(mine).to_contain_text("¥600.00")
    expect(page.locator('#community-table tr[data-community="东关社区"]')).to_contain_text("本期已开 1 次")
    expect(page.locator("#community-table")).not_to_contain_text("河西社区")

    # the community secretary: tasks due and pledges to review
    _switch(page, login_as, secretary_user)
    expect(page).to_have_url(re.compile(r"/dashboard/secretary/$"))
    expect(page.get_by_test_id("card-pledges")).to_contain_text("2")
    expect(page.locator("#tasks")).to_contain_text("修缮活动阵地")
    expect(page.locator("#tasks")).to_contain_text("已逾期")
    page.locator("#pledges").get_by_role("link", name=re.compile("电力安全培训")).click()
    expect(page).to_have_url(re.compile(r"/cobuilding/pledges/\d+/$"))

    # the unit liaison: their own unit only
    _switch(page, login_as, liaison_user)
    expect(page).to_have_url(re.compile(r"/dashboard/liaison/$"))
    expect(page.get_by_test_id("card-dues")).to_contain_text("¥600.00")
    expect(page.locator("#pledges")).to_contain_text("电力安全培训")
    expect(page.locator("#assessment")).to_contain_text("86.50")
    body = page.locator("main")
    expect(body).not_to_contain_text("开放学校操场")
    expect(body).not_to_contain_text("93.00")

    # the county reviewer: the county's ranking, not another county's
    _switch(page, login_as, county_user)
    expect(page).to_have_url(re.compile(r"/dashboard/county/$"))
    rows = page.locator("#ranking-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("河西医院")
    expect(rows.nth(1)).to_contain_text("县供电公司")
    expect(page.locator("main")).not_to_contain_text("外县银行")
