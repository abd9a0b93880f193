"""Browser journey of issue #11 item 12 (R23.1): the secretary's draft share plan is refused
activation — first because no meeting has voted on it, then because an unrelated passed resolution
cannot fund it — each with its Chinese reason on the page; put to a meeting, the motion made from
the plan names it and its year, and the resolution formed from that motion activates it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from funding import services
from funding.models import SharePlan
from tests.factories import UserFactory
from tests.funding.factories import MeetingFactory, pass_plan_motion, resolution_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_r23_a_share_plan_is_funded_only_by_its_own_resolution(page, login_as, world):
    year = timezone.localdate().year
    secretary = UserFactory(username="shuji", role=User.Role.SECRETARY, community=world.mine.community)
    fy = services.fiscal_year_open(actor=secretary, committee=world.mine, year=year)
    plan = services.share_plan_create(
        actor=secretary,
        fiscal_year=fy,
        total="6000.00",
        due_on=timezone.localdate(),
        lines=[services.ShareInput(unit=u, kind="percent", value=50) for u in (world.unit, world.sibling_unit)],
    )
    unrelated = resolution_for(world.mine, text="通过春季环境卫生整治方案")
    meeting = MeetingFactory(committee=world.mine, title="第二季度大党委工作会议")

    login_as(secretary)
    page.goto(page.base_url + plan.get_absolute_url())
    expect(page.get_by_test_id("plan-status")).to_have_text("草案")
    expect(page.get_by_test_id("plan-motion")).to_contain_text("尚未提交会议表决")

    # 1. activation before any vote: refused, with the reason
    page.get_by_role("button", name="依据决议生效").click()
    expect(page.get_by_text("本方案尚未提交大党委会议表决")).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_have_text("草案")

    # 2. an unrelated passed resolution (sent as a crafted form post) cannot fund it
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    page.evaluate(
        """([url, token, pk]) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        for (const [k, v] of [['csrfmiddlewaretoken', token], ['resolution', pk]]) {
          const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit(); }""",
        [f"/funding/shares/{plan.pk}/resolution/", token, str(unrelated.pk)],
    )
    expect(page.get_by_text("本方案尚未提交大党委会议表决")).to_be_visible()
    assert SharePlan.objects.get(pk=plan.pk).resolution_id is None

    # 3. put to the meeting: the motion is made from the plan and names it and its year
    page.select_option("select[name=meeting]", str(meeting.pk))
    page.get_by_role("button", name="提交会议表决").click()
    expect(page.get_by_text("已提交“第二季度大党委工作会议”表决")).to_be_visible()
    expect(page.get_by_test_id("plan-motion")).to_contain_text(f"{year}年度成员单位出资分摊方案（第1版）")

    # 4. the unrelated resolution is still refused, now for what it is
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    page.evaluate(
        """([url, token, pk]) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        for (const [k, v] of [['csrfmiddlewaretoken', token], ['resolution', pk]]) {
          const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit(); }""",
        [f"/funding/shares/{plan.pk}/resolution/", token, str(unrelated.pk)],
    )
    expect(page.get_by_text("只能依据由本方案提交表决并通过的决议生效")).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_have_text("草案")

    # 5. the meeting passes the plan's own motion and forms its resolution: now it activates
    pass_plan_motion(plan)
    page.reload()
    page.get_by_role("button", name="依据决议生效").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("执行中")
    expect(page.get_by_test_id("resolution")).to_contain_text("表决通过")
