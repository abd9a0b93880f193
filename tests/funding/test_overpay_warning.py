"""Issue #15 item 10: a payment above what the unit still owes is a risky entry: refused with the
figures until confirmed, then kept (the surplus stays recorded)."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding import selectors, services
from funding.models import Payment

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


def _pay(actor, fy, unit, amount, **kw):
    return services.payment_record(actor=actor, fiscal_year=fy, unit=unit, amount=D(amount), paid_on=DAY, **kw)


def test_r23_payment_above_the_owed_share_asks_for_confirmation(active_plan, units, secretary_user):
    fy = active_plan.fiscal_year
    _pay(secretary_user, fy, units[0], "3000.00", confirm_overpay=False)  # within the share: no question
    with pytest.raises(ValidationError) as exc:
        _pay(secretary_user, fy, units[0], "500.00", confirm_overpay=False)
    assert "尚欠的 333.34 元" in exc.value.message_dict["amount"][0]
    assert Payment.objects.filter(unit=units[0]).count() == 1
    _pay(secretary_user, fy, units[0], "500.00", confirm_overpay=True)
    row = {r.unit: r for r in selectors.share_status(fiscal_year=fy).rows}[units[0]]
    assert row.paid == D("3500.00") and row.overpaid == D("166.66")  # kept


def test_r23_payment_form_warns_then_keeps_when_confirmed(active_plan, units, secretary_user, login):
    fy = active_plan.fiscal_year
    client = login(secretary_user)
    url = reverse("funding:payment_create", args=[fy.pk])
    data = {"unit": units[1].pk, "paid_on": DAY.isoformat(), "amount": "5000.00", "method": "transfer"}
    response = client.post(url, data)
    assert response.status_code == 400 and "确认多缴" in response.content.decode()
    assert not Payment.objects.exists()
    response = client.post(url, {**data, "confirm_overpay": "on"})
    assert response.status_code == 302
    assert Payment.objects.get().amount == D("5000.00")
