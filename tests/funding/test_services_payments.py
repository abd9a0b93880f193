"""Payments, refunds, arrears and reminders (R23.1; issue #5 §3)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from funding import selectors, services
from funding.models import Payment
from inbox.models import Message
from tests.factories import UserFactory

from .factories import FiscalYearFactory

D = Decimal
pytestmark = pytest.mark.django_db
APRIL = datetime.date(2026, 4, 10)  # ten days after the plan's due date


def _pay(actor, fy, unit, amount, day=datetime.date(2026, 3, 1), **kw):
    return services.payment_record(actor=actor, fiscal_year=fy, unit=unit, amount=D(amount), paid_on=day, **kw)


class TestPayments:
    def test_partial_and_full_payments(self, active_plan, units, secretary_user):
        fy = active_plan.fiscal_year
        _pay(secretary_user, fy, units[0], "1000.00")
        status = selectors.share_status(fiscal_year=fy, today=APRIL)
        row = {r.unit: r for r in status.rows}[units[0]]
        assert (row.due, row.paid, row.outstanding) == (D("3333.34"), D("1000.00"), D("2333.34"))
        assert row.days_overdue == 10
        _pay(secretary_user, fy, units[0], "2333.34")
        row = {r.unit: r for r in selectors.share_status(fiscal_year=fy, today=APRIL).rows}[units[0]]
        assert row.outstanding == D("0.00") and row.days_overdue == 0
        status = selectors.share_status(fiscal_year=fy, today=APRIL)
        assert [r.unit for r in status.arrears] == sorted(units[1:], key=lambda u: u.name)
        assert status.outstanding == D("6666.66")

    def test_not_overdue_before_the_due_date(self, active_plan):
        status = selectors.share_status(fiscal_year=active_plan.fiscal_year, today=datetime.date(2026, 3, 31))
        assert all(r.days_overdue == 0 for r in status.rows)
        assert len(status.arrears) == 3  # still outstanding, just not overdue yet

    def test_receipt_numbers_are_generated_and_unique(self, fy, world, secretary_user):
        first = _pay(secretary_user, fy, world.unit, "10.00")
        second = _pay(secretary_user, fy, world.unit, "10.00")
        assert (first.receipt_no, second.receipt_no) == ("2026-0001", "2026-0002")
        _pay(secretary_user, fy, world.unit, "10.00", receipt_no="2026-0004")
        assert _pay(secretary_user, fy, world.unit, "10.00").receipt_no == "2026-0005"
        with pytest.raises(ValidationError) as exc:
            _pay(secretary_user, fy, world.unit, "10.00", receipt_no="2026-0001")
        assert "receipt_no" in exc.value.message_dict

    @pytest.mark.parametrize("amount", ["0", "-10.00", "0.001"])
    def test_payments_are_positive(self, fy, world, secretary_user, amount):
        with pytest.raises(ValidationError):
            _pay(secretary_user, fy, world.unit, amount)

    def test_only_units_of_the_community_pay(self, fy, world, secretary_user):
        with pytest.raises(ValidationError):
            _pay(secretary_user, fy, world.other_unit, "10.00")

    def test_the_database_refuses_an_unrecorded_negative_entry(self, fy, world, secretary_user):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(
                fiscal_year=fy, unit=world.unit, amount=D("-5"), receipt_no="x", recorded_by=secretary_user
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(
                fiscal_year=fy,
                unit=world.unit,
                kind="refund",
                amount=D("-5"),
                receipt_no="y",
                recorded_by=secretary_user,
            )


class TestRefunds:
    def test_a_refund_is_a_recorded_negative_entry(self, active_plan, units, secretary_user):
        fy = active_plan.fiscal_year
        payment = _pay(secretary_user, fy, units[0], "4000.00")  # overpaid by 666.66
        refund = services.payment_refund(
            actor=secretary_user,
            payment=payment,
            amount=D("666.66"),
            paid_on=datetime.date(2026, 3, 2),
            note="多缴退回",
        )
        assert refund.kind == "refund" and refund.amount == D("-666.66") and refund.refund_of == payment
        row = {r.unit: r for r in selectors.share_status(fiscal_year=fy).rows}[units[0]]
        assert row.paid == D("3333.34") and row.outstanding == 0
        assert selectors.year_totals(fiscal_year=fy).income[0].actual == D("3333.34")
        assert selectors.ledger(fiscal_year=fy)[-1].amount == D("-666.66")

    def test_refunds_never_exceed_the_payment(self, fy, world, secretary_user):
        payment = _pay(secretary_user, fy, world.unit, "100.00")
        services.payment_refund(actor=secretary_user, payment=payment, amount=D("60.00"), paid_on=payment.paid_on)
        with pytest.raises(ValidationError) as exc:
            services.payment_refund(actor=secretary_user, payment=payment, amount=D("40.01"), paid_on=payment.paid_on)
        assert "已退 60.00" in " ".join(exc.value.messages)
        services.payment_refund(actor=secretary_user, payment=payment, amount=D("40.00"), paid_on=payment.paid_on)

    def test_a_refund_is_not_refunded_and_not_before_the_payment(self, fy, world, secretary_user):
        payment = _pay(secretary_user, fy, world.unit, "100.00")
        refund = services.payment_refund(
            actor=secretary_user, payment=payment, amount=D("1.00"), paid_on=payment.paid_on
        )
        with pytest.raises(ValidationError):
            services.payment_refund(actor=secretary_user, payment=refund, amount=D("1.00"), paid_on=payment.paid_on)
        with pytest.raises(ValidationError):
            services.payment_refund(
                actor=secretary_user, payment=payment, amount=D("1.00"), paid_on=datetime.date(2026, 2, 1)
            )


class TestReminders:
    def test_reminders_go_to_liaisons_and_the_unit_address_once_a_day(self, active_plan, units, secretary_user):
        fy = active_plan.fiscal_year
        liaison = UserFactory(role=User.Role.LIAISON, unit=units[1], email="liaison@example.cn")
        _pay(secretary_user, fy, units[0], "3333.34")  # units[0] is paid up
        count = services.arrears_remind(actor=secretary_user, fiscal_year=fy, today=APRIL)
        assert count == 3  # liaison of units[1] + contact addresses of units[1] and units[2]
        messages = Message.objects.filter(kind="arrears")
        assert {m.email for m in messages} == {"liaison@example.cn", units[1].contact_email, units[2].contact_email}
        mine = messages.get(recipient=liaison)
        assert "3,333.33" in mine.subject or "3333.33" in mine.subject
        assert "已逾期 10 天" in mine.body
        assert mine.url == f"/funding/units/{units[1].pk}/"
        services.arrears_remind(actor=secretary_user, fiscal_year=fy, today=APRIL)
        assert Message.objects.filter(kind="arrears").count() == 3  # idempotent per day

    def test_nothing_to_remind_before_the_due_date(self, active_plan, secretary_user):
        assert (
            services.arrears_remind(actor=secretary_user, fiscal_year=active_plan.fiscal_year, today=active_plan.due_on)
            == 0
        )


class TestUnitDues:
    def test_a_units_years(self, active_plan, units, secretary_user):
        _pay(secretary_user, active_plan.fiscal_year, units[0], "1000.00")
        years = selectors.unit_dues(unit=units[0])
        assert len(years) == 1
        assert (years[0].due, years[0].paid, years[0].outstanding) == (D("3333.34"), D("1000.00"), D("2333.34"))


def test_the_weekly_task_reminds_past_due_years_only(active_plan, units, world, secretary_user):
    from funding.tasks import remind_arrears

    FiscalYearFactory(committee=world.sibling, year=2026)  # no plan: nothing to remind
    # the plan's due date (31 March 2026) is in the past once the suite runs after it
    today = datetime.date.today()
    sent = remind_arrears()
    if today > active_plan.due_on:
        assert sent == 3  # the three units' contact addresses
        assert remind_arrears() == 3  # same day: the outbox keeps one of each
        assert Message.objects.filter(kind="arrears").count() == 3
    else:
        assert sent == 0
