"""Fixtures of the funding tests.

While the committees views (#2) are still being written, the shared nav links to URL names that
do not exist yet; until they do, pages render against ``tests.funding.stub_urls``, which adds
placeholders for the missing names only. Once #2 lands this fixture changes nothing.
"""

import datetime
import os
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse

from funding import services
from tests.factories import UnitFactory

from .factories import FiscalYearFactory, resolution_for


def _nav_urls_missing() -> bool:
    try:
        reverse("committees:township_detail", args=[1])
        reverse("committees:unit_detail", args=[1])
    except NoReverseMatch:
        return True
    return False


@pytest.fixture(autouse=True)
def _nav_stubs(settings):
    if _nav_urls_missing():
        settings.ROOT_URLCONF = "tests.funding.stub_urls"
        clear_url_caches()
        yield
        clear_url_caches()
    else:
        yield


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (races) run on PostgreSQL, or fail loudly under CI=true."""
    from django.db import connection

    if os.environ.get("CI") == "true" or connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: set DATABASE_URL=postgres://… (or CI=true)")
    for item in items:
        if "postgres" in item.keywords and "/funding/" in str(item.fspath):
            item.add_marker(skip)


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
def active_plan(fy, units, secretary_user, passed_resolution):
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
    services.share_plan_link_resolution(actor=secretary_user, plan=plan, resolution=passed_resolution)
    return services.share_plan_activate(actor=secretary_user, plan=plan)
