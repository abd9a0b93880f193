"""Browser journeys of issue #11 items 7 and 9 (R8, R12.3): what the community secretary sees
when the portal refuses to shrink the entitled base of a meeting, and when she enters a meeting
held offline afterwards (补录) — first without a reason (refused, her input kept), then with one."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Post
from meetings.models import Attendee, Meeting
from meetings.services import scheduling
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secretary(world):
    user = UserFactory(username="shuji", full_name="李书记", role="secretary", community=world.mine.community)
    for name, unit in (("张委员", world.unit), ("王委员", world.sibling_unit)):
        PostFactory(
            committee=world.mine,
            holder_name=name,
            unit=unit,
            status=Post.Status.IN_FORCE,
            in_force_from=datetime.date(2024, 1, 2),
        )
    return user


def test_r12_3_secretary_cannot_remove_an_entitled_member_but_can_remove_a_guest(page, login_as, secretary, world):
    meeting = scheduling.meeting_schedule(
        actor=secretary,
        committee=world.mine,
        kind=Meeting.Kind.WORK,
        title="第四季度大党委工作会议",
        starts_at=timezone.now() + datetime.timedelta(days=6),
        duration_minutes=120,
        place="党群服务中心",
    )
    guest = scheduling.attendee_add(actor=secretary, meeting=meeting, role=Attendee.Role.GUEST, name="物业代表")
    member = meeting.attendees.get(name="张委员")
    login_as(secretary)
    page.goto(f"{page.base_url}/meetings/{meeting.pk}/")
    row = page.locator("tr", has_text="张委员")
    row.get_by_role("button", name="移除").click()
    expect(page.locator(".alert-danger")).to_contain_text(
        "张委员 是会议当天在任的本届委员，属于应到会人员，不能从名单中删除；不能参会的，请登记请假或缺席。"
    )
    expect(page.locator("tr", has_text="张委员")).to_have_count(1)
    assert meeting.attendees.filter(pk=member.pk, role=Attendee.Role.MEMBER).exists()
    page.locator("tr", has_text="物业代表").get_by_role("button", name="移除").click()
    expect(page.locator(".alert-success")).to_contain_text("已从参会名单中移除")
    expect(page.locator("tr", has_text="物业代表")).to_have_count(0)
    assert not meeting.attendees.filter(pk=guest.pk).exists()


def test_r8_secretary_enters_a_meeting_held_offline_afterwards(page, login_as, secretary, world):
    day = timezone.localdate() - datetime.timedelta(days=20)
    login_as(secretary)
    page.goto(f"{page.base_url}/meetings/")
    page.get_by_test_id(f"record-past-{world.mine.pk}").click()
    page.fill("input[name=title]", "线下召开的工作会议")
    page.fill("input[name=starts_at]", f"{day.isoformat()}T09:00")
    page.fill("input[name=place]", "社区党群服务中心")
    page.get_by_test_id("record-past").click()
    # refused without a reason, in Chinese, and nothing typed is lost
    expect(page.get_by_test_id("past-form")).to_contain_text("请填写补录原因")
    expect(page.locator("input[name=title]")).to_have_value("线下召开的工作会议")
    assert not Meeting.objects.filter(committee=world.mine).exists()
    page.fill("textarea[name=reason]", "停电，会议在线下召开，当时未能登记")
    page.get_by_test_id("record-past").click()
    expect(page.locator(".alert-success")).to_contain_text("未发送任何通知")
    expect(page.get_by_test_id("meeting-status")).to_have_text("已召开")
    expect(page.get_by_test_id("entered-afterwards")).to_have_text("会后补录")
    expect(page.get_by_test_id("entered-reason")).to_contain_text("停电，会议在线下召开")
    expect(page.locator("body")).to_contain_text("张委员")
    page.goto(f"{page.base_url}/meetings/?year={day.year}")
    expect(page.locator("tr", has_text="线下召开的工作会议")).to_contain_text(re.compile("已召开\\s*会后补录"))
    meeting = Meeting.objects.get(committee=world.mine)
    assert meeting.entered_afterwards and meeting.status == Meeting.Status.HELD
