"""Browser journey of R22 (issue #6 item 4): the secretary creates and opens the yearly member
review and prints reviewer codes; a reviewer without an account votes with a code; the secretary
enters the paper tally, closes the review and sees the flagged member with the P2 outcome."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import UserFactory
from tests.reviews.factories import part_time_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_r22_member_review_journey(page, browser, login_as, world):
    secretary = UserFactory(username="shuji", role=User.Role.SECRETARY, community=world.mine.community)
    part_time_member(world.mine, name="张委员", unit=world.unit)
    part_time_member(world.mine, name="李委员", unit=world.sibling_unit)

    # 1. the secretary creates and opens the review
    login_as(secretary)
    page.goto(page.base_url + "/")
    page.locator("#nav").get_by_role("button", name="会议").click()
    page.locator("#nav").get_by_role("link", name="委员测评").click()
    page.get_by_role("link", name=f"发起{world.mine.name}测评").click()
    page.fill("input[name=electorate_resident]", "30")  # R22: the electorate bounds the codes (issue #11)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("草稿")
    expect(page.locator("#subject-table")).to_contain_text("张委员")
    page.get_by_role("button", name="开始测评").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("测评中")

    # 2. two codes for residents' representatives, on a printable sheet
    page.select_option("select[name=category]", "resident")
    page.fill("input[name=count]", "2")
    page.get_by_role("button", name="生成并打印").click()
    expect(page.get_by_text("已生成2个居民代表测评码")).to_be_visible()
    slips = page.locator("#code-sheet .slip")
    expect(slips).to_have_count(2)
    code = slips.first.get_attribute("data-code")
    campaign_url = page.get_by_role("link", name="兼职委员满意度测评").last.get_attribute("href")

    # 3. a reviewer without an account types the code from the slip and votes
    reviewer = browser.new_context(locale="zh-CN")
    ballot = reviewer.new_page()
    ballot.goto(page.base_url + "/reviews/b/")
    ballot.fill("input[name=code]", f"{code[:4]}-{code[4:8]}-{code[8:]}".lower())
    ballot.get_by_role("button", name="开始测评").click()
    expect(ballot.get_by_text("您以“居民代表”身份参加测评")).to_be_visible()
    ballot.get_by_role("button", name="提交测评").click()  # nothing marked: told what is missing
    expect(ballot.get_by_text("请选择对该委员的评价。").first).to_be_visible()
    ballot.locator("fieldset[data-subject=张委员]").get_by_label("不满意").check()
    ballot.locator("fieldset[data-subject=李委员]").get_by_label("满意", exact=True).check()
    ballot.get_by_role("button", name="提交测评").click()
    expect(ballot.get_by_test_id("ballot-message")).to_have_text("您的测评意见已提交，感谢您的参与！")
    ballot.goto(page.base_url + f"/reviews/b/{code}/")
    expect(ballot.get_by_test_id("ballot-message")).to_contain_text("该测评码已经使用过")
    reviewer.close()

    # 4. the secretary enters the paper ballots and closes the review
    page.goto(page.base_url + campaign_url)
    expect(page.get_by_test_id("codes-used")).to_have_text("1")
    page.get_by_role("link", name="录入居民代表纸质票").click()
    row = page.locator("#tally-table tr[data-subject=张委员]")
    row.get_by_label("张委员 满意", exact=True).fill("1")
    row.get_by_label("张委员 不满意").fill("2")
    page.locator("#tally-table tr[data-subject=李委员]").get_by_label("李委员 比较满意").fill("3")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存居民代表纸质票汇总。")).to_be_visible()
    page.get_by_role("button", name="结束测评并统计结果").click()

    # 5. the results: 张委员 3 of 4 unsatisfied → flagged, criticism and help (first time)
    expect(page.get_by_role("heading", level=1)).to_contain_text("结果")
    zhang = page.locator("#results-table tr[data-subject=张委员]")
    expect(zhang).to_have_attribute("data-flagged", "1")
    expect(zhang.get_by_test_id("flag")).to_be_visible()
    expect(zhang).to_contain_text("批评帮助")
    expect(zhang).to_contain_text("第1次不满意票超过半数")
    li = page.locator("#results-table tr[data-subject=李委员]")
    expect(li.get_by_test_id("flag")).to_have_count(0)
    expect(li).to_contain_text("—")
