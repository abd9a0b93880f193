"""Issue #15 item 1: on a 390 px phone the township's and the county's dashboard tables become
stacked cards (table.table-stack, static/css/portal.css): nothing scrolls sideways inside their
box, every row's status (the meetings column, 尚未成立大党委 …) stays visible, no column hidden."""

import pytest

from tests.e2e.test_phone_width import _phone

pytestmark = pytest.mark.django_db(transaction=True)

BOXES = """Array.from(document.querySelectorAll('table.table-stack')).map(t => ({
  id: t.id, scroll: t.parentElement.scrollWidth, client: t.parentElement.clientWidth,
  display: getComputedStyle(t.querySelector('tbody tr')).display,
  header: t.querySelector('thead').getBoundingClientRect().height}))"""


def _check(page, ids):
    boxes = page.evaluate(BOXES)
    assert sorted(b["id"] for b in boxes) == sorted(ids)
    for box in boxes:
        assert box["scroll"] <= box["client"] + 1, box  # no sideways scroll inside the box
        assert box["display"] == "flex", box  # a row is a card
        assert box["header"] <= 1, box  # the header row is for screen readers only
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] + 1, width


def test_township_dashboard_table_is_cards_with_status_visible_on_a_phone(browser, live_server, world, township_user):
    from tests.factories import CommunityFactory

    CommunityFactory(township=world.township, name="新建社区")  # no committee yet: a status row
    context, page = _phone(browser, live_server, township_user)
    try:
        page.goto(live_server.url + "/dashboard/township/")
        _check(page, ["community-table"])
        row = page.locator('#community-table tr[data-community="陵园社区"]')
        assert row.get_by_text("本期尚未召开").is_visible()  # the meetings status column
        label = row.locator("td[data-label='会议']")
        assert "会议" in label.evaluate("td => getComputedStyle(td, '::before').content")
        assert page.locator('#community-table tr[data-community="新建社区"]').get_by_text("尚未成立大党委").is_visible()
    finally:
        context.close()


def test_county_dashboard_tables_are_cards_on_a_phone(browser, live_server, world, county_user):
    context, page = _phone(browser, live_server, county_user)
    try:
        page.goto(live_server.url + "/dashboard/county/")
        _check(page, ["township-table"])  # the ranking table appears once units are scored
        card = page.locator("#township-table tbody tr").filter(has_text="城关镇")
        assert card.locator("td[data-label='大党委']").is_visible()
        assert card.locator("td[data-label='成员单位']").is_visible()
    finally:
        context.close()
