"""R25.4 (issue #11 item 17): the pilot cannot be switched once any community entered stage 4,
and the stage-4 work of a non-pilot community says the gate is closed until the pilot is
summarised."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rollout import services
from rollout.models import CommunityProgress, RolloutPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world, township_user):
    return services.plan_create(actor=township_user, township=world.township, year=2030, pilot=world.mine.community)


def _progress(community):
    return CommunityProgress.objects.get(community=community)


def test_r25_the_pilot_switches_while_nobody_is_in_stage_4(plan, world, township_user):
    services.stage_set(actor=township_user, progress=_progress(world.mine.community), stage=3, reason="方案已定")
    services.plan_set_pilot(actor=township_user, plan=plan, community=world.sibling.community)
    plan.refresh_from_db()
    assert plan.pilot == world.sibling.community


def test_r25_the_pilot_cannot_switch_once_a_community_entered_stage_4(plan, world, township_user):
    services.stage_set(actor=township_user, progress=_progress(world.mine.community), stage=4, reason="试点启动")
    with pytest.raises(ValidationError) as exc:
        services.plan_set_pilot(actor=township_user, plan=plan, community=world.sibling.community)
    assert exc.value.error_dict["pilot"][0].code == "pilot_locked"
    assert "不能再更换试点社区" in exc.value.messages[0]
    plan.refresh_from_db()
    world.sibling.community.refresh_from_db()
    assert plan.pilot == world.mine.community and not world.sibling.community.is_pilot


def test_r25_the_lock_holds_after_the_community_was_moved_back_out_of_stage_4(plan, world, township_user):
    progress = services.stage_set(
        actor=township_user, progress=_progress(world.mine.community), stage=4, reason="试点启动"
    )
    services.stage_set(actor=township_user, progress=progress, stage=3, reason="误操作，退回")
    with pytest.raises(ValidationError):
        services.plan_set_pilot(actor=township_user, plan=plan, community=world.sibling.community)
    assert RolloutPlan.objects.get(pk=plan.pk).pilot == world.mine.community


def test_r25_the_plan_page_says_the_pilot_is_fixed_and_refuses_a_switch(plan, world, login, township_user):
    services.stage_set(actor=township_user, progress=_progress(world.mine.community), stage=4, reason="试点启动")
    client = login(township_user)
    page = client.get(reverse("rollout:plan_detail", args=[plan.pk])).content.decode()
    assert 'id="pilot-locked"' in page and "试点社区不能再更换" in page
    response = client.post(reverse("rollout:plan_pilot", args=[plan.pk]), {"community": world.sibling.community.pk})
    assert response.status_code == 400 and "不能再更换试点社区" in response.content.decode()
    assert RolloutPlan.objects.get(pk=plan.pk).pilot == world.mine.community


def test_r25_stage_4_section_of_a_non_pilot_says_the_gate_is_closed(
    plan, world, login, township_user, django_assert_max_num_queries
):
    client = login(township_user)
    url = reverse("rollout:progress_detail", args=[_progress(world.sibling.community).pk])
    with django_assert_max_num_queries(40):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="stage-4-gate"' in page and "第4阶段尚未开放" in page and world.mine.community.name in page
    pilot_page = client.get(reverse("rollout:progress_detail", args=[_progress(world.mine.community).pk]))
    assert 'id="stage-4-gate"' not in pilot_page.content.decode()
