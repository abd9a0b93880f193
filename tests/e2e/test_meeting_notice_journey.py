"""Journey (issue #3): the secretary schedules a meeting with two agenda items and publishes it;
a member with an account logs in, sees the unread badge, finds the notice in the inbox and
confirms; the secretary sees the reply."""

import datetime

import pytest
from django.utils import timezone

from tests.meetings.conftest import board  # noqa: F401 - the committee with members in force

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_publishes_member_confirms_from_the_inbox(page, login_as, board, secretary_user):  # noqa: F811
    member = board.member_users[0]
    start = timezone.localtime() + datetime.timedelta(days=5)
    start = start.replace(hour=14, minute=30, second=0, microsecond=0)

    # the secretary schedules the meeting
    login_as(secretary_user)
    page.goto(page.base_url + "/meetings/")
    page.get_by_role("link", name="安排会议").click()
    page.fill("input[name=title]", "第四季度工作会议")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=duration_minutes]", "90")
    page.fill("input[name=place]", "社区党群服务中心二楼")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("会议已创建（草稿）").wait_for()
    assert page.get_by_text("李书记").first.is_visible()  # R10: the secretary in office chairs

    for title, category in (("辖区文明创建工作推进", "a"), ("居民停车难诉求办理", "c")):
        page.get_by_test_id("add-agenda").click()
        page.check(f"input[name=category][value={category}]")
        page.fill("input[name=title]", title)
        page.fill("input[name=planned_minutes]", "30")
        page.get_by_role("button", name="保存议题").click()
        page.get_by_text("议题已添加").wait_for()
    page.get_by_test_id("publish").click()
    page.get_by_text("会议通知已发布").wait_for()
    assert page.get_by_test_id("meeting-status").inner_text() == "已通知"

    # the member logs in, sees the badge and the notice
    page.context.clear_cookies()
    login_as(member)
    badge = page.get_by_test_id("inbox-unread")
    assert badge.inner_text() == "1"
    page.get_by_test_id("inbox-nav").click()
    page.get_by_text("【会议通知】第四季度工作会议").click()
    body = page.locator("article").inner_text()
    assert "社区党群服务中心二楼" in body and "辖区文明创建工作推进" in body and "居民停车难诉求办理" in body
    assert f"{start.month}月{start.day}日 14:30" in body
    page.get_by_test_id("message-link").click()
    page.check("input[name=reply][value=confirmed]")
    page.get_by_test_id("submit-reply").click()
    page.get_by_text("回执已提交").wait_for()
    assert "您的回执：确认参加" in page.get_by_test_id("my-reply").inner_text()
    assert page.get_by_test_id("inbox-unread").count() == 0  # read now

    # the secretary sees the reply
    page.context.clear_cookies()
    login_as(secretary_user)
    page.goto(page.base_url + "/meetings/")
    page.get_by_role("link", name="第四季度工作会议").click()
    assert "确认参加 1 人" in page.get_by_test_id("reply-summary").inner_text()
    attendee = board.committee.meetings.get().attendees.get(user=member)
    assert "确认参加" in page.get_by_test_id(f"attendee-{attendee.pk}").inner_text()
