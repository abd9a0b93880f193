"""The one permission module: each role's scope (issue #2 §3)."""

import pytest

from committees.models import Committee, Unit
from common.permissions import can_change, scoped


@pytest.mark.django_db
class TestScopes:
    def test_township_sees_its_communities_only(self, world, township_user):
        seen = set(scoped(township_user, Committee.objects.all()))
        assert seen == {world.mine, world.sibling}

    def test_secretary_sees_own_community(self, world, secretary_user):
        assert set(scoped(secretary_user, Committee.objects.all())) == {world.mine}
        assert set(scoped(secretary_user, Unit.objects.all())) == {world.unit, world.sibling_unit}

    def test_liaison_sees_own_unit_only(self, world, liaison_user):
        assert list(scoped(liaison_user, Unit.objects.all())) == [world.unit]
        assert not scoped(liaison_user, Committee.objects.all()).exists()

    def test_county_reads_county_but_changes_nothing(self, world, county_user):
        assert set(scoped(county_user, Committee.objects.all())) == {world.mine, world.sibling, world.other}
        assert not can_change(county_user, world.mine)

    def test_admin_sees_all(self, world, admin_user):
        assert scoped(admin_user, Committee.objects.all()).count() == 4
