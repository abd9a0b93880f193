"""The member-unit ledger pages (R2) by each role: in scope they read (and, for township staff and
secretaries, change); outside the scope a unit does not exist (404); a visible unit the role may
not change is a 403."""

import datetime

import pytest
from django.urls import reverse

from committees import services
from committees.models import Post, Unit, Vacancy
from tests.factories import CommunityFactory, GridFactory, PostFactory, UnitFactory

pytestmark = pytest.mark.django_db

LIST = reverse("committees:unit_list")


def detail(unit):
    return reverse("committees:unit_detail", args=[unit.pk])


def edit(unit):
    return reverse("committees:unit_update", args=[unit.pk])


def names(response):
    return {u.name for u in response.context["page"].object_list}


class TestUnitList:
    def test_township_sees_the_units_of_its_communities_only(self, world, township_user, login):
        sibling_unit = UnitFactory(community=world.sibling.community, name="东关小学")
        response = login(township_user).get(LIST)
        assert response.status_code == 200
        assert names(response) == {world.unit.name, world.sibling_unit.name, sibling_unit.name}
        assert world.other_unit.name not in response.content.decode()

    def test_secretary_sees_own_community(self, world, secretary_user, login):
        UnitFactory(community=world.sibling.community, name="东关小学")
        response = login(secretary_user).get(LIST)
        assert names(response) == {world.unit.name, world.sibling_unit.name}

    def test_liaison_sees_only_own_unit(self, world, liaison_user, login):
        response = login(liaison_user).get(LIST)
        assert names(response) == {world.unit.name}
        assert "新增单位" not in response.content.decode()

    def test_county_reads_the_county_without_change_buttons(self, world, county_user, login):
        response = login(county_user).get(LIST)
        assert names(response) == {world.unit.name, world.sibling_unit.name, world.other_unit.name}
        page = response.content.decode()
        assert "新增单位" not in page and "Excel 导入" not in page
        assert "导出 Excel" in page

    def test_change_buttons_for_those_who_may_change(self, world, secretary_user, login):
        page = login(secretary_user).get(LIST, {"community": world.mine.community.pk}).content.decode()
        assert reverse("committees:unit_create", args=[world.mine.community.pk]) in page
        assert reverse("committees:unit_import", args=[world.mine.community.pk]) in page

    def test_community_choices_are_the_users_scope(self, world, township_user, login):
        response = login(township_user).get(LIST)
        choices = set(response.context["filter"].form.fields["community"].queryset)
        assert choices == {world.mine.community, world.sibling.community}

    def test_community_out_of_scope_shows_nothing_of_it(self, world, township_user, login):
        response = login(township_user).get(LIST, {"community": world.other.community.pk})
        assert world.other_unit.name not in names(response)
        assert response.context["filter"].form.errors  # the choice is refused, not silently used

    def test_community_param_preselects(self, world, township_user, login):
        UnitFactory(community=world.sibling.community, name="东关小学")
        response = login(township_user).get(LIST, {"community": world.sibling.community.pk})
        assert names(response) == {"东关小学"}
        assert response.context["chosen_community"] == world.sibling.community

    def test_filters_type_industry_grid_kind(self, world, township_user, login):
        grid = GridFactory(community=world.mine.community, name="第一网格")
        target = UnitFactory(
            community=world.mine.community,
            name="县人民医院",
            unit_type=Unit.Type.INSTITUTION,
            industry=Unit.Industry.HEALTH,
            party_org_kind=Unit.PartyOrgKind.COMMITTEE,
            grid=grid,
        )
        client = login(township_user)
        for params in (
            {"unit_type": "institution"},
            {"industry": "Q"},
            {"grid": grid.pk},
            {"party_org_kind": "committee"},
        ):
            assert names(client.get(LIST, params)) == {target.name}, params

    def test_search_name_party_org_and_liaison(self, world, township_user, login):
        UnitFactory(community=world.mine.community, name="城关供销社", party_org_name="供销党支部", liaison_name="赵敏")
        client = login(township_user)
        for q in ("供销社", "供销党支部", "赵敏"):
            assert names(client.get(LIST, {"q": q})) == {"城关供销社"}, q

    def test_active_by_default_and_inactive_on_request(self, world, township_user, login):
        services.unit_deactivate(actor=township_user, unit=world.sibling_unit, reason="迁出")
        client = login(township_user)
        assert names(client.get(LIST)) == {world.unit.name}
        assert names(client.get(LIST, {"status": "inactive"})) == {world.sibling_unit.name}
        assert names(client.get(LIST, {"status": "all"})) == {world.unit.name, world.sibling_unit.name}

    def test_paginated(self, world, township_user, login):
        Unit.objects.bulk_create(
            Unit(community=world.mine.community, name=f"单位{i:03d}", unit_type=Unit.Type.OTHER) for i in range(40)
        )
        client = login(township_user)
        first = client.get(LIST)
        assert len(first.context["page"].object_list) == 25
        second = client.get(LIST, {"page": 2})
        assert len(second.context["page"].object_list) == 42 - 25

    def test_htmx_request_gets_the_table_alone(self, world, township_user, login):
        response = login(township_user).get(LIST, {"q": "供电"}, HTTP_HX_REQUEST="true")
        page = response.content.decode()
        assert 'id="unit-table"' in page and "<html" not in page
        assert world.unit.name in page

    def test_ledger_complete_mark(self, world, township_user, login):
        grid = GridFactory(community=world.mine.community)
        UnitFactory(community=world.mine.community, name="完整单位", grid=grid)
        page = login(township_user).get(LIST).content.decode()
        assert "完整" in page and "待补充" in page


