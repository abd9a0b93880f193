"""The community secretary's meeting day (JOURNEYS.md; issue #3 items 4–7): attendance and the
quorum, a passed and a failed vote, a resolution and its follow-up task, the minutes approved at
the next meeting, locked and printed to PDF; the task shows on the next meeting's page."""

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Attendee, Meeting, Minutes
from tests.factories import UserFactory
from tests.meetings.factories import AgendaItemFactory, AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SESSION_SCREENSHOTS")  # a folder: save what the secretary sees, to look at


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def day(world):
    secretary = UserFactory(username="shuji", full_name="李书记", role="secretary", community=world.mine.community)
    now = timezone.now()
    meeting = MeetingFactory(
        committee=world.mine,
        title="第二季度大党委工作会议",
        status=Meeting.Status.NOTIFIED,
        starts_at=max(now - datetime.timedelta(hours=1), timezone.localtime(now).replace(hour=0, minute=1)),
    )
    AgendaItemFactory(meeting=meeting, order=1, title="社区停车秩序整治方案")
    members = [
        AttendeeFactory(meeting=meeting, role=Attendee.Role.MEMBER, name=name, unit=world.unit)
        for name in ("张委员", "王委员", "赵委员")
    ]
    AttendeeFactory(meeting=meeting, role=Attendee.Role.GUEST, name="物业代表")
    nxt = MeetingFactory(
        committee=world.mine,
        title="第三季度大党委工作会议",
        status=Meeting.Status.NOTIFIED,
        starts_at=now + datetime.timedelta(days=7),
    )
    return secretary, meeting, members, nxt


def test_secretary_runs_the_meeting_and_the_minutes(page, login_as, day, world):
    secretary, meeting, members, nxt = day
    base = page.base_url
    login_as(secretary)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    page.get_by_test_id("open-session").click()

    # attendance (item 4): two present, one on leave; the quorum is met before any vote opens
    expect(page.get_by_test_id("quorum")).to_contain_text("未达到法定人数")
    page.get_by_test_id(f"present-{members[0].pk}").click()
    expect(page.get_by_test_id(f"attendance-state-{members[0].pk}")).to_have_text("出席")
    page.get_by_test_id(f"present-{members[1].pk}").click()
    expect(page.get_by_test_id("quorum")).to_contain_text("已达到法定人数")
    page.get_by_test_id(f"select-{members[2].pk}").select_option("leave")
    page.get_by_test_id(f"note-{members[2].pk}").fill("外出培训")
    page.get_by_test_id(f"save-{members[2].pk}").click()
    expect(page.get_by_test_id(f"attendance-state-{members[2].pk}")).to_contain_text("请假：外出培训")
    shot(page, "1-attendance")

    def vote(title: str, choices: list[str]) -> None:
        page.goto(f"{base}/meetings/{meeting.pk}/motions/new/")
        page.fill("input[name=title]", title)
        page.click("button[type=submit].btn-party")
        page.get_by_test_id("open-vote").click()
        expect(page.locator(".alert-success")).to_contain_text("表决已开始")
        for member, choice in zip(members[:2], choices, strict=True):
            page.get_by_test_id(f"{choice}-{member.pk}").click()
            expect(page.get_by_test_id(f"choice-{member.pk}")).not_to_contain_text("未表决")
        page.get_by_test_id("close-vote").click()

    # votes (item 5): 2 of 3 entitled for → passed; 1 for 1 against → failed
    vote("通过停车整治方案", ["for", "for"])
    expect(page.get_by_test_id("motion-result")).to_contain_text("通过")
    expect(page.get_by_test_id("motion-result")).to_contain_text("赞成 2 票，达到通过所需的 2 票")
    shot(page, "2-motion-passed")
    vote("增设收费停车位", ["for", "against"])
    expect(page.get_by_test_id("motion-result")).to_contain_text("未通过")

    # the first vote marked the meeting held (R12.3: votes and status tell one story); a resolution
    # from the passed motion; a follow-up task (item 7)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("meeting-status")).to_have_text("已召开")
    expect(page.get_by_role("button", name="登记为已召开")).to_have_count(0)
    page.get_by_test_id("add-resolution").click()
    page.select_option("select[name=motion]", label="通过停车整治方案")
    page.fill("textarea[name=text]", "实施停车秩序整治方案")
    page.select_option("select[name=responsible_unit]", label="县供电公司")
    deadline = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    page.fill("input[name=deadline]", deadline)
    page.get_by_test_id("save-resolution").click()
    page.locator("[data-testid^=add-task-]").first.click()
    page.fill("input[name=owner_name]", "王主任")
    page.get_by_test_id("save-task").click()
    expect(page.locator("h1")).to_contain_text("实施停车秩序整治方案")

    # the minutes (item 6): draft from the portal's data, circulated, approved at the next meeting,
    # locked, printed
    page.goto(f"{base}/meetings/{meeting.pk}/")
    page.get_by_test_id("create-minutes").click()
    expect(page.locator("textarea[name=body]")).to_contain_text("应到委员 3 人，实到 2 人，请假 1 人")
    page.get_by_test_id("save-minutes").click()
    page.get_by_test_id("circulate").click()
    page.get_by_test_id("approve").click()
    page.select_option("select[name=approved_at_meeting]", index=1)
    page.get_by_test_id("confirm-approve").click()
    expect(page.get_by_test_id("minutes-status")).to_have_text("已审定")
    page.get_by_test_id("lock").click()
    expect(page.get_by_test_id("minutes-status")).to_have_text("已归档锁定")
    expect(page.get_by_test_id("edit-minutes")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("minutes-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    shot(page, "4-minutes")
    if SHOTS:
        download.value.save_as(f"{SHOTS}/minutes.pdf")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == Minutes.Status.LOCKED and minutes.approved_at_meeting == nxt
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MINUTES_APPROVED

    # the open task shows on the next meeting's page (R13) and on the task list
    page.goto(f"{base}/meetings/{meeting.pk}/")
    shot(page, "3-meeting-detail")
    page.goto(f"{base}/meetings/{nxt.pk}/")
    expect(page.locator("body")).to_contain_text("实施停车秩序整治方案")
    page.goto(f"{base}/meetings/tasks/")
    expect(page.locator("table")).to_contain_text(re.compile(r"实施停车秩序整治方案\s+县供电公司"))
