"""Browser journey of R21 scorers named after a round was created: a county reviewer only reads
a task until the administrator names them for the county organisation department's side; then
the task offers them the scoring form."""

import pytest
from playwright.sync_api import expect

from assessment.models import ScoringTask
from tests.assessment.scoring_factories import make_round

pytestmark = pytest.mark.django_db(transaction=True)


def test_administrator_names_a_county_scorer_who_then_scores(page, login_as, world, admin_user, county_user):
    county_user.full_name = "周评分"
    county_user.save(update_fields=["full_name"])
    rnd = make_round(admin_user, world)
    task = ScoringTask.objects.get(round=rnd, unit=world.unit)

    login_as(county_user)
    page.goto(f"{page.base_url}/assessment/tasks/{task.pk}/")
    expect(page.get_by_role("link", name="评分", exact=True)).to_have_count(0)

    page.context.clear_cookies()
    login_as(admin_user)
    page.goto(f"{page.base_url}/assessment/rounds/{rnd.pk}/")
    page.get_by_role("link", name="指定评分人").click()
    page.select_option("select[name=user]", label="周评分（县委组织部审核员）")
    page.select_option("select[name=body]", "county")
    page.get_by_role("button", name="指定").click()
    expect(page.locator("#scorers")).to_contain_text("周评分")
    expect(page.locator("#scorer-history")).to_contain_text("指定 周评分")

    page.context.clear_cookies()
    login_as(county_user)
    page.goto(f"{page.base_url}/assessment/tasks/{task.pk}/")
    page.get_by_role("link", name="评分", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("县委组织部评分")
