"""R23: an income or spending line of an open year is voided (作废) with a reason, never deleted: it
stays on the ledger struck through with who/when/why, and counts in no total, balance, chart,
export or township overview; a closed year refuses."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from funding import exports, selectors, services
from funding.models import Expense, Income

D = Decimal
DAY = datetime.date(2026, 2, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(fy, secretary_user, world):
    """Appropriation 5,000 + services 800; spending 1,200 + 300; a payment of 1,000."""
    appropriation = services.income_record(
        actor=secretary_user, fiscal_year=fy, source="appropriation", received_on=DAY, amount=D("5000.00")
    )
    wrong = services.income_record(
        actor=secretary_user, fiscal_year=fy, source="services", received_on=DAY, amount=D("800.00"), payer="某物业"
    )
    spent = services.expense_record(
        actor=secretary_user, fiscal_year=fy, category="activities", spent_on=DAY, amount=D("1200.00"), payee="印刷厂"
    )
    duplicate = services.expense_record(
        actor=secretary_user, fiscal_year=fy, category="activities", spent_on=DAY, amount=D("300.00"), payee="重复录入"
    )
    services.payment_record(
        actor=secretary_user, fiscal_year=fy, unit=world.unit, amount=D("1000.00"), paid_on=DAY, receipt_no="R-1"
    )
    return appropriation, wrong, spent, duplicate


def test_voided_lines_leave_every_total_and_the_balance(fy, lines, secretary_user, township_user, world):
    _, wrong, _, duplicate = lines
    before = selectors.year_totals(fiscal_year=fy)
    assert (before.income_total, before.expense_total, before.balance) == (D("6800.00"), D("1500.00"), D("5300.00"))

    services.income_void(actor=secretary_user, income=wrong, reason="付款方退回，重复登记")
    services.expense_void(actor=township_user, expense=duplicate, reason="重复录入")

    totals = selectors.year_totals(fiscal_year=fy)
    assert (totals.income_total, totals.expense_total, totals.balance) == (D("6000.00"), D("1200.00"), D("4800.00"))
    by_source = {line.key: line.actual for line in totals.income}
    assert by_source["services"] == D("0.00") and by_source["appropriation"] == D("5000.00")
    assert {line.key: line.actual for line in totals.expense}["activities"] == D("1200.00")
    # the ledger leaves them out by default (exports, yearend), lists them on request without moving the balance
    assert len(selectors.ledger(fiscal_year=fy)) == 3
    full = selectors.ledger(fiscal_year=fy, with_voided=True)
    assert len(full) == 5 and sum(e.voided for e in full) == 2
    assert full[-1].balance == D("4800.00")
    # the township overview
    column = next(
        c
        for c in selectors.township_overview(user=township_user, township=world.township, year=2026)
        if c.committee == world.mine
    )
    assert (column.income, column.expense, column.balance) == (D("6000.00"), D("1200.00"), D("4800.00"))
    # the Excel ledger: no voided row, the totals row without them
    ws = load_workbook(BytesIO(exports.ledger_workbook(fiscal_year=fy))).active
    rows = list(ws.iter_rows(values_only=True))
    assert not any(r[3] in ("某物业", "重复录入") for r in rows)
    assert rows[-1][5:8] == (6000, 1200, 4800)
    # closing the year carries the balance without them
    closed = services.fiscal_year_close(actor=secretary_user, fiscal_year=fy)
    assert closed.closing_balance == D("4800.00")


def test_void_needs_a_reason_an_open_year_and_happens_once(fy, lines, secretary_user):
    _, wrong, spent, _ = lines
    with pytest.raises(ValidationError) as exc:
        services.income_void(actor=secretary_user, income=wrong, reason="  ")
    assert "reason" in exc.value.error_dict
    income = services.income_void(actor=secretary_user, income=wrong, reason="登记错误")
    assert income.is_voided and income.voided_by == secretary_user and income.void_reason == "登记错误"
    latest = Income.objects.get(pk=wrong.pk).history.first()
    assert latest.history_user == secretary_user and latest.history_change_reason == "作废：登记错误"
    assert Income.objects.filter(pk=wrong.pk).exists()  # never deleted
    with pytest.raises(ValidationError, match="已作废"):
        services.income_void(actor=secretary_user, income=wrong, reason="再次")
    with pytest.raises(ValidationError, match="已作废，不能再修改"):
        services.income_update(actor=secretary_user, income=income, amount=D("1.00"))

    services.fiscal_year_close(actor=secretary_user, fiscal_year=fy)
    with pytest.raises(ValidationError, match="已结账"):
        services.expense_void(actor=secretary_user, expense=spent, reason="结账后发现")
    assert not Expense.objects.get(pk=spent.pk).is_voided


def test_void_page_by_role_and_the_struck_through_ledger(
    fy, lines, login, secretary_user, township_user, county_user, liaison_user
):
    _, wrong, spent, _ = lines
    url = reverse("funding:expense_void", args=[spent.pk])
    assert login(county_user).get(url).status_code == 403
    assert login(liaison_user).get(url).status_code in (403, 404)
    client = login(township_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    response = client.post(url, {"reason": "发票作废，款项未支付"}, follow=True)
    page = response.content.decode()
    assert "该笔支出已作废，不再计入合计与结余" in page
    assert f'data-testid="voided-expense-{spent.pk}"' in page
    assert "<del>¥1,200.00</del>" in page and "作废原因：发票作废，款项未支付" in page
    assert "¥6,500.00" in page  # 6,800 income − 300 spending
    totals = selectors.year_totals(fiscal_year=fy)
    assert totals.balance == D("6500.00")
    # the voided line offers no edit or void link any more
    assert reverse("funding:expense_update", args=[spent.pk]) not in page
    # the money page (totals and charts) agrees
    money = login(secretary_user).get(reverse("funding:year_detail", args=[fy.pk])).content.decode()
    assert "¥6,500.00" in money and "¥1,200.00" not in money


def test_closed_year_refuses_through_the_page(fy, lines, login, secretary_user):
    _, wrong, _, _ = lines
    services.fiscal_year_close(actor=secretary_user, fiscal_year=fy)
    client = login(secretary_user)
    response = client.post(reverse("funding:income_void", args=[wrong.pk]), {"reason": "发现错误"})
    assert response.status_code == 400 and "年度已结账，账目只读" in response.content.decode()
    assert not Income.objects.get(pk=wrong.pk).is_voided


def test_ledger_queries_do_not_grow_with_voided_lines(fy, secretary_user, login, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            e = services.expense_record(
                actor=secretary_user, fiscal_year=fy, category="other", spent_on=DAY, amount=D("1.00"), payee=f"p{i}"
            )
            services.expense_void(actor=secretary_user, expense=e, reason="测试")
            inc = services.income_record(
                actor=secretary_user, fiscal_year=fy, source="services", received_on=DAY, amount=D("2.00")
            )
            services.income_void(actor=secretary_user, income=inc, reason="测试")

    client = login(secretary_user)
    url = reverse("funding:ledger", args=[fy.pk])
    add(2)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("已作废</span>") == 44
    assert selectors.year_totals(fiscal_year=fy).balance == D("0.00")
