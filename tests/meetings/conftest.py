"""Fixtures of the meetings tests, and the service markers.

``postgres``: race tests that need row locks (skipped unless DATABASE_URL is PostgreSQL);
``redis``: tests with a real Celery worker on Redis (skipped unless REDIS_URL is set).
Under CI=true neither is skipped: a missing service fails the test.
"""

import datetime
import os
from types import SimpleNamespace

import pytest

from accounts.models import User
from committees.models import Post
from tests.factories import PostFactory, UserFactory

IN_FORCE_FROM = datetime.date(2024, 1, 2)


def pytest_configure(config):
    config.addinivalue_line("markers", "redis: needs Redis (REDIS_URL) and a real Celery worker")


def _need(item, marker: str, available: bool, what: str) -> None:
    if item.get_closest_marker(marker) is None or available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is not configured")
    pytest.skip(f"{what} not configured")


def pytest_runtest_setup(item):
    _need(item, "postgres", os.environ.get("DATABASE_URL", "").startswith("postgres"), "PostgreSQL (DATABASE_URL)")
    _need(item, "redis", bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL)")


@pytest.fixture
def board(world, secretary_user):
    """The committee of ``world.mine`` with a secretary in force (the secretary user's account,
    without e-mail: reached in the inbox only), two members with accounts, one
    member without an account (but an e-mail-less post) and one nomination not yet in force."""
    c = world.mine
    b = SimpleNamespace(committee=c)
    b.secretary_post = PostFactory(
        committee=c,
        kind=Post.Kind.SECRETARY,
        holder_name="李书记",
        unit=world.unit,
        user=secretary_user,
        status=Post.Status.IN_FORCE,
        in_force_from=IN_FORCE_FROM,
    )
    b.members = []
    b.member_users = []
    for i, unit in enumerate((world.unit, world.sibling_unit)):
        user = UserFactory(
            username=f"member{i}",
            full_name=f"委员{i}",
            role=User.Role.LIAISON,
            unit=unit,
            email=f"member{i}@example.cn",
        )
        b.member_users.append(user)
        b.members.append(
            PostFactory(
                committee=c,
                kind=Post.Kind.MEMBER,
                holder_name=f"委员{i}",
                unit=unit,
                user=user,
                status=Post.Status.IN_FORCE,
                in_force_from=IN_FORCE_FROM,
            )
        )
    b.no_account = PostFactory(
        committee=c,
        kind=Post.Kind.MEMBER,
        holder_name="无账号委员",
        unit=world.sibling_unit,
        status=Post.Status.IN_FORCE,
        in_force_from=IN_FORCE_FROM,
    )
    b.nominated = PostFactory(committee=c, kind=Post.Kind.MEMBER, holder_name="待批委员", unit=world.unit)
    return b
