"""The shared write helpers: validation before save, the history names who and why."""

import pytest
from django.core.exceptions import ValidationError

from common.services import apply_changes, save_audited
from tests.factories import UserFactory


@pytest.mark.django_db
def test_save_audited_validates_records_actor_and_saves_only_changed_fields(world):
    actor = UserFactory(full_name="钱干事")
    unit = world.unit
    changed = apply_changes(unit, {"members_direct": 40, "name": unit.name, "address": "x"}, allowed={"members_direct"})
    assert changed == ["members_direct"]
    save_audited(unit, actor, update_fields=changed, reason="年度核对")
    record = unit.history.first()
    assert record.history_user == actor and record.history_change_reason == "年度核对"
    unit.refresh_from_db()
    assert unit.members_direct == 40 and unit.address == ""


@pytest.mark.django_db
def test_save_audited_refuses_invalid_rows(world):
    world.unit.unit_type = "nonsense"
    with pytest.raises(ValidationError):
        save_audited(world.unit, None)
