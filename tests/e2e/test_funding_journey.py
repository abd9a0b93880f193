"""Browser journey of issue #5: the secretary creates a share plan, links the passed resolution,
activates it, records a partial and a full payment; the arrears list and the charts update; the
township's page shows the committee."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from funding import services
from funding.models import SharePlan
from tests.factories import UnitFactory, UserFactory
from tests.funding.factories import MeetingFactory, pass_plan_motion

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_share_plan_payments_and_township_view(page, login_as, world):
    today = timezone.localdate()
    secretary = UserFactory(username="shuji", role=User.Role.SECRETARY, community=world.mine.community)
    township = UserFactory(username="zhen", role=User.Role.TOWNSHIP, township=world.township)
    a, b = world.unit, world.sibling_unit  # 县供电公司, 县第一中学
    c = UnitFactory(community=world.mine.community, name="城关小学")
    fy = services.fiscal_year_open(actor=secretary, committee=world.mine, year=today.year)
    meeting = MeetingFactory(committee=world.mine)  # held: it can still take a motion
    due_on = today - datetime.timedelta(days=30)

    login_as(secretary)
    page.goto(page.base_url + "/funding/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{today.year}年度经费")
    expect(page.get_by_text("本年度尚无生效的分摊方案")).to_be_visible()

    # 1. a draft plan: two units by percentage, one with a fixed amount
    page.get_by_role("link", name="新建分摊方案").click()
    page.fill("input[name=total]", "10000.01")
    page.fill("input[name=due_on]", due_on.isoformat())
    page.select_option(f"select[name=kind_{a.pk}]", "percent")
    page.fill(f"input[name=value_{a.pk}]", "50")
    page.select_option(f"select[name=kind_{b.pk}]", "percent")
    page.fill(f"input[name=value_{b.pk}]", "50")
    page.select_option(f"select[name=kind_{c.pk}]", "fixed")
    page.fill(f"input[name=value_{c.pk}]", "1000.00")
    page.get_by_role("button", name="保存草案").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("草案")
    lines = page.locator("#plan-lines")
    # 9,000.01 split 50/50: the odd fen goes to the first largest remainder, and it is shown
    expect(lines.locator("tr", has_text="县供电公司")).to_contain_text("¥4,500.01")
    expect(lines.locator("tr", has_text="县供电公司")).to_contain_text("+0.005")
    expect(lines.locator("tr", has_text="县第一中学")).to_contain_text("¥4,500.00")
    expect(page.get_by_test_id("plan-sum")).to_have_text("¥10,000.01")

    # 2. the plan is put to a meeting (the motion is made from it), passes, and its resolution
    # activates it (issue #11 item 12: tests/e2e/test_share_plan_decision_journey.py shows the refusals)
    page.select_option("select[name=meeting]", str(meeting.pk))
    page.get_by_role("button", name="提交会议表决").click()
    expect(page.get_by_test_id("plan-motion")).to_contain_text("出资分摊方案")
    plan = SharePlan.objects.get(fiscal_year=fy)
    pass_plan_motion(plan)
    page.reload()
    page.get_by_role("button", name="依据决议生效").click()
    expect(page.get_by_test_id("resolution")).to_contain_text("表决通过")
    expect(page.get_by_test_id("plan-status")).to_have_text("执行中")

    # 3. a partial payment of 县供电公司 and the full share of 城关小学
    page.goto(page.base_url + f"/funding/years/{fy.pk}/")
    expect(page.get_by_test_id("outstanding-total")).to_have_text("¥10,000.01")
    page.get_by_role("link", name="登记单位缴款").first.click()
    page.select_option("select[name=unit]", str(a.pk))
    page.fill("input[name=amount]", "1000.00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(re.compile(r"已登记缴款，收据编号 \d{4}-0001"))).to_be_visible()
    expect(page.get_by_test_id("amount")).to_contain_text("壹仟元整")
    page.goto(page.base_url + f"/funding/years/{fy.pk}/arrears/")
    arrears = page.locator("#arrears-table")
    expect(arrears.locator("tr", has_text="县供电公司")).to_contain_text("¥3,500.01")
    expect(arrears.locator("tr", has_text="县供电公司")).to_contain_text("30")
    expect(arrears.locator("tr", has_text="城关小学")).to_contain_text("¥1,000.00")
    arrears.locator("tr", has_text="城关小学").get_by_role("link", name="登记缴款").click()
    expect(page.locator("select[name=unit]")).to_have_value(str(c.pk))
    page.fill("input[name=amount]", "1000.00")
    page.select_option("select[name=method]", "cash")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(re.compile(r"收据编号 \d{4}-0002"))).to_be_visible()

    # 4. the arrears list and the charts follow
    page.goto(page.base_url + f"/funding/years/{fy.pk}/arrears/")
    expect(page.locator("#arrears-table")).not_to_contain_text("城关小学")
    expect(page.locator("#arrears-table tr", has_text="县供电公司")).to_contain_text("¥3,500.01")
    expect(page.locator("#payments-table tbody tr")).to_have_count(2)
    page.goto(page.base_url + f"/funding/years/{fy.pk}/")
    expect(page.get_by_test_id("paid-total")).to_have_text("¥2,000.00")
    expect(page.get_by_test_id("outstanding-total")).to_have_text("¥8,000.01")
    chart = page.get_by_test_id("share-chart")
    expect(chart.locator("svg")).to_contain_text("¥1,000.00 / ¥4,500.01")
    expect(chart.locator("svg")).to_contain_text("¥1,000.00 / ¥1,000.00")
    expect(page.locator("#income-by-source")).to_contain_text("¥2,000.00")
    expect(page.get_by_test_id("balance")).to_have_text("¥2,000.00")

    # 5. the township sees the committee beside the others
    page.context.clear_cookies()
    login_as(township)
    page.goto(page.base_url + "/funding/")
    row = page.locator("#township-table tr", has_text=world.mine.name)
    expect(row).to_contain_text("¥2,000.00")
    expect(row).to_contain_text("¥8,000.01")
    expect(page.locator("#township-table")).to_contain_text(world.sibling.name)
    expect(page.locator("svg.chart")).to_contain_text(world.mine.community.name)
