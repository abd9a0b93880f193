"""Fixtures of the funding tests."""

import datetime
from decimal import Decimal

import pytest

from funding import services
from tests.factories import UnitFactory

from .factories import FiscalYearFactory, decide, resolution_for

D = Decimal


@pytest.fixture
def fy(world):
    return FiscalYearFactory(committee=world.mine, year=2026)


@pytest.fixture
def units(world):
    """Three units of ``world.mine`` (with ``world.unit`` and ``world.sibling_unit``)."""
    third = UnitFactory(community=world.mine.community, name="城关小学")
    return [world.unit, world.sibling_unit, third]


@pytest.fixture
def passed_resolution(world):
    return resolution_for(world.mine, passed=True)


@pytest.fixture
def active_plan(fy, units, secretary_user):
    """Thirds of 10,000.00 (3,333.34 / 3,333.33 / 3,333.33), due on 31 March 2026."""
    plan = services.share_plan_create(
        actor=secretary_user,
        fiscal_year=fy,
        total=D("10000.00"),
        due_on=datetime.date(2026, 3, 31),
        lines=[
            services.ShareInput(unit=u, kind="percent", value=v)
            for u, v in zip(units, ("33.3334", "33.3333", "33.3333"), strict=True)
        ],
    )
    decide(plan, secretary_user)
    return services.share_plan_activate(actor=secretary_user, plan=plan)
