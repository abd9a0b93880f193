"""The unit list and unit detail run the same number of SQL queries with 10 and with 1,000 units
(issue #2: pages open at once at county scale)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Post, Unit
from tests.factories import GridFactory, PostFactory

pytestmark = pytest.mark.django_db


def _add_units(community, grids, count):
    Unit.objects.bulk_create(
        Unit(
            community=community,
            name=f"批量单位{i:04d}",
            unit_type=Unit.Type.ENTERPRISE,
            industry=Unit.Industry.TRADE,
            grid=grids[i % len(grids)],
            party_org_kind=Unit.PartyOrgKind.BRANCH,
            members_direct=i % 30,
            liaison_name=f"联络员{i}",
        )
        for i in range(count)
    )


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def grids(world):
    return [GridFactory(community=world.mine.community, name=f"第{n}网格") for n in range(1, 4)]


@pytest.mark.parametrize("role", ["township_user", "secretary_user", "county_user"])
def test_unit_list_queries_do_not_grow_with_units(world, grids, role, request, login, django_assert_max_num_queries):
    client = login(request.getfixturevalue(role))
    url = reverse("committees:unit_list")
    _add_units(world.mine.community, grids, 8)  # 10 with the world's two units
    baseline = {
        "plain": _queries(client, url),
        "filtered": _queries(client, url, {"community": world.mine.community.pk, "grid": grids[0].pk, "q": "单位"}),
    }

    Unit.objects.filter(name__startswith="批量单位").delete()
    _add_units(world.mine.community, grids, 998)  # 1,000
    assert Unit.objects.filter(community=world.mine.community).count() == 1000
    with django_assert_max_num_queries(baseline["plain"]):
        response = client.get(url)
    assert response.context["page"].paginator.count >= 1000
    with django_assert_max_num_queries(baseline["filtered"]):
        client.get(url, {"community": world.mine.community.pk, "grid": grids[0].pk, "q": "单位"})


def test_unit_list_export_queries_do_not_grow_with_units(world, grids, township_user, login):
    client = login(township_user)
    url = reverse("committees:unit_export")
    _add_units(world.mine.community, grids, 8)
    baseline = _queries(client, url)
    _add_units(world.sibling.community, [None], 990)
    assert _queries(client, url) == baseline


@pytest.mark.parametrize("role", ["township_user", "liaison_user", "county_user"])
def test_unit_detail_queries_do_not_grow_with_units(world, grids, role, request, login, django_assert_max_num_queries):
    client = login(request.getfixturevalue(role))
    for kind in (Post.Kind.DEPUTY, Post.Kind.MEMBER):
        PostFactory(
            committee=world.mine,
            unit=world.unit,
            kind=kind,
            status=Post.Status.IN_FORCE,
            in_force_from=datetime.date(2024, 2, 1),
        )
    world.unit.grid = grids[0]
    world.unit.save()
    url = reverse("committees:unit_detail", args=[world.unit.pk])
    _add_units(world.mine.community, grids, 8)
    baseline = _queries(client, url)

    _add_units(world.sibling.community, [None], 990)
    with django_assert_max_num_queries(baseline):
        client.get(url)
