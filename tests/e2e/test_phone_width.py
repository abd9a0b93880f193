"""Issue #15 items 1–2: on a 390 × 844 phone no page scrolls sideways.

Every page each role reaches (the 200s of the permission matrix, tests/pages_kit.py) is opened in
Chromium at 390 px, logged in through the form as that role; the document may not be wider than
the viewport (1 px tolerance). Wide tables scroll inside their own box (static/js/portal.js), so
this holds with real content too. One browser, one context per role, one live server.
"""

import pytest

from tests.factories import PASSWORD
from tests.pages_kit import pages

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WIDTH = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _phone(browser, live_server, user):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{user.username} could not log in"
    return context, page


def test_no_page_is_wider_than_a_phone(
    browser, live_server, world, township_user, secretary_user, liaison_user, county_user, admin_user
):
    users = {
        "township": township_user,
        "secretary": secretary_user,
        "liaison": liaison_user,
        "county": county_user,
        "admin": admin_user,
    }
    by_role, unbuilt = {role: [] for role in users}, []
    for name, url, roles in pages(world, users, isolated=False, unbuilt=unbuilt):
        for role in roles:
            by_role[role].append((name, url))
    too_wide, opened = [], 0
    for role, urls in by_role.items():
        context, page = _phone(browser, live_server, users[role])
        try:
            for name, url in urls:
                answer = context.request.get(live_server.url + url, max_redirects=0)
                if answer.status != 200 or not answer.headers.get("content-type", "").startswith("text/html"):
                    continue  # downloads and feeds are not pages; the matrix pins the statuses
                page.goto(live_server.url + url)
                page.wait_for_load_state()
                scroll_width, client_width = page.evaluate(WIDTH)
                opened += 1
                if scroll_width > client_width + 1:
                    too_wide.append(f"{role} {name} {url}: {scroll_width} px > {client_width} px")
        finally:
            context.close()
    # objects one builder locks for the next (a finalised scoring task): a handful at most
    assert len(unbuilt) <= 3, unbuilt
    assert opened > 100, opened
    assert not too_wide, "pages that scroll sideways on a 390 px phone:\n" + "\n".join(too_wide)
