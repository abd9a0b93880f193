"""The committee overview: per unit agreement state, pledges by kind, fulfilment %, projects,
dedication-day participation; table, SVG charts and Excel export; fixed query count."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cobuilding import selectors, services
from tests.factories import UserFactory

from .conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(make_pledge, liaison_user, secretary_user, world, today):
    a = services.pledge_accept(actor=secretary_user, pledge=make_pledge(liaison_user, status="submitted"))
    services.pledge_accept(
        actor=secretary_user,
        pledge=make_pledge(liaison_user, status="submitted", kind="education", value=None, quantity="2场"),
    )
    make_pledge(liaison_user, kind="venue")  # draft: not counted
    r = services.fulfilment_report(actor=liaison_user, pledge=a, delivered_on=today, text="x", amount=Decimal("5000"))
    services.fulfilment_confirm(actor=secretary_user, fulfilment=r)
    agreement = services.agreement_create(
        actor=secretary_user,
        unit=world.unit,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        **dict.fromkeys(services.PRINCIPLE_FIELDS, "承诺"),
    )
    services.agreement_send(actor=secretary_user, agreement=agreement)
    services.agreement_sign(actor=liaison_user, agreement=agreement, signed_on=today, scan=pdf())
    project = services.project_publish(
        actor=secretary_user,
        committee=world.mine,
        title="p",
        need="n",
        place="p",
        claim_by=today + datetime.timedelta(days=1),
        deadline=today + datetime.timedelta(days=2),
        places=2,
    )
    claim = services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    services.claim_progress_report(actor=liaison_user, claim=claim, happened_on=today, text="done")
    services.claim_confirm_completion(actor=secretary_user, claim=claim)
    day = services.dedication_day_record(actor=secretary_user, committee=world.mine, held_on=today, theme="t")
    services.dedication_participation_record(actor=liaison_user, day=day, unit=world.unit, names="甲\n乙\n丙")
    return world


def test_overview_figures(figures, secretary_user, today):
    ov = selectors.overview_get(user=secretary_user, committee=figures.mine, year=today.year)
    row = next(r for r in ov.rows if r.unit == figures.unit)
    assert row.agreement_status == "已签订"
    assert row.by_kind == {"funds": 1, "education": 1} and row.pledges == 2
    assert row.percent == 25  # (50 + 0) / 2
    assert row.pledged_value == Decimal("10000.00") and row.delivered == Decimal("5000.00")
    assert (row.claimed, row.completed) == (1, 1)
    assert row.dedication.get(1, row.dedication.get(2)) == 3
    sibling = next(r for r in ov.rows if r.unit == figures.sibling_unit)
    assert sibling.agreement_status == "未签订" and sibling.percent is None


def test_overview_page_table_and_svg_charts(login, figures, secretary_user):
    body = login(secretary_user).get(reverse("cobuilding:overview")).content.decode()
    assert 'id="overview-table"' in body and body.count("<svg") >= 3
    assert "25%" in body and "<script" not in body.split("</main>")[0].split("<main")[1]


def test_overview_out_of_scope_committee_404(login, secretary_user, township_user, figures):
    client = login(township_user)
    assert client.get(reverse("cobuilding:overview") + f"?committee={figures.mine.pk}").status_code == 200
    assert client.get(reverse("cobuilding:overview") + f"?committee={figures.other.pk}").status_code == 404
    assert client.get(reverse("cobuilding:overview_export") + f"?committee={figures.other.pk}").status_code == 404


def test_county_reads_overview(login, county_user, figures):
    r = login(county_user).get(reverse("cobuilding:overview") + f"?committee={figures.mine.pk}")
    assert r.status_code == 200 and "发起年度承诺征集" not in r.content.decode()


def test_liaison_is_sent_to_workspace(login, liaison_user):
    r = login(liaison_user).get(reverse("cobuilding:overview"))
    assert r.status_code == 302 and r["Location"] == reverse("cobuilding:workspace")


def test_liaison_sees_only_own_unit_page(login, liaison_user, world):
    client = login(liaison_user)
    assert client.get(reverse("cobuilding:unit_cobuilding", args=[world.unit.pk])).status_code == 200
    assert client.get(reverse("cobuilding:unit_cobuilding", args=[world.sibling_unit.pk])).status_code == 404


def test_excel_export(login, figures, secretary_user, today):
    r = login(secretary_user).get(reverse("cobuilding:overview_export"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "共驻共建情况" in ws["A1"].value
    headers = [c.value for c in ws[2]]
    rows = {row[0]: dict(zip(headers, row, strict=True)) for row in ws.iter_rows(min_row=3, values_only=True)}
    mine = rows[figures.unit.name]
    assert mine["协议书"] == "已签订" and mine["资金"] == 1 and mine["教育"] == 1
    assert mine["兑现率（%）"] == 25 and mine["完成项目"] == 1


def test_overview_query_count_fixed(
    login, figures, secretary_user, many_units, make_pledge, today, django_assert_max_num_queries
):
    client = login(secretary_user)
    small = {}
    for name in ("cobuilding:overview", "cobuilding:overview_export"):
        with django_assert_max_num_queries(20) as q:
            client.get(reverse(name))
        small[name] = len(q.captured_queries)
    day = figures.mine.dedication_days.get()
    for i, unit in enumerate(many_units(20)):
        liaison = UserFactory(username=f"ov{i}", role="liaison", unit=unit)
        for kind in ("funds", "talent"):
            p = services.pledge_accept(actor=secretary_user, pledge=make_pledge(liaison, status="submitted", kind=kind))
            r = services.fulfilment_report(actor=liaison, pledge=p, delivered_on=today, text="x", amount=Decimal("1"))
            services.fulfilment_confirm(actor=secretary_user, fulfilment=r)
        services.dedication_participation_record(actor=liaison, day=day, unit=unit, names="甲")
    for name, n in small.items():
        with django_assert_max_num_queries(n):
            r = client.get(reverse(name))
    assert r.status_code == 200
