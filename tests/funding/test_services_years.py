"""Fiscal years, budget lines, income and spending (R23, R24; issue #5 §1, §4, §6)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from funding import selectors, services
from funding.models import BudgetLine, Category, Expense, FiscalYear, Income, Source
from tests.factories import PostFactory

from .factories import FiscalYearFactory

D = Decimal
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test receipt\n"


def _income(actor, fy, **kw):
    fields = {"source": Source.APPROPRIATION, "received_on": datetime.date(2026, 2, 1), "amount": D("5000.00")}
    fields.update(kw)
    return services.income_record(actor=actor, fiscal_year=fy, **fields)


def _expense(actor, fy, **kw):
    fields = {
        "category": Category.ACTIVITIES,
        "spent_on": datetime.date(2026, 3, 1),
        "amount": D("1200.50"),
        "payee": "县印刷厂",
    }
    fields.update(kw)
    return services.expense_record(actor=actor, fiscal_year=fy, **fields)


class TestIncomeAndSpending:
    def test_five_sources_and_the_balance(self, fy, secretary_user, world):
        _income(secretary_user, fy, source=Source.APPROPRIATION, amount=D("5000.00"), payer="县财政局")
        _income(
            secretary_user,
            fy,
            source=Source.DELEGATED,
            amount=D("800.00"),
            delegating_department="县民政局",
            delegated_task="高龄老人入户走访",
        )
        _income(secretary_user, fy, source=Source.SERVICES, amount=D("150.25"), payer="社区食堂")
        _income(secretary_user, fy, source=Source.DONATIONS, amount=D("100.00"), anonymous=True)
        services.payment_record(
            actor=secretary_user,
            fiscal_year=fy,
            unit=world.unit,
            amount=D("1000.00"),
            paid_on=datetime.date(2026, 4, 1),
        )
        _expense(secretary_user, fy, amount=D("1200.50"))
        totals = selectors.year_totals(fiscal_year=fy)
        by_source = {line.key: line.actual for line in totals.income}
        assert by_source == {
            "contributions": D("1000.00"),
            "appropriation": D("5000.00"),
            "delegated": D("800.00"),
            "services": D("150.25"),
            "donations": D("100.00"),
        }
        assert totals.income_total == D("7050.25")
        assert totals.expense_total == D("1200.50")
        assert totals.balance == D("5849.75")
        ledger = selectors.ledger(fiscal_year=fy)
        assert ledger[-1].balance == totals.balance
        assert [e.kind for e in ledger].count("expense") == 1

    def test_delegated_funds_name_who_delegated(self, fy, secretary_user):
        with pytest.raises(ValidationError) as exc:
            _income(secretary_user, fy, source=Source.DELEGATED)
        assert "delegating_department" in exc.value.message_dict

    def test_donation_names_a_donor_or_is_anonymous(self, fy, secretary_user):
        with pytest.raises(ValidationError) as exc:
            _income(secretary_user, fy, source=Source.DONATIONS)
        assert "donor" in exc.value.message_dict
        named = _income(secretary_user, fy, source=Source.DONATIONS, donor="张三")
        assert named.counterpart == "张三"
        anon = _income(secretary_user, fy, source=Source.DONATIONS, donor="李四", anonymous=True)
        assert anon.donor == ""
        assert anon.counterpart == "匿名"

    def test_contributions_are_payments_not_income_rows(self, fy, secretary_user):
        with pytest.raises(ValidationError):
            _income(secretary_user, fy, source=Source.CONTRIBUTIONS)

    @pytest.mark.parametrize("amount", [D("0"), D("-5.00"), D("1.005"), "abc"])
    def test_bad_amounts_are_refused(self, fy, secretary_user, amount):
        with pytest.raises(ValidationError) as exc:
            _income(secretary_user, fy, amount=amount)
        assert "amount" in exc.value.message_dict
        with pytest.raises(ValidationError):
            _expense(secretary_user, fy, amount=amount)

    def test_dates_must_fall_in_the_year(self, fy, secretary_user):
        with pytest.raises(ValidationError) as exc:
            _income(secretary_user, fy, received_on=datetime.date(2025, 12, 31))
        assert "received_on" in exc.value.message_dict

    def test_database_refuses_negative_amounts(self, fy):
        with pytest.raises(IntegrityError), transaction.atomic():
            Expense.objects.create(
                fiscal_year=fy, category=Category.OTHER, spent_on=datetime.date(2026, 1, 1), amount=D("-1"), payee="x"
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            Income.objects.create(
                fiscal_year=fy, source=Source.SERVICES, received_on=datetime.date(2026, 1, 1), amount=D("-1")
            )

    def test_receipts_are_checked_uploads(self, fy, secretary_user):
        expense = _expense(secretary_user, fy, receipts=[SimpleUploadedFile("发票.pdf", PDF)])
        assert [r.name for r in expense.receipts.all()] == ["发票.pdf"]
        with pytest.raises(ValidationError) as exc:
            _expense(secretary_user, fy, receipts=[SimpleUploadedFile("发票.pdf", b"not a pdf")])
        assert "receipts" in exc.value.message_dict
        assert Expense.objects.count() == 1  # the whole spending line was rolled back

    def test_every_change_of_money_is_audited(self, fy, secretary_user, township_user):
        income = _income(secretary_user, fy, amount=D("5000.00"))
        services.income_update(actor=township_user, income=income, amount=D("5200.00"), reason="补拨")
        entries = selectors_history(income)
        assert entries[0].who == township_user
        assert entries[0].reason == "补拨"
        change = next(c for c in entries[0].changes if c.field == "金额")
        assert (change.old, change.new) == (D("5000.00"), D("5200.00"))
        assert entries[1].who == secretary_user


def selectors_history(obj):
    from common.audit import history_entries

    return history_entries(obj)


class TestClosingAndCarryOver:
    def test_close_carries_the_balance_into_the_next_year(self, world, secretary_user):
        y2025 = services.fiscal_year_open(actor=secretary_user, committee=world.mine, year=2025)
        y2026 = services.fiscal_year_open(actor=secretary_user, committee=world.mine, year=2026)
        _income(secretary_user, y2025, received_on=datetime.date(2025, 5, 1), amount=D("3000.00"))
        _expense(secretary_user, y2025, spent_on=datetime.date(2025, 6, 1), amount=D("1000.01"))
        services.fiscal_year_close(actor=secretary_user, fiscal_year=y2025)
        y2025.refresh_from_db()
        y2026.refresh_from_db()
        assert y2025.is_closed and y2025.closing_balance == D("1999.99")
        assert y2026.opening_balance == D("1999.99")
        assert selectors.year_totals(fiscal_year=y2026).balance == D("1999.99")
        # a year opened after its predecessor closed starts from that balance, too
        _income(secretary_user, y2026, amount=D("0.01"))
        services.fiscal_year_close(actor=secretary_user, fiscal_year=y2026)
        y2027 = services.fiscal_year_open(actor=secretary_user, committee=world.mine, year=2027)
        assert y2027.opening_balance == D("2000.00")

    def test_closed_years_refuse_every_change(self, fy, secretary_user, world, units, passed_resolution):
        income = _income(secretary_user, fy)
        expense = _expense(secretary_user, fy)
        payment = services.payment_record(
            actor=secretary_user, fiscal_year=fy, unit=world.unit, amount=D("10.00"), paid_on=datetime.date(2026, 1, 5)
        )
        services.fiscal_year_close(actor=secretary_user, fiscal_year=fy)
        attempts = [
            lambda: _income(secretary_user, fy),
            lambda: services.income_update(actor=secretary_user, income=income, amount=D("1.00")),
            lambda: _expense(secretary_user, fy),
            lambda: services.expense_update(actor=secretary_user, expense=expense, amount=D("1.00")),
            lambda: services.payment_record(
                actor=secretary_user,
                fiscal_year=fy,
                unit=world.unit,
                amount=D("1.00"),
                paid_on=datetime.date(2026, 2, 1),
            ),
            lambda: services.payment_refund(
                actor=secretary_user, payment=payment, amount=D("1.00"), paid_on=datetime.date(2026, 2, 1)
            ),
            lambda: services.budget_line_create(
                actor=secretary_user, fiscal_year=fy, direction="expense", category="other", title="x", amount=D(1)
            ),
            lambda: services.share_plan_create(
                actor=secretary_user,
                fiscal_year=fy,
                total=D("100.00"),
                due_on=datetime.date(2026, 6, 30),
                lines=[services.ShareInput(unit=world.unit, kind="fixed", value=D("100.00"))],
            ),
            lambda: services.fiscal_year_close(actor=secretary_user, fiscal_year=fy),
        ]
        for attempt in attempts:
            with pytest.raises(ValidationError) as exc:
                attempt()
            assert "已结账" in " ".join(exc.value.messages)
        income.refresh_from_db()
        assert income.amount == D("5000.00")

    def test_years_close_in_order(self, world, secretary_user):
        services.fiscal_year_open(actor=secretary_user, committee=world.mine, year=2025)
        y2026 = services.fiscal_year_open(actor=secretary_user, committee=world.mine, year=2026)
        with pytest.raises(ValidationError, match="2025"):
            services.fiscal_year_close(actor=secretary_user, fiscal_year=y2026)

    def test_one_year_row_per_committee_and_year(self, world, secretary_user):
        services.fiscal_year_open(actor=secretary_user, committee=world.mine, year=2026)
        with pytest.raises(ValidationError):
            services.fiscal_year_open(actor=secretary_user, committee=world.mine, year=2026)
        with pytest.raises(IntegrityError), transaction.atomic():
            FiscalYear.objects.create(committee=world.mine, year=2026)

    def test_closing_is_audited(self, fy, secretary_user):
        services.fiscal_year_close(actor=secretary_user, fiscal_year=fy)
        entry = selectors_history(fy)[0]
        assert entry.who == secretary_user and entry.reason == "年度结账"


class TestPresets:
    """R24: optional P2 norms that compute a suggested budget line."""

    def test_activities_40_yuan_per_party_member(self, fy, world, secretary_user):
        # world.unit and world.sibling_unit have 12 direct members each (factory default)
        world.unit.members_in_service, world.unit.members_floating = 5, 3
        world.unit.save()
        s = selectors.preset_suggestion(fiscal_year=fy, preset=BudgetLine.Preset.ACTIVITIES)
        assert s.amount == D("1280.00")  # (12 + 5 + 3 + 12) × 40
        assert "32名党员" in s.basis
        line = services.budget_line_adopt_preset(actor=secretary_user, fiscal_year=fy, preset=s.preset)
        assert (line.direction, line.category, line.amount) == ("expense", "activities", D("1280.00"))

    def test_tax_share_is_20_percent_of_the_entered_figure(self, fy, secretary_user):
        s = selectors.preset_suggestion(fiscal_year=fy, preset=BudgetLine.Preset.TAX_SHARE, tax_income=D("123456.78"))
        assert s.amount == D("24691.36")  # 24,691.356 rounded half up to the fen
        assert selectors.preset_suggestion(fiscal_year=fy, preset=BudgetLine.Preset.TAX_SHARE) is None
        line = services.budget_line_adopt_preset(
            actor=secretary_user, fiscal_year=fy, preset=s.preset, tax_income=D("123456.78")
        )
        assert (line.direction, line.source) == ("income", "appropriation")
        assert selectors.year_totals(fiscal_year=fy).budget_income == D("24691.36")

    def test_quarterly_allowances_for_members_in_force(self, fy, world, secretary_user):
        for _ in range(3):
            PostFactory(committee=world.mine, status="in_force", in_force_from=datetime.date(2024, 2, 1))
        PostFactory(committee=world.mine)  # nominated only: not counted
        s = selectors.preset_suggestion(
            fiscal_year=fy, preset=BudgetLine.Preset.ALLOWANCES, allowance_per_quarter=D("300.00")
        )
        assert s.amount == D("3600.00")
        assert s.category == "allowances"

    def test_adopting_without_the_figure_is_refused(self, fy, secretary_user):
        with pytest.raises(ValidationError):
            services.budget_line_adopt_preset(actor=secretary_user, fiscal_year=fy, preset=BudgetLine.Preset.TAX_SHARE)

    def test_budget_line_needs_source_or_category(self, fy, secretary_user):
        with pytest.raises(ValidationError):
            services.budget_line_create(actor=secretary_user, fiscal_year=fy, direction="income", title="x", amount=1)


def test_fiscal_year_factory_smoke(world):
    assert FiscalYearFactory(committee=world.mine).opening_balance == 0
