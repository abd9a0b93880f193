"""Services of the member-unit ledger (R2) and its effect on posts (R6)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from committees import services
from committees.models import Post, Unit, Vacancy
from common.audit import history_entries
from tests.factories import GridFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(world):
    return UserFactory(role="township", township=world.township)


def _unit(world, actor, **fields):
    defaults = {"name": "县自来水公司", "unit_type": Unit.Type.ENTERPRISE, "industry": Unit.Industry.UTILITIES}
    return services.unit_create(actor=actor, community=world.mine.community, **(defaults | fields))


class TestUnitCreateUpdate:
    def test_create_records_the_actor_in_the_history(self, world, actor):
        unit = _unit(world, actor, members_direct=8)
        assert unit.community == world.mine.community and unit.is_active
        [entry] = history_entries(unit)
        assert entry.action == "创建" and entry.who == actor

    def test_create_refuses_a_grid_of_another_community(self, world, actor):
        foreign_grid = GridFactory(community=world.other.community)
        with pytest.raises(ValidationError) as exc:
            _unit(world, actor, grid=foreign_grid)
        assert "grid" in exc.value.message_dict
        assert not Unit.objects.filter(name="县自来水公司").exists()

    def test_create_refuses_a_duplicate_name_in_the_community(self, world, actor):
        with pytest.raises(ValidationError):
            _unit(world, actor, name=world.unit.name)

    def test_same_name_in_another_community_is_fine(self, world, actor):
        unit = services.unit_create(
            actor=actor, community=world.sibling.community, name=world.unit.name, unit_type=Unit.Type.ORGAN
        )
        assert unit.pk != world.unit.pk

    def test_update_records_before_and_after(self, world, actor):
        unit = _unit(world, actor)
        services.unit_update(actor=actor, unit=unit, party_org_kind=Unit.PartyOrgKind.GENERAL_BRANCH)
        latest = history_entries(unit)[0]
        assert latest.action == "修改" and latest.who == actor
        [change] = latest.changes
        assert (change.field, change.old, change.new) == ("党组织类别", "未建立党组织", "党总支")

    def test_update_without_changes_writes_nothing(self, world, actor):
        unit = _unit(world, actor)
        services.unit_update(actor=actor, unit=unit, name=unit.name)
        assert unit.history.count() == 1

    def test_update_ignores_fields_outside_the_ledger(self, world, actor):
        unit = _unit(world, actor)
        services.unit_update(actor=actor, unit=unit, is_active=False, community=world.other.community)
        unit.refresh_from_db()
        assert unit.is_active and unit.community == world.mine.community


class TestDeactivation:
    """R2: a unit with history is never deleted; R6: its posts end and become vacancies."""

    def test_deactivation_keeps_the_unit_and_its_history(self, world, actor):
        unit = _unit(world, actor)
        services.unit_deactivate(actor=actor, unit=unit, reason="单位迁出本社区", on=datetime.date(2025, 6, 30))
        unit.refresh_from_db()
        assert not unit.is_active
        assert unit.deactivated_on == datetime.date(2025, 6, 30)
        assert unit.deactivation_reason == "单位迁出本社区"
        entries = history_entries(unit)
        assert [e.action for e in entries] == ["修改", "创建"]
        assert entries[0].reason == "单位迁出本社区" and entries[0].who == actor
        assert {c.field for c in entries[0].changes} == {"在册", "停用日期", "停用原因"}

    def test_deactivation_ends_posts_in_force_and_opens_vacancies(self, world, actor):
        unit = _unit(world, actor)
        in_force = PostFactory(
            committee=world.mine,
            unit=unit,
            kind=Post.Kind.DEPUTY,
            status=Post.Status.IN_FORCE,
            in_force_from=datetime.date(2024, 3, 1),
        )
        nominated = PostFactory(committee=world.mine, unit=unit, kind=Post.Kind.MEMBER)
        services.unit_deactivate(actor=actor, unit=unit, reason="单位撤销", on=datetime.date(2025, 6, 30))

        in_force.refresh_from_db()
        assert in_force.status == Post.Status.ENDED
        assert in_force.ended_on == datetime.date(2025, 6, 30)
        assert "单位撤销" in in_force.end_reason
        vacancy = Vacancy.objects.get(previous_post=in_force)
        assert vacancy.kind == Post.Kind.DEPUTY and vacancy.is_open
        assert vacancy.opened_on == datetime.date(2025, 6, 30)
        nominated.refresh_from_db()
        assert nominated.status == Post.Status.NOMINATED  # only posts in force leave a seat empty
        assert Vacancy.objects.count() == 1

    def test_deactivation_needs_a_reason(self, world, actor):
        unit = _unit(world, actor)
        with pytest.raises(ValidationError) as exc:
            services.unit_deactivate(actor=actor, unit=unit, reason="  ")
        assert "deactivation_reason" in exc.value.message_dict
        unit.refresh_from_db()
        assert unit.is_active

    def test_deactivating_twice_is_refused(self, world, actor):
        unit = _unit(world, actor)
        services.unit_deactivate(actor=actor, unit=unit, reason="迁出")
        with pytest.raises(ValidationError):
            services.unit_deactivate(actor=actor, unit=unit, reason="再次")

    def test_reactivation_clears_the_date_and_reason(self, world, actor):
        unit = _unit(world, actor)
        services.unit_deactivate(actor=actor, unit=unit, reason="迁出")
        services.unit_reactivate(actor=actor, unit=unit)
        unit.refresh_from_db()
        assert unit.is_active and unit.deactivated_on is None and unit.deactivation_reason == ""
        assert unit.history.count() == 3

    def test_reactivating_an_active_unit_is_refused(self, world, actor):
        unit = _unit(world, actor)
        with pytest.raises(ValidationError):
            services.unit_reactivate(actor=actor, unit=unit)
        assert unit.history.count() == 1
