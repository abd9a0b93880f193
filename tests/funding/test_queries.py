"""Every funding page runs a fixed number of SQL queries whatever the number of units and ledger
lines (issue #5): measured with a small year, then asserted as the maximum for a large one."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import services
from funding.models import Expense, ExpenseReceipt, FiscalYear, Income, Payment
from tests.factories import UnitFactory

from .factories import FiscalYearFactory, decide

D = Decimal
pytestmark = pytest.mark.django_db

PAGES = [
    ("year_detail", "fy"),
    ("ledger", "fy"),
    ("arrears", "fy"),
    ("budget", "fy"),
    ("ledger_xlsx", "fy"),
    ("shares_xlsx", "fy"),
    ("share_plan_create", "fy"),
    ("share_plan_detail", "plan"),
    ("unit_dues", "unit"),
    ("township_overview", "township"),
    ("payment_detail", "payment"),
]


def _grow(world, fy, plan_units, actor, n_units, n_lines):
    year = fy.year
    """A year with ``n_units`` units in the plan and ``n_lines`` lines of each kind."""
    units = plan_units + [UnitFactory(community=world.mine.community) for _ in range(n_units - len(plan_units))]
    plan = services.share_plan_create(
        actor=actor,
        fiscal_year=fy,
        total=D("100000.00"),
        due_on=datetime.date(year, 3, 31),
        lines=[services.ShareInput(unit=u, kind="percent", value=D(1)) for u in units[:-1]]
        + [services.ShareInput(unit=units[-1], kind="percent", value=D(100 - len(units) + 1))],
    )
    decide(plan, actor)
    services.share_plan_activate(actor=actor, plan=plan)
    day = datetime.date(year, 2, 1)
    Income.objects.bulk_create(
        Income(fiscal_year=fy, source="services", received_on=day, amount=D("1.00")) for _ in range(n_lines)
    )
    expenses = Expense.objects.bulk_create(
        Expense(fiscal_year=fy, category="other", spent_on=day, amount=D("1.00"), payee="x") for _ in range(n_lines)
    )
    ExpenseReceipt.objects.bulk_create(
        ExpenseReceipt(expense=e, file="funding/x.pdf", name="x.pdf", uploaded_by=actor) for e in expenses
    )
    Payment.objects.bulk_create(
        Payment(
            fiscal_year=fy,
            unit=units[i % len(units)],
            amount=D("2.00"),
            receipt_no=f"p{i}",
            recorded_by=actor,
            paid_on=day,
        )
        for i in range(n_lines)
    )
    FiscalYear.objects.get_or_create(committee=world.sibling, year=year)
    # bulk_create writes no history rows; the payment whose page is read is made by the service
    services.payment_record(actor=actor, fiscal_year=fy, unit=units[0], amount=D("3.00"), paid_on=day, receipt_no="pp")
    return plan, units


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


SKIP = {"secretary_user": {"township_overview"}, "county_user": {"share_plan_create"}}


def _paths(world, fy, plan, unit, payment, role):
    args = {"fy": fy.pk, "plan": plan.pk, "unit": unit.pk, "township": world.township.pk, "payment": payment.pk}
    paths = {
        name: reverse(f"funding:{name}", args=[args[kind]]) for name, kind in PAGES if name not in SKIP.get(role, ())
    }
    if "township_overview" in paths:
        paths["township_overview"] += f"?year={fy.year}"
    return paths


@pytest.mark.parametrize("role", ["secretary_user", "township_user", "county_user"])
def test_query_counts_do_not_grow(request, world, login, secretary_user, role):
    user = request.getfixturevalue(role)
    client = login(user)

    small = FiscalYearFactory(committee=world.mine, year=2026)
    plan, units = _grow(world, small, [world.unit, world.sibling_unit], secretary_user, n_units=3, n_lines=2)
    payment = Payment.objects.get(fiscal_year=small, receipt_no="pp")
    small_counts = {
        name: _count(client, path) for name, path in _paths(world, small, plan, world.unit, payment, role).items()
    }

    # the same pages for a year with many units and ledger lines
    big = FiscalYearFactory(committee=world.mine, year=2027)
    first = UnitFactory(community=world.mine.community)
    plan, _ = _grow(world, big, [first], secretary_user, n_units=40, n_lines=60)
    payment = Payment.objects.get(fiscal_year=big, receipt_no="pp")
    for name, path in _paths(world, big, plan, first, payment, role).items():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        assert len(ctx.captured_queries) <= small_counts[name], (name, small_counts[name], len(ctx.captured_queries))


def test_money_page_query_budget(world, login, secretary_user, django_assert_max_num_queries):
    fy = FiscalYearFactory(committee=world.mine, year=2026)
    _grow(world, fy, [world.unit], secretary_user, n_units=30, n_lines=50)
    client = login(secretary_user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("funding:year_detail", args=[fy.pk])).status_code == 200
