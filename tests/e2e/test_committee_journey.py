"""Issue #2 browser journey: township staff sets up a committee from nothing (R1–R6), and a
liaison cannot open another unit's page."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from committees.ledger_io import columns
from committees.models import Committee, Post, Unit
from tests.committees.helpers import record_decision
from tests.factories import CommunityFactory, CountyFactory, TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    # name, type, industry, party-org kind, secretary
    ("新华社区党委", "社区党组织", "公共管理、社会保障和社会组织", "党委", "李红"),
    ("县自来水公司", "企业", "电力、热力、燃气及水生产和供应业", "党支部", "王强"),
    ("县实验小学", "事业单位", "教育", "党总支", "赵敏"),
]


def _ledger(rows) -> bytes:
    headers = dict(columns())
    wb = Workbook()
    ws = wb.active
    keys = ["name", "unit_type", "industry", "party_org_kind", "party_org_secretary", "members_direct"]
    ws.append([headers[k] for k in keys])
    for name, kind, industry, org, secretary in rows:
        ws.append([name, kind, industry, org, secretary, 20])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(page, url, content, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(content)
    page.goto(url)
    page.set_input_files("input[type=file]", str(path))
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_load_state()


def _nominate(page, committee, kind, name, unit, *, part_time=True, head=False):
    page.goto(page.base_url + reverse("committees:post_nominate", args=[committee.pk]))
    page.select_option("select[name=kind]", label=kind)
    page.fill("input[name=holder_name]", name)
    page.select_option("select[name=unit]", value=str(Unit.objects.get(name=unit).pk))
    page.set_checked("input[name=is_part_time]", part_time)
    page.set_checked("input[name=is_unit_party_head]", head)
    page.check("input[name=recommended_by][value=township]")
    page.check("input[name=recommended_by][value=community]")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/posts/*/")
    # R5: each county body records its own decision (its clerks' pages: test_county_bodies_journey)
    post = Post.objects.get(committee=committee, holder_name=name)
    for body in ("org_dept", "civil_affairs"):
        record_decision(post=post, body=body, decision="approved", decided_on=post.nominated_on)
    page.reload()
    assert "在任" in page.inner_text("#post-status")


def test_township_builds_a_committee_and_a_liaison_is_refused_elsewhere(page, login_as, tmp_path):
    county = CountyFactory(name="示范县")
    township = TownshipFactory(county=county, name="城关镇")
    community = CommunityFactory(
        township=township, name="新华社区", party_org_name="新华社区党委", party_org_secretary="李红"
    )
    staff = UserFactory(username="zhen", full_name="周干事", role=User.Role.TOWNSHIP, township=township)

    login_as(staff)
    # 1. Create the committee (R1, R6: 5-year term by default; R4: the "1+X" mode).
    page.goto(page.base_url + reverse("committees:committee_create"))
    page.select_option("select[name=community]", label="新华社区")
    page.fill("input[name=term_start]", "2025-01-01")
    page.select_option("select[name=mode]", value=Committee.Mode.ONE_PLUS_X)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/committees/*/")
    committee = Committee.objects.get(community=community)
    assert committee.term_end.isoformat() == "2029-12-31"

    # 2. Import the ledger: one bad row → every error shown, nothing saved (R2).
    import_url = page.base_url + reverse("committees:unit_import", args=[community.pk])
    bad = [*ROWS[:2], ("县实验小学", "国企", "教育", "党总支", "赵敏")]
    _upload(page, import_url, _ledger(bad), tmp_path, "bad.xlsx")
    text = page.inner_text("body")
    assert "第 4 行" in text and "单位类型" in text
    assert not Unit.objects.filter(community=community).exists()
    page.screenshot(path=str(tmp_path / "import-error.png"))

    _upload(page, import_url, _ledger(ROWS), tmp_path, "good.xlsx")
    assert Unit.objects.filter(community=community).count() == 3

    # 3. Composition checks fail on an empty committee and say what to do (R3, R4).
    page.goto(page.base_url + committee.get_absolute_url())
    checks = page.locator("#composition-checks")
    assert checks.locator(".check-fail").count() >= 3

    # 4. Nominate and record both county approvals for each post (R5): only then in force.
    _nominate(page, committee, "书记", "李红", "新华社区党委", part_time=False, head=True)
    _nominate(page, committee, "副书记", "王强", "县自来水公司", head=True)
    _nominate(page, committee, "副书记", "赵敏", "县实验小学", head=True)
    _nominate(page, committee, "委员", "孙伟", "县自来水公司")

    page.goto(page.base_url + committee.get_absolute_url())
    checks = page.locator("#composition-checks")
    assert checks.locator(".check-fail").count() == 0, checks.inner_text()
    assert checks.locator(".check-ok").count() >= 3  # the “1+X” mode sets no number of deputies

    # 5. A liaison sees their own unit and is refused another's (404, R2 scope).
    water = Unit.objects.get(name="县自来水公司")
    school = Unit.objects.get(name="县实验小学")
    liaison = UserFactory(username="lly", role=User.Role.LIAISON, unit=water)
    page.context.clear_cookies()
    login_as(liaison)
    page.goto(page.base_url + school.get_absolute_url())
    assert "页面不存在" in page.inner_text("body")
    page.goto(page.base_url + water.get_absolute_url())
    assert "县自来水公司" in page.inner_text("body")
