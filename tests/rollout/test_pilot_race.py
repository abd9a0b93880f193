"""R25.4 race on PostgreSQL (issue #11 item 17): a pilot switch and the pilot's entry into stage 4
at the same moment never both happen — the plan's row lock serialises them."""

import pytest
from django.core.exceptions import ValidationError

from rollout import services
from rollout.models import CommunityProgress, RolloutPlan
from tests.races import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_r25_pilot_switch_and_stage_4_entry_do_not_both_succeed(world, township_user):
    plan = services.plan_create(actor=township_user, township=world.township, year=2030, pilot=world.mine.community)
    pilot_progress = CommunityProgress.objects.get(community=world.mine.community)
    errors = together(
        lambda: services.plan_set_pilot(actor=township_user, plan=plan, community=world.sibling.community),
        lambda: services.stage_set(actor=township_user, progress=pilot_progress, stage=4, reason="试点启动"),
    )
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    plan = RolloutPlan.objects.get(pk=plan.pk)
    in_stage_4 = CommunityProgress.objects.get(pk=pilot_progress.pk).stage == 4
    # either the switch won (the old pilot is gated out of stage 4) or the entry won (no switch)
    assert (plan.pilot == world.sibling.community and not in_stage_4) or (
        plan.pilot == world.mine.community and in_stage_4
    )
