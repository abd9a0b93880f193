"""The secretary in the meeting room with a phone (issue #15, "done when"): at 390 × 844 the
attendance sheet keeps 出席 / 缺席 / 保存 on screen, and a vote is opened, cast member by member
and closed, without the page ever scrolling sideways."""

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.test_meeting_session_journey import day  # noqa: F401 - the meeting-day fixture

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("SESSION_SCREENSHOTS")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 390 px phone"


def _on_screen(page, test_id: str) -> None:
    """Visible inside the phone's width (not behind a sideways scroll)."""
    locator = page.get_by_test_id(test_id)
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (test_id, box)


def test_secretary_takes_attendance_and_a_vote_on_a_phone(page, login_as, day):  # noqa: F811
    secretary, meeting, members, _next = day
    page.set_viewport_size(PHONE)
    login_as(secretary)
    page.goto(f"{page.base_url}/meetings/{meeting.pk}/")
    _fits(page)
    page.get_by_test_id("open-session").click()
    _fits(page)
    for member in members:
        _on_screen(page, f"present-{member.pk}")
        _on_screen(page, f"save-{member.pk}")
    page.get_by_test_id(f"present-{members[0].pk}").click()
    expect(page.get_by_test_id(f"attendance-state-{members[0].pk}")).to_have_text("出席")
    page.get_by_test_id(f"present-{members[1].pk}").click()
    expect(page.get_by_test_id("quorum")).to_contain_text("已达到法定人数")
    page.get_by_test_id(f"select-{members[2].pk}").select_option("leave")
    page.get_by_test_id(f"note-{members[2].pk}").fill("外出培训")
    page.get_by_test_id(f"save-{members[2].pk}").click()
    expect(page.get_by_test_id(f"attendance-state-{members[2].pk}")).to_contain_text("请假：外出培训")
    _fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/phone-attendance.png", full_page=True)

    page.goto(f"{page.base_url}/meetings/{meeting.pk}/motions/new/")
    _fits(page)
    page.fill("input[name=title]", "通过停车整治方案")
    page.click("button[type=submit].btn-party")
    page.get_by_test_id("open-vote").click()
    expect(page.locator(".alert-success")).to_contain_text("表决已开始")
    _fits(page)
    for member in members[:2]:
        _on_screen(page, f"for-{member.pk}")
        page.get_by_test_id(f"for-{member.pk}").click()
        expect(page.get_by_test_id(f"choice-{member.pk}")).not_to_contain_text("未表决")
    _on_screen(page, "close-vote")
    page.get_by_test_id("close-vote").click()
    expect(page.get_by_test_id("motion-result")).to_contain_text("赞成 2 票，达到通过所需的 2 票")
    _fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/phone-motion.png", full_page=True)