class TestUnitDetail:
    def test_in_scope_roles_read(self, world, township_user, secretary_user, county_user, admin_user, login):
        for user in (township_user, secretary_user, county_user, admin_user):
            response = login(user).get(detail(world.unit))
            assert response.status_code == 200, user.role
            assert world.unit.party_org_secretary in response.content.decode()

    def test_liaison_reads_own_unit_and_not_another(self, world, liaison_user, login):
        client = login(liaison_user)
        assert client.get(detail(world.unit)).status_code == 200
        assert client.get(detail(world.sibling_unit)).status_code == 404
        assert client.get(detail(world.other_unit)).status_code == 404

    def test_other_township_or_community_is_404(self, world, township_user, secretary_user, county_user, login):
        sibling_community_unit = UnitFactory(community=world.sibling.community)
        assert login(township_user).get(detail(world.other_unit)).status_code == 404
        assert login(secretary_user).get(detail(sibling_community_unit)).status_code == 404
        assert login(county_user).get(detail(world.foreign_unit)).status_code == 404

    def test_shows_every_ledger_field_posts_and_history(self, world, township_user, login):
        grid = GridFactory(community=world.mine.community, name="第三网格")
        services.unit_update(
            actor=township_user,
            unit=world.unit,
            grid=grid,
            address="建设路 8 号",
            members_in_service=7,
            members_floating=3,
            liaison_phone="13912345678",
            contact_phone="0371-7654321",
        )
        PostFactory(
            committee=world.mine,
            unit=world.unit,
            holder_name="周卫东",
            kind=Post.Kind.SECRETARY,
            status=Post.Status.IN_FORCE,
            in_force_from=datetime.date(2024, 2, 1),
        )
        page = login(township_user).get(detail(world.unit)).content.decode()
        u = world.unit
        for text in (
            u.name,
            "企业",
            "制造业",
            "第三网格",
            "建设路 8 号",
            u.party_org_name,
            "党支部",
            u.party_org_secretary,
            "13912345678",
            "0371-7654321",
            u.contact_email,
            "周卫东",
            "在任",
            "变更记录",
            "township",  # who made the change (user's display name falls back to username)
        ):
            assert text in page, text

    def test_change_controls_only_for_those_who_may_change(self, world, township_user, county_user, login):
        assert edit(world.unit) in login(township_user).get(detail(world.unit)).content.decode()
        assert edit(world.unit) not in login(county_user).get(detail(world.unit)).content.decode()


