"""Races on PostgreSQL (``select_for_update`` does nothing on SQLite): every money service locks
the fiscal year, so concurrent requests serialise instead of breaking the rules."""

import datetime
from decimal import Decimal

import pytest

from funding import services
from funding.models import Payment, SharePlan
from tests.races import together

from .factories import decide

D = Decimal
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_payments_get_distinct_receipt_numbers(fy, world, secretary_user):
    calls = [
        lambda: services.payment_record(
            actor=secretary_user, fiscal_year=fy, unit=world.unit, amount=D("1.00"), paid_on=datetime.date(2026, 3, 1)
        )
        for _ in range(4)
    ]
    assert together(*calls) == []
    numbers = sorted(Payment.objects.filter(fiscal_year=fy).values_list("receipt_no", flat=True))
    assert numbers == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]


def test_concurrent_activations_leave_one_plan_in_force(fy, units, world, secretary_user):
    plans = []
    for _ in range(2):
        plan = services.share_plan_create(
            actor=secretary_user,
            fiscal_year=fy,
            total=D("100.00"),
            due_on=datetime.date(2026, 6, 30),
            lines=[services.ShareInput(unit=units[0], kind="fixed", value=D("100.00"))],
        )
        decide(plan, secretary_user)
        plans.append(plan)
    errors = together(*(lambda p=p: services.share_plan_activate(actor=secretary_user, plan=p) for p in plans))
    assert errors == []
    assert SharePlan.objects.filter(fiscal_year=fy, status="active").count() == 1
    assert SharePlan.objects.filter(fiscal_year=fy, status="superseded").count() == 1


def test_refunds_racing_never_exceed_the_payment(fy, world, secretary_user):
    payment = services.payment_record(
        actor=secretary_user, fiscal_year=fy, unit=world.unit, amount=D("100.00"), paid_on=datetime.date(2026, 3, 1)
    )
    calls = [
        lambda: services.payment_refund(
            actor=secretary_user, payment=payment, amount=D("60.00"), paid_on=payment.paid_on
        )
        for _ in range(2)
    ]
    errors = together(*calls)
    assert len(errors) == 1
    assert Payment.objects.filter(refund_of=payment).count() == 1
