"""Journeys of three gaps closed late:
- R9: the secretary changes a notified meeting's agenda and place; the page says an update notice
  will go out (one per attendee, batched); once it has, the member reads "会议通知变更" in the inbox;
- R17: a liaison withdraws a project claim with a reason; the place frees up; the secretary is told;
- R23: the secretary voids a spending line; the ledger strikes it through and the totals drop it.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from cobuilding import services as cobuilding_services
from funding import services as funding_services
from inbox import services as inbox_services
from inbox.models import Message
from meetings.models import AgendaItem, Attendee, ChangeNotice, Meeting
from meetings.services import scheduling
from tests.funding.factories import FiscalYearFactory
from tests.meetings.conftest import board  # noqa: F401 - the committee with members in force

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # looked at by a person, not asserted


def test_agenda_change_sends_one_update_notice(page, login_as, board, secretary_user):  # noqa: F811
    member = board.member_users[0]
    start = (timezone.localtime() + datetime.timedelta(days=6)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = scheduling.meeting_schedule(
        actor=secretary_user,
        committee=board.committee,
        kind=Meeting.Kind.WORK,
        title="第四季度工作会议",
        starts_at=start,
        duration_minutes=120,
        place="党群服务中心",
    )
    scheduling.agenda_item_add(
        actor=secretary_user, meeting=meeting, category=AgendaItem.Category.PARTY_BUILDING, title="文明创建"
    )
    scheduling.attendee_add(
        actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="赵科长", email="g@example.cn"
    )
    scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    inbox_services.outbox_sweep()

    login_as(secretary_user)
    page.goto(page.base_url + meeting.get_absolute_url())
    page.get_by_test_id("add-agenda").click()
    page.check("input[name=category][value=c]")
    page.fill("input[name=title]", "居民停车难诉求办理")
    page.fill("input[name=planned_minutes]", "20")
    page.get_by_role("button", name="保存议题").click()
    page.get_by_text("议题已添加").wait_for()
    page.get_by_role("link", name="修改/改期").click()
    page.fill("input[name=place]", "社区二楼会议室")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("会议信息已保存").wait_for()
    box = page.get_by_test_id("change-notice-1").inner_text()
    assert "第 1 次变更通知将于" in box and "发给 4 人" in box
    assert "新增议题：居民停车难诉求办理" in box and "地点：党群服务中心 → 社区二楼会议室" in box
    page.screenshot(path=str(SHOTS / "polish_meeting_pending.png"), full_page=True)

    # five minutes later the sweep sends it (the delay is moved into the past instead of waiting)
    past = timezone.now() - datetime.timedelta(seconds=1)
    ChangeNotice.objects.update(due_at=past)
    Message.objects.filter(kind="meeting_change").update(due_at=past)
    assert len(inbox_services.outbox_sweep().sent) == 4
    page.reload()
    assert "已于" in page.get_by_test_id("change-notice-1").inner_text()
    assert "已送达 4 人" in page.get_by_test_id("change-notice-1").inner_text()

    page.context.clear_cookies()
    login_as(member)
    page.get_by_test_id("inbox-nav").click()
    page.get_by_text("【会议通知变更】第四季度工作会议").click()
    body = page.locator("article").inner_text()
    assert "新增议题：居民停车难诉求办理" in body and "地点：党群服务中心 → 社区二楼会议室" in body
    page.screenshot(path=str(SHOTS / "polish_meeting_inbox.png"), full_page=True)


def test_liaison_withdraws_a_claim_and_the_secretary_is_told(page, login_as, world, liaison_user, secretary_user):
    today = timezone.localdate()
    project = cobuilding_services.project_publish(
        actor=secretary_user,
        committee=world.mine,
        title="楼道照明改造",
        need="更换楼道灯",
        place="陵园小区",
        budget=Decimal("12000"),
        claim_by=today + datetime.timedelta(days=10),
        deadline=today + datetime.timedelta(days=40),
        places=1,
    )
    claim = cobuilding_services.project_claim(actor=liaison_user, project=project, unit=world.unit)

    login_as(liaison_user)
    page.goto(page.base_url + claim.get_absolute_url())
    page.get_by_test_id("withdraw-claim").click()
    page.get_by_role("button", name="确认撤回").click()
    assert page.get_by_text("这个字段是必填项").first.is_visible()
    page.fill("textarea[name=reason]", "单位人员调整，无力按期完成")
    page.get_by_role("button", name="确认撤回").click()
    page.get_by_text("认领已撤回，名额已释放").wait_for()
    assert "撤回原因：单位人员调整，无力按期完成" in page.get_by_test_id("claim-withdrawn").inner_text()
    assert page.get_by_test_id("withdraw-claim").count() == 0
    page.goto(page.base_url + project.get_absolute_url())
    assert "剩余 1 个" in page.locator("#places").inner_text()
    page.screenshot(path=str(SHOTS / "polish_claim.png"), full_page=True)

    page.context.clear_cookies()
    login_as(secretary_user)
    page.get_by_test_id("inbox-nav").click()
    page.get_by_text("撤回了公益项目“楼道照明改造”的认领").click()
    assert "单位人员调整，无力按期完成" in page.locator("article").inner_text()


def test_secretary_voids_a_spending_line(page, login_as, world, secretary_user):
    fy = FiscalYearFactory(committee=world.mine, year=2026)
    day = datetime.date(2026, 3, 1)
    funding_services.income_record(
        actor=secretary_user, fiscal_year=fy, source="appropriation", received_on=day, amount=Decimal("5000.00")
    )
    spent = funding_services.expense_record(
        actor=secretary_user,
        fiscal_year=fy,
        category="activities",
        spent_on=day,
        amount=Decimal("1200.00"),
        payee="印刷厂",
    )

    login_as(secretary_user)
    page.goto(page.base_url + f"/funding/years/{fy.pk}/ledger/")
    page.get_by_test_id(f"void-expense-{spent.pk}").click()
    page.fill("textarea[name=reason]", "发票作废，款项未支付")
    page.get_by_role("button", name="确认作废").click()
    page.get_by_text("该笔支出已作废").wait_for()
    row = page.get_by_test_id(f"voided-expense-{spent.pk}")
    assert "已作废" in row.inner_text() and "发票作废，款项未支付" in row.inner_text()
    assert row.locator("del").count() >= 3
    total = page.locator("#ledger-table tr.fw-bold").inner_text()
    assert "¥5,000.00" in total and "¥0.00" in total
    page.screenshot(path=str(SHOTS / "polish_ledger.png"), full_page=True)
