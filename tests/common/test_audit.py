"""The audit trail shows who changed what, before → after, with names rather than ids."""

import pytest

from committees import services
from common.audit import history_entries
from tests.factories import GridFactory, UserFactory


@pytest.mark.django_db
def test_history_names_who_and_shows_related_objects_by_name(world):
    actor = UserFactory(full_name="张干事")
    grid = GridFactory(community=world.mine.community, name="第一网格")
    services.unit_update(actor=actor, unit=world.unit, grid=grid, members_direct=30)
    latest = history_entries(world.unit)[0]
    assert str(latest.who) == "张干事"
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes["所在网格"] == ("—", "第一网格")
    assert changes["直属党员数"] == (12, 30)


@pytest.mark.django_db
def test_history_of_a_bulk_created_row_is_empty(world):
    from committees.models import Grid

    (grid,) = Grid.objects.bulk_create([Grid(community=world.mine.community, name="批量网格")])
    assert history_entries(grid) == []
