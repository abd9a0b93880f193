"""Browser journey of issue #6 item 3 (R21 joint scoring): the administrator opens a round; the
liaison writes a self-report and uploads evidence; the secretary scores the committee sheet (a
suggestion overridden with a reason) and submits; the named county scorer scores and submits; the
administrator reviews, finalises (combined score, grade, conversion), releases; the liaison then
sees the final score and grade of their own unit."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assessment import evidence
from assessment.models import Indicator, ScoringTask
from tests.assessment.scoring_factories import county_scorer, published_scheme
from tests.factories import UserFactory
from tests.matrix_builders import PDF

pytestmark = pytest.mark.django_db(transaction=True)


def _switch(page, login_as, user):
    page.context.clear_cookies()
    login_as(user)


def _score(page, values: dict, reasons: dict | None = None):
    for title, points in values.items():
        page.get_by_label(title, exact=True).fill(str(points))
    for title, reason in (reasons or {}).items():
        row = page.locator("#score-form tr", has_text=title)
        row.locator("input[name^=reason_]").fill(reason)


def test_joint_scoring_from_self_report_to_released_result(
    page, login_as, world, admin_user, secretary_user, liaison_user, tmp_path, monkeypatch
):
    zzb = county_scorer(world)
    scheme = published_scheme(admin_user, world.county)
    meetings = Indicator.objects.get(sheet__scheme=scheme, title="参加会议")
    monkeypatch.setattr(
        evidence,
        "suggestions_for",
        lambda *, task, indicators: {
            meetings.pk: evidence.Suggestion(points=Decimal("30"), text="参加会议 3/4 次 → 30/40 分")
        },
    )
    UserFactory(username="other_admin", role="admin")  # an extra user in the pick lists

    # 0. the administrator opens the round and names the county scorer
    login_as(admin_user)
    page.goto(page.base_url + "/assessment/rounds/")
    page.get_by_role("link", name="新建评分轮次").click()
    page.select_option("select[name=scheme]", str(scheme.pk))
    page.fill("input[name=title]", "双百分联合评分")
    page.fill("input[name=self_report_deadline]", "2099-12-31")
    page.get_by_label("组织部评分人（县委组织部审核员）").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已创建评分轮次，生成 3 个单位的评分任务。")).to_be_visible()
    expect(page.get_by_test_id("combination")).to_contain_text("两方平均")
    expect(page.get_by_test_id("progress-open")).to_have_text("3")

    # 1. the liaison writes the self-report and uploads evidence
    _switch(page, login_as, liaison_user)
    page.locator("#nav").get_by_role("button", name="考核").click()
    page.locator("#nav").get_by_role("link", name="本单位考核（自评）").click()
    page.locator("#my-tasks").get_by_role("link", name="双百分联合评分").click()
    page.get_by_role("link", name="填写自评报告").click()
    page.fill("textarea[name=self_report]", "全年参加大党委会议3次，认领项目2个均已完成。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("self-report")).to_contain_text("认领项目2个均已完成")
    page.get_by_role("link", name="上传佐证材料").click()
    evidence_file = tmp_path / "会议签到表.pdf"
    evidence_file.write_bytes(PDF)
    page.fill("input[name=title]", "会议签到表")
    page.set_input_files("input[name=file]", str(evidence_file))
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence")).to_contain_text("会议签到表")
    expect(page.get_by_test_id("not-released")).to_be_visible()
    task_url = page.url

    # 2. the secretary scores the committee sheet: the suggestion needs a reason to be overridden
    _switch(page, login_as, secretary_user)
    page.goto(task_url)
    expect(page.locator("#evidence")).to_contain_text("会议签到表")
    page.get_by_role("link", name="评分", exact=True).click()
    expect(page.locator("#score-form")).to_contain_text("参加会议 3/4 次 → 30/40 分")
    _score(page, {"参加会议": 38, "认领项目": 60, "获上级表彰": 1, "志愿服务": 0, "违反共建协议": 0})
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("与建议分 30.00 不同，请说明理由")).to_be_visible()
    expect(page.get_by_label("参加会议", exact=True)).to_have_value("38")
    _score(page, {}, {"参加会议": "另有一次专题会议签到表已上传"})
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存评分草稿。")).to_be_visible()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("sheet-committee")).to_contain_text("合计 99.00")

    # 3. the named county scorer scores and submits
    _switch(page, login_as, zzb)
    page.goto(task_url)
    page.get_by_role("link", name="评分", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("县委组织部评分")
    _score(
        page,
        {"参加会议": 30, "认领项目": 56, "获上级表彰": 1, "志愿服务": 2, "违反共建协议": 0},
    )
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("sheet-county")).to_contain_text("合计 89.00")  # 30 + 56 + 1 + 2
    expect(page.get_by_test_id("task-status")).to_have_text("待审核")

    # 4. the administrator reviews, finalises and releases
    _switch(page, login_as, admin_user)
    page.goto(task_url)
    expect(page.locator("#score-lines tr", has_text="参加会议")).to_contain_text("另有一次专题会议签到表已上传")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已审核")
    page.get_by_role("button", name="定分").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已定分")
    expect(page.get_by_test_id("final-score")).to_have_text("94.00")  # (99 + 89) ÷ 2
    expect(page.get_by_test_id("grade")).to_have_text("良好")
    expect(page.get_by_test_id("converted")).to_have_text("18.80")
    expect(page.get_by_text("最终得分 = （大党委评分 + 县委组织部评分）÷ 2")).to_be_visible()
    page.get_by_role("link", name="双百分联合评分").first.click()
    page.get_by_role("button", name="发布结果").click()
    expect(page.get_by_text("尚有 2 个单位未定分，不能发布结果。")).to_be_visible()
    # the other two units are not this journey's: take them out of the round
    ScoringTask.objects.exclude(status="finalised").delete()
    page.reload()
    page.get_by_role("button", name="发布结果").click()
    expect(page.get_by_text("已发布评分结果")).to_be_visible()
    expect(page.get_by_test_id("released")).to_contain_text("已于")

    # 5. the liaison sees the final score and grade of their own unit
    _switch(page, login_as, liaison_user)
    page.goto(task_url)
    expect(page.get_by_test_id("final-score")).to_have_text("94.00")
    expect(page.get_by_test_id("grade")).to_have_text("良好")
    expect(page.get_by_test_id("not-released")).to_have_count(0)
