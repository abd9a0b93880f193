"""Issue #11 item 1 browser journey (R5): township staff nominate and see the state but cannot
record a county decision; the 县委组织部 user records its 审核, the 县民政局 user its 批准, and
only then is the post in force."""

import pytest
from django.urls import reverse

from accounts.models import User
from committees.models import Post, Unit
from tests.factories import CommitteeFactory, CommunityFactory, CountyFactory, TownshipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_r5_each_county_body_records_its_own_decision(page, login_as):
    county = CountyFactory(name="示范县")
    township = TownshipFactory(county=county, name="城关镇")
    community = CommunityFactory(township=township, name="新华社区", party_org_secretary="李红")
    committee = CommitteeFactory(community=community, name="新华社区大党委")
    unit = UnitFactory(community=community, name="县自来水公司", unit_type=Unit.Type.ENTERPRISE)
    staff = UserFactory(username="zhen", full_name="周干事", role=User.Role.TOWNSHIP, township=township)
    org = UserFactory(
        username="zuzhibu", full_name="吴组织", role=User.Role.COUNTY, county=county, county_body="org_dept"
    )
    civil = UserFactory(
        username="minzheng", full_name="郑民政", role=User.Role.COUNTY, county=county, county_body="civil_affairs"
    )

    # 1. Township staff nominate a member; the post page shows the state and no way to decide.
    login_as(staff)
    page.goto(page.base_url + reverse("committees:post_nominate", args=[committee.pk]))
    page.select_option("select[name=kind]", label="委员")
    page.fill("input[name=holder_name]", "孙伟")
    page.select_option("select[name=unit]", value=str(unit.pk))
    page.check("input[name=recommended_by][value=community]")
    page.fill("input[name=nominated_on]", "2026-01-02")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/posts/*/")
    post = Post.objects.get(holder_name="孙伟")
    assert page.locator("#approval-form").count() == 0
    note = page.inner_text("#approval-note")
    assert "审批结果只能由县委组织部、县民政局的经办人各自登记" in note
    assert page.inner_text("#post-status") == "待审批"
    # a forged submission is refused and changes nothing
    status = page.evaluate(
        """async (url) => {
            const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
            const body = new URLSearchParams({body: 'org_dept', decision: 'approved', decided_on: '2026-01-05'});
            const r = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token}});
            return r.status;
        }""",
        reverse("committees:post_approval_create", args=[post.pk]),
    )
    assert status == 403
    assert not post.approvals.exists()

    # 2. The organisation department's clerk records its review (only its own body is offered).
    page.context.clear_cookies()
    login_as(org)
    page.goto(page.base_url + post.get_absolute_url())
    form = page.locator("#approval-form")
    assert "登记县委组织部的审批结果" in form.inner_text()
    assert form.locator("select[name=body] option").all_inner_texts() == ["县委组织部"]
    form.locator("input[name=decision][value=approved]").check()
    form.locator("input[name=decided_on]").fill("2026-01-05")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "等待另一机关的决定" in page.inner_text("#approval-note")
    assert page.inner_text("#post-status") == "待审批"

    # 3. The civil-affairs bureau's clerk records its approval: the post is in force.
    page.context.clear_cookies()
    login_as(civil)
    page.goto(page.base_url + post.get_absolute_url())
    form = page.locator("#approval-form")
    assert form.locator("select[name=body] option").all_inner_texts() == ["县民政局"]
    form.locator("input[name=decision][value=approved]").check()
    form.locator("input[name=decided_on]").fill("2026-01-09")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.inner_text("#post-status") == "在任"
    approvals = page.inner_text("#approvals")
    assert "吴组织" in approvals and "郑民政" in approvals
    assert "2026年1月5日" in approvals and "2026年1月9日" in approvals
    post.refresh_from_db()
    assert post.status == Post.Status.IN_FORCE and post.in_force_from.isoformat() == "2026-01-09"
