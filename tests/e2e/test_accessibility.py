"""Issue #15 item 3: axe-core (axe-playwright-python ships it; nothing from a CDN) finds no serious
or critical WCAG 2.1 A/AA violation on each role's main pages: contrast of the navbar, links and
outline buttons, names of progress bars and charts, labelled tables, focusable scroll regions.

The pages are the main ones of each role (dashboards, lists and the detail pages a person works
on), built from the permission matrix's objects; each is checked on a desktop (1280 px) and the
dashboards and lists again on a phone (390 px), where the tables scroll in their own boxes.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD
from tests.pages_kit import pages

pytestmark = pytest.mark.django_db(transaction=True)

MAIN = (
    "dashboards:township",
    "dashboards:secretary",
    "dashboards:liaison",
    "dashboards:county",
    "committees:committee_list",
    "committees:committee_detail",
    "committees:unit_list",
    "committees:unit_detail",
    "committees:post_detail",
    "meetings:meeting_list",
    "meetings:meeting_detail",
    "meetings:attendance",
    "meetings:task_list",
    "meetings:task_detail",
    "meetings:minutes_detail",
    "cobuilding:workspace",
    "cobuilding:pledge_list",
    "cobuilding:pledge_detail",
    "funding:year_detail",
    "funding:arrears",
    "funding:unit_dues",
    "assessment:round_list",
    "assessment:report_index",
    "assessment:scheme_list",
    "reviews:campaign_list",
    "inbox:list",
    "rollout:document_list",
    "yearend:index",
)
ON_A_PHONE = {name for name in MAIN if name.startswith("dashboards:") or name.endswith("_list")}
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _context(browser, live_server, user, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 844 if width < 500 else 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def _serious(axe, page) -> list[str]:
    found = axe.run(page, options={"resultTypes": ["violations"], **RULES}).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violations(
    browser, live_server, world, township_user, secretary_user, liaison_user, county_user, admin_user
):
    users = {
        "township": township_user,
        "secretary": secretary_user,
        "liaison": liaison_user,
        "county": county_user,
        "admin": admin_user,
    }
    by_role = {role: [] for role in users}
    for name, url, roles in pages(world, users, isolated=False, unbuilt=[], names=MAIN):
        for role in roles:
            by_role[role].append((name, url))
    axe, problems, checked = Axe(), [], 0
    for width in (1280, 390):
        for role, urls in by_role.items():
            context, page = _context(browser, live_server, users[role], width)
            try:
                for name, url in urls:
                    if width < 500 and name not in ON_A_PHONE:
                        continue
                    response = page.goto(live_server.url + url)
                    if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                        continue
                    page.wait_for_load_state()
                    checked += 1
                    problems.extend(f"{role} {width}px {name}: {p}" for p in _serious(axe, page))
            finally:
                context.close()
    assert checked > 60, checked
    assert not problems, "axe-core serious/critical violations:\n" + "\n".join(problems)
