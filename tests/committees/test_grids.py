"""Grids and building party groups (R26) by each role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees import services
from committees.models import BuildingGroup, Grid, Unit
from tests.factories import GridFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(world):
    return GridFactory(community=world.mine.community, name="第一网格", party_members=30)


def grids_url(community):
    return reverse("committees:grid_list", args=[community.pk])


class TestGridList:
    def test_lists_grids_with_groups_units_and_members(self, world, township_user, grid, login):
        BuildingGroup.objects.create(
            grid=grid, name="1号楼党小组", buildings="1、2号楼", leader="陈组长", party_members=6
        )
        GridFactory(community=world.mine.community, name="第二网格")
        UnitFactory(community=world.mine.community, grid=grid, members_direct=10, members_in_service=5)
        inactive = UnitFactory(community=world.mine.community, grid=grid, members_direct=100)
        services.unit_deactivate(actor=township_user, unit=inactive, reason="迁出")

        response = login(township_user).get(grids_url(world.mine.community))
        assert response.status_code == 200
        first = next(g for g in response.context["grids"] if g.pk == grid.pk)
        assert first.unit_count == 1  # active units only
        assert first.unit_party_members == 15
        page = response.content.decode()
        for text in ("第一网格", "第二网格", "1号楼党小组", "陈组长", "1、2号楼"):
            assert text in page
        assert response.context["ungridded_units"] == 2  # the world's two units have no grid

    def test_roles(self, world, county_user, liaison_user, secretary_user, township_user, login):
        assert login(county_user).get(grids_url(world.mine.community)).status_code == 200
        assert login(secretary_user).get(grids_url(world.mine.community)).status_code == 200
        assert login(secretary_user).get(grids_url(world.sibling.community)).status_code == 404
        assert login(township_user).get(grids_url(world.other.community)).status_code == 404
        assert login(liaison_user).get(grids_url(world.mine.community)).status_code == 404

    def test_change_links_only_for_those_who_may_change(self, world, county_user, township_user, grid, login):
        create = reverse("committees:grid_create", args=[world.mine.community.pk])
        assert create in login(township_user).get(grids_url(world.mine.community)).content.decode()
        assert create not in login(county_user).get(grids_url(world.mine.community)).content.decode()

    def test_queries_do_not_grow_with_grids(self, world, township_user, login, django_assert_max_num_queries):
        client = login(township_user)
        GridFactory(community=world.mine.community)
        client.get(grids_url(world.mine.community))
        with CaptureQueriesContext(connection) as ctx:
            client.get(grids_url(world.mine.community))
        for n in range(20):
            g = GridFactory(community=world.mine.community)
            BuildingGroup.objects.create(grid=g, name=f"小组{n}")
            Unit.objects.create(community=world.mine.community, name=f"网格单位{n}", unit_type="other", grid=g)
        with django_assert_max_num_queries(len(ctx.captured_queries)):
            client.get(grids_url(world.mine.community))


class TestGridChange:
    def test_township_creates_and_edits_a_grid(self, world, township_user, login):
        client = login(township_user)
        url = reverse("committees:grid_create", args=[world.mine.community.pk])
        response = client.post(
            url, {"name": "第三网格", "area": "建设路以东", "branch_name": "第三网格党支部", "party_members": 21}
        )
        grid = Grid.objects.get(community=world.mine.community, name="第三网格")
        assert response.status_code == 302 and response["Location"].endswith(f"#grid-{grid.pk}")
        assert grid.history.get().history_user == township_user

        edit = reverse("committees:grid_update", args=[grid.pk])
        client.post(
            edit, {"name": "第三网格", "area": "建设路以东", "branch_name": "第三网格党支部", "party_members": 25}
        )
        grid.refresh_from_db()
        assert grid.party_members == 25

    def test_duplicate_grid_name_is_refused_in_chinese(self, world, secretary_user, grid, login):
        url = reverse("committees:grid_create", args=[world.mine.community.pk])
        response = login(secretary_user).post(url, {"name": "第一网格", "party_members": 0})
        assert response.status_code == 200
        assert "本社区已有名为“第一网格”的网格。" in response.content.decode()
        assert Grid.objects.filter(name="第一网格").count() == 1

    def test_read_only_and_out_of_scope(self, world, county_user, township_user, liaison_user, grid, login):
        edit = reverse("committees:grid_update", args=[grid.pk])
        create = reverse("committees:grid_create", args=[world.mine.community.pk])
        assert login(county_user).get(edit).status_code == 403
        assert login(county_user).post(create, {"name": "x", "party_members": 0}).status_code == 403
        assert login(liaison_user).get(edit).status_code == 404
        foreign = GridFactory(community=world.other.community)
        assert login(township_user).get(reverse("committees:grid_update", args=[foreign.pk])).status_code == 404
        assert not Grid.objects.filter(name="x").exists()


class TestBuildingGroups:
    def test_create_and_edit(self, world, secretary_user, grid, login):
        client = login(secretary_user)
        url = reverse("committees:building_group_create", args=[grid.pk])
        data = {"name": "3号楼党小组", "buildings": "3号楼", "leader": "刘组长", "party_members": 4}
        assert client.post(url, data).status_code == 302
        group = BuildingGroup.objects.get(grid=grid, name="3号楼党小组")
        assert group.history.get().history_user == secretary_user

        edit = reverse("committees:building_group_update", args=[group.pk])
        assert client.post(edit, data | {"party_members": 7}).status_code == 302
        group.refresh_from_db()
        assert group.party_members == 7

    def test_duplicate_name_in_a_grid_is_refused(self, world, township_user, grid, login):
        BuildingGroup.objects.create(grid=grid, name="1号楼党小组")
        url = reverse("committees:building_group_create", args=[grid.pk])
        response = login(township_user).post(url, {"name": "1号楼党小组", "party_members": 0})
        assert "该网格已有名为“1号楼党小组”的楼栋党小组。" in response.content.decode()

    def test_roles(self, world, county_user, liaison_user, township_user, grid, login):
        group = BuildingGroup.objects.create(grid=grid, name="1号楼党小组")
        edit = reverse("committees:building_group_update", args=[group.pk])
        create = reverse("committees:building_group_create", args=[grid.pk])
        assert login(county_user).get(edit).status_code == 403
        assert login(county_user).get(create).status_code == 403
        assert login(liaison_user).get(edit).status_code == 404
        foreign = GridFactory(community=world.other.community)
        assert (
            login(township_user).get(reverse("committees:building_group_create", args=[foreign.pk])).status_code == 404
        )