class TestUnitEdit:
    def _data(self, unit, **changes):
        data = {
            "name": unit.name,
            "unit_type": unit.unit_type,
            "industry": unit.industry,
            "grid": "",
            "address": unit.address,
            "party_org_name": unit.party_org_name,
            "party_org_kind": unit.party_org_kind,
            "party_org_secretary": unit.party_org_secretary,
            "members_direct": unit.members_direct,
            "members_in_service": unit.members_in_service,
            "members_floating": unit.members_floating,
            "liaison_name": unit.liaison_name,
            "liaison_phone": unit.liaison_phone,
            "contact_phone": unit.contact_phone,
            "contact_email": unit.contact_email,
        }
        return data | changes

    def test_township_and_secretary_change_in_scope(self, world, township_user, secretary_user, login):
        for user, count in ((township_user, 30), (secretary_user, 31)):
            response = login(user).post(edit(world.unit), self._data(world.unit, members_direct=count))
            assert response.status_code == 302 and response["Location"] == detail(world.unit)
            world.unit.refresh_from_db()
            assert world.unit.members_direct == count
            assert world.unit.history.first().history_user == user

    def test_grid_choices_are_the_units_community(self, world, township_user, login):
        mine = GridFactory(community=world.mine.community)
        GridFactory(community=world.sibling.community)
        form = login(township_user).get(edit(world.unit)).context["form"]
        assert list(form.fields["grid"].queryset) == [mine]

    def test_grid_of_another_community_is_refused(self, world, township_user, login):
        foreign = GridFactory(community=world.sibling.community)
        response = login(township_user).post(edit(world.unit), self._data(world.unit, grid=foreign.pk))
        assert response.status_code == 200 and response.context["form"].errors["grid"]
        world.unit.refresh_from_db()
        assert world.unit.grid is None

    def test_extra_posted_fields_have_no_effect(self, world, township_user, login):
        data = self._data(world.unit, community=world.other.community.pk, is_active="", deactivation_reason="x")
        login(township_user).post(edit(world.unit), data)
        world.unit.refresh_from_db()
        assert world.unit.community == world.mine.community and world.unit.is_active

    def test_rejected_form_keeps_input_and_says_why(self, world, township_user, login):
        response = login(township_user).post(
            edit(world.unit), self._data(world.unit, name=world.sibling_unit.name, address="新地址")
        )
        assert response.status_code == 200
        assert "本社区已有名为" in response.content.decode()
        assert "新地址" in response.content.decode()
        world.unit.refresh_from_db()
        assert world.unit.name == "县供电公司"

    def test_liaison_may_not_edit_own_unit(self, world, liaison_user, login):
        client = login(liaison_user)
        assert client.get(edit(world.unit)).status_code == 403
        assert client.post(edit(world.unit), self._data(world.unit, members_direct=99)).status_code == 403
        assert client.get(edit(world.sibling_unit)).status_code == 404
        world.unit.refresh_from_db()
        assert world.unit.members_direct == 12

    def test_county_reads_but_may_not_change(self, world, county_user, login):
        client = login(county_user)
        assert client.get(edit(world.unit)).status_code == 403
        assert client.post(edit(world.unit), self._data(world.unit, members_direct=99)).status_code == 403

    def test_other_scope_is_404(self, world, township_user, secretary_user, login):
        assert login(township_user).get(edit(world.other_unit)).status_code == 404
        sibling_community_unit = UnitFactory(community=world.sibling.community)
        assert login(secretary_user).get(edit(sibling_community_unit)).status_code == 404


class TestUnitCreate:
    def url(self, community):
        return reverse("committees:unit_create", args=[community.pk])

    def test_secretary_creates_in_own_community(self, world, secretary_user, login):
        grid = GridFactory(community=world.mine.community)
        response = login(secretary_user).post(
            self.url(world.mine.community),
            {
                "name": "县税务局",
                "unit_type": "organ",
                "industry": "S",
                "grid": grid.pk,
                "party_org_kind": "general_branch",
                "members_direct": 40,
                "members_in_service": 0,
                "members_floating": 0,
                "community": world.other.community.pk,  # not a form field: ignored
            },
        )
        unit = Unit.objects.get(name="县税务局")
        assert response.status_code == 302 and response["Location"] == detail(unit)
        assert unit.community == world.mine.community and unit.grid == grid and unit.ledger_complete
        assert unit.history.get().history_user == secretary_user

    def test_required_fields_in_chinese(self, world, secretary_user, login):
        response = login(secretary_user).post(self.url(world.mine.community), {"name": ""})
        assert response.status_code == 200
        assert "这个字段是必填项。" in response.content.decode()

    def test_roles_out_of_scope_or_read_only(self, world, secretary_user, county_user, liaison_user, login):
        assert login(secretary_user).get(self.url(world.sibling.community)).status_code == 404
        assert login(county_user).get(self.url(world.mine.community)).status_code == 403
        assert login(liaison_user).get(self.url(world.mine.community)).status_code == 404


