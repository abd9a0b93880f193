"""Browser journey of R25 (issue #7 item 1): township staff open the rollout page, see the
timeline with a late stage in red, mark the pilot summarised, and a non-pilot community that was
waiting at the pilot gate advances to stage 4."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rollout import services
from tests.factories import UnitFactory
from tests.rollout.kit import run_committee, through_stage_3

pytestmark = pytest.mark.django_db(transaction=True)


def test_township_marks_the_pilot_summarised_and_the_others_start_stage_four(page, login_as, world, township_user):
    year = timezone.localdate().year - 1  # every planned month has passed: unfinished stages are late
    services.plan_create(actor=township_user, township=world.township, year=year, pilot=world.mine.community)
    sibling = world.sibling.community
    through_stage_3(township_user, sibling, UnitFactory(community=sibling))  # waits at the pilot gate
    run_committee(world.mine)  # the pilot runs: a post in force and a held meeting
    services.progress_refresh(community=world.mine.community)

    login_as(township_user)
    page.goto(f"{page.base_url}/rollout/")
    expect(page.locator("h1")).to_contain_text(f"{year}年社区“大党委”建设推进计划")
    pilot_row = page.locator("tr.community-row[data-community='陵园社区']")
    expect(pilot_row.locator(".badge")).to_have_text("试点")
    late_bar = pilot_row.locator(".bar.text-bg-danger")
    expect(late_bar).to_contain_text("滞后")
    red = late_bar.evaluate("e => getComputedStyle(e).backgroundColor")
    assert red == "rgb(220, 53, 69)", red
    sibling_row = page.locator("tr.community-row[data-community='东关社区']")
    expect(sibling_row).to_contain_text("3 制定方案，征求意见")
    expect(sibling_row).to_contain_text("待试点总结")

    page.fill("textarea[name=summary]", "陵园社区试点经验：先建台账、再定方案，议事规则先行。")
    page.click("text=确认试点已总结")
    expect(page.locator("#pilot-summarised")).to_contain_text("确认总结")
    expect(sibling_row).to_contain_text("4 试点先行，总结推广")

    sibling_row.locator("a").click()
    expect(page.locator("#current-stage")).to_contain_text("4 试点先行，总结推广")
    expect(page.locator("#changes")).to_contain_text("自动：实施方案已制定、意见已征求")
