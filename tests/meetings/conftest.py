"""Fixtures of the meetings tests (the ``postgres`` and ``redis`` markers: tests/conftest.py)."""

import datetime
from types import SimpleNamespace

import pytest

from accounts.models import User
from committees.models import Post
from tests.factories import PostFactory, UserFactory

IN_FORCE_FROM = datetime.date(2024, 1, 2)


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