class TestDeactivateReactivate:
    def deactivate(self, unit):
        return reverse("committees:unit_deactivate", args=[unit.pk])

    def reactivate(self, unit):
        return reverse("committees:unit_reactivate", args=[unit.pk])

    def test_deactivate_with_reason_ends_posts(self, world, township_user, login):
        post = PostFactory(
            committee=world.mine,
            unit=world.unit,
            status=Post.Status.IN_FORCE,
            in_force_from=datetime.date(2024, 2, 1),
        )
        response = login(township_user).post(self.deactivate(world.unit), {"reason": "单位搬迁"})
        assert response.status_code == 302
        world.unit.refresh_from_db()
        assert not world.unit.is_active and world.unit.deactivation_reason == "单位搬迁"
        assert Unit.objects.filter(pk=world.unit.pk).exists()  # never hard-deleted
        assert Vacancy.objects.filter(previous_post=post, filled_on__isnull=True).exists()
        page = login(township_user).get(detail(world.unit)).content.decode()
        assert "已停用" in page and "单位搬迁" in page

    def test_deactivate_needs_a_reason(self, world, township_user, login):
        client = login(township_user)
        response = client.post(self.deactivate(world.unit), {"reason": ""}, follow=True)
        assert "请填写停用原因。" in response.content.decode()
        world.unit.refresh_from_db()
        assert world.unit.is_active

    def test_get_never_changes_data(self, world, township_user, login):
        client = login(township_user)
        assert client.get(self.deactivate(world.unit)).status_code == 405
        assert client.get(self.reactivate(world.unit)).status_code == 405
        world.unit.refresh_from_db()
        assert world.unit.is_active

    def test_reactivate(self, world, secretary_user, login):
        services.unit_deactivate(actor=secretary_user, unit=world.unit, reason="迁出")
        response = login(secretary_user).post(self.reactivate(world.unit))
        assert response.status_code == 302
        world.unit.refresh_from_db()
        assert world.unit.is_active

    def test_read_only_and_out_of_scope(self, world, county_user, liaison_user, township_user, login):
        assert login(county_user).post(self.deactivate(world.unit), {"reason": "x"}).status_code == 403
        assert login(liaison_user).post(self.deactivate(world.unit), {"reason": "x"}).status_code == 403
        assert login(township_user).post(self.deactivate(world.other_unit), {"reason": "x"}).status_code == 404
        assert Unit.objects.filter(is_active=False).count() == 0


def test_a_unit_of_a_new_community_follows_its_township(world, township_user, login):
    community = CommunityFactory(township=world.township, name="新建社区")
    unit = UnitFactory(community=community)
    assert login(township_user).get(detail(unit)).status_code == 200


def test_r26_ledger_grid_filter_offers_grids_once_a_community_is_chosen(world, township_user, secretary_user, login):
    """A county has thousands of grids: the filter lists a community's grids once it is chosen;
    a secretary (one community) gets theirs straight away."""
    mine = GridFactory(community=world.mine.community, name="第一网格")
    GridFactory(community=world.sibling.community, name="第二网格")
    url = reverse("committees:unit_list")
    unfiltered = login(township_user).get(url).context["filter"].form.fields["grid"]
    assert list(unfiltered.queryset) == []
    chosen = login(township_user).get(url, {"community": world.mine.community.pk}).context["filter"]
    assert list(chosen.form.fields["grid"].queryset) == [mine]
    picked = login(township_user).get(url, {"grid": mine.pk}).context["filter"]
    assert list(picked.form.fields["grid"].queryset) == [mine] and picked.is_valid()
    secretary = login(secretary_user).get(url).context["filter"].form.fields["grid"]
    assert list(secretary.queryset) == [mine]
