"""Shared fixtures: one county with two townships, so every role has an object out of scope."""

import os

import pytest

from accounts.models import User

from .factories import CommitteeFactory, CommunityFactory, CountyFactory, TownshipFactory, UnitFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def world(db):
    """Two committees in two townships of one county, plus a committee in another county.

    ``world.mine`` is the committee the role fixtures work in; ``world.other`` is out of scope
    for township staff, secretaries and liaisons; ``world.foreign`` is out of the county.
    """

    class World:
        pass

    w = World()
    w.county = CountyFactory(name="示范县")
    w.township = TownshipFactory(county=w.county, name="城关镇")
    w.other_township = TownshipFactory(county=w.county, name="河西镇")
    w.mine = CommitteeFactory(community=CommunityFactory(township=w.township, name="陵园社区"))
    w.sibling = CommitteeFactory(community=CommunityFactory(township=w.township, name="东关社区"))
    w.other = CommitteeFactory(community=CommunityFactory(township=w.other_township, name="河西社区"))
    w.foreign = CommitteeFactory(
        community=CommunityFactory(township=TownshipFactory(county=CountyFactory(name="邻县")), name="外县社区")
    )
    w.unit = UnitFactory(community=w.mine.community, name="县供电公司")
    w.sibling_unit = UnitFactory(community=w.mine.community, name="县第一中学")
    w.other_unit = UnitFactory(community=w.other.community, name="河西医院")
    w.foreign_unit = UnitFactory(community=w.foreign.community, name="外县银行")
    return w


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=User.Role.ADMIN, is_superuser=True, is_staff=True)


@pytest.fixture
def township_user(world):
    return UserFactory(username="township", role=User.Role.TOWNSHIP, township=world.township)


@pytest.fixture
def secretary_user(world):
    return UserFactory(username="secretary", role=User.Role.SECRETARY, community=world.mine.community)


@pytest.fixture
def liaison_user(world):
    return UserFactory(username="liaison", role=User.Role.LIAISON, unit=world.unit)


@pytest.fixture
def county_user(world):
    return UserFactory(username="county", role=User.Role.COUNTY, county=world.county)


ROLES = ("township_user", "secretary_user", "liaison_user", "county_user", "admin_user")


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _need(item, marker: str, available: bool, what: str) -> None:
    if item.get_closest_marker(marker) is None or available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is not configured")
    pytest.skip(f"{what} not configured")


def pytest_runtest_setup(item):
    """``postgres``: race tests that need row locks; ``redis``: a real Celery worker on Redis.
    Skipped when the service is not configured, except under CI=true, where that fails."""
    _need(item, "postgres", os.environ.get("DATABASE_URL", "").startswith("postgres"), "PostgreSQL (DATABASE_URL)")
    _need(item, "redis", bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL)")
