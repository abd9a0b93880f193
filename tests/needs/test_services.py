"""The needs list (R28): collect → claim → handle → done → return visit; merging duplicates; the
units' resources and the suggestions (reasons, never points); who may do each step."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from committees.models import Grid
from inbox.models import Message
from needs import services
from needs.models import Need, NeedRequest, Resource
from tests.factories import UserFactory

TODAY = datetime.date(2026, 5, 10)


def collect(actor, committee, **overrides) -> Need:
    fields = {
        "title": "楼道照明灯损坏",
        "category": "safety",
        "asked_by": "张大爷",
        "collected_on": TODAY,
        "building": "3号楼",
    }
    fields.update(overrides)
    return services.need_collect(actor=actor, committee=committee, **fields)


def claimed(world, secretary_user, liaison_user) -> Need:
    need = collect(secretary_user, world.mine)
    request = services.need_request(actor=secretary_user, need=need, unit=world.unit)
    services.request_accept(actor=liaison_user, request=request)
    need.refresh_from_db()
    return need


def test_r28_a_need_is_collected_in_its_half_year(world, secretary_user):
    need = collect(secretary_user, world.mine, collected_on=datetime.date(2026, 7, 1))
    assert (need.year, need.half, need.status) == (2026, 2, Need.Status.COLLECTED)
    assert need.history.first().history_user == secretary_user


@pytest.mark.parametrize("who", ["liaison_user", "county_user"])
def test_r28_liaisons_and_county_reviewers_do_not_collect(world, who, request):
    with pytest.raises(PermissionDenied):
        collect(request.getfixturevalue(who), world.mine)
    assert Need.objects.count() == 0


def test_r28_the_grid_belongs_to_the_community(world, secretary_user):
    grid = Grid.objects.create(community=world.other.community, name="第一网格")
    with pytest.raises(ValidationError):
        collect(secretary_user, world.mine, grid=grid)


def test_r28_full_path_collected_claimed_in_progress_done_visited(world, secretary_user, liaison_user):
    need = claimed(world, secretary_user, liaison_user)
    assert (need.status, need.unit) == (Need.Status.CLAIMED, world.unit)
    need = services.need_start(actor=liaison_user, need=need)
    assert need.status == Need.Status.IN_PROGRESS
    need = services.need_done(actor=liaison_user, need=need, done_on=TODAY, note="已更换12盏感应灯。", today=TODAY)
    assert need.status == Need.Status.DONE
    assert Message.objects.filter(
        recipient=secretary_user, key=f"need:{need.pk}:done:user:{secretary_user.pk}"
    ).exists()
    need = services.need_visit(actor=secretary_user, need=need, satisfied=True, note="晚上回家方便了。")
    assert need.status == Need.Status.VISITED and need.feedback_satisfied is True


def test_r28_the_request_reaches_the_units_liaison_once(world, secretary_user, liaison_user):
    need = collect(secretary_user, world.mine)
    services.need_request(actor=secretary_user, need=need, unit=world.unit)
    assert Message.objects.filter(recipient=liaison_user, kind="need").count() == 1


def test_r28_one_open_request_at_a_time(world, secretary_user):
    need = collect(secretary_user, world.mine)
    services.need_request(actor=secretary_user, need=need, unit=world.unit)
    with pytest.raises(ValidationError):
        services.need_request(actor=secretary_user, need=need, unit=world.sibling_unit)
    assert NeedRequest.objects.count() == 1


def test_r28_a_decline_needs_a_reason_and_the_need_stays_collected(world, secretary_user, liaison_user):
    need = collect(secretary_user, world.mine)
    request = services.need_request(actor=secretary_user, need=need, unit=world.unit)
    with pytest.raises(ValidationError):
        services.request_decline(actor=liaison_user, request=request, reason=" ")
    services.request_decline(actor=liaison_user, request=request, reason="本单位没有电工。")
    need.refresh_from_db()
    assert need.status == Need.Status.COLLECTED and need.unit is None
    assert Message.objects.filter(recipient=secretary_user, key__endswith=f"declined:user:{secretary_user.pk}").exists()
    services.need_request(actor=secretary_user, need=need, unit=world.sibling_unit)  # asked again elsewhere


def test_r28_only_the_asked_units_liaison_answers(world, secretary_user):
    need = collect(secretary_user, world.mine)
    request = services.need_request(actor=secretary_user, need=need, unit=world.unit)
    stranger = UserFactory(role="liaison", unit=world.sibling_unit)
    with pytest.raises(PermissionDenied):
        services.request_accept(actor=stranger, request=request)
    request.refresh_from_db()
    assert request.status == NeedRequest.Status.ASKED


def test_r28_only_the_claiming_unit_reports_handling(world, secretary_user, liaison_user):
    need = claimed(world, secretary_user, liaison_user)
    stranger = UserFactory(role="liaison", unit=world.sibling_unit)
    with pytest.raises(PermissionDenied):
        services.need_done(actor=stranger, need=need, done_on=TODAY, note="x", today=TODAY)
    need.refresh_from_db()
    assert need.status == Need.Status.CLAIMED


def test_r28_done_needs_a_result_and_a_date_not_in_the_future(world, secretary_user, liaison_user):
    need = claimed(world, secretary_user, liaison_user)
    with pytest.raises(ValidationError):
        services.need_done(actor=liaison_user, need=need, done_on=TODAY, note="", today=TODAY)
    with pytest.raises(ValidationError):
        services.need_done(
            actor=liaison_user, need=need, done_on=TODAY + datetime.timedelta(days=1), note="好了", today=TODAY
        )
    need.refresh_from_db()
    assert need.status == Need.Status.CLAIMED


def test_r28_the_return_visit_comes_after_done_and_an_unhappy_resident_is_heard(world, secretary_user, liaison_user):
    need = claimed(world, secretary_user, liaison_user)
    with pytest.raises(ValidationError):
        services.need_visit(actor=secretary_user, need=need, satisfied=True)
    need = services.need_done(actor=liaison_user, need=need, done_on=TODAY, note="已修好", today=TODAY)
    with pytest.raises(ValidationError):
        services.need_visit(actor=secretary_user, need=need, satisfied=False)
    with pytest.raises(PermissionDenied):
        services.need_visit(actor=liaison_user, need=need, satisfied=True)
    need = services.need_visit(actor=secretary_user, need=need, satisfied=False, note="灯又坏了")
    assert need.status == Need.Status.VISITED and need.feedback_satisfied is False


def test_r28_duplicates_are_merged_into_the_first(world, secretary_user, township_user):
    first = collect(secretary_user, world.mine)
    again = collect(secretary_user, world.mine, asked_by="李阿姨")
    services.need_request(actor=secretary_user, need=again, unit=world.unit)
    merged = services.need_merge(actor=secretary_user, duplicate=again, into=first)
    assert merged.status == Need.Status.MERGED and merged.merged_into == first
    assert not NeedRequest.objects.filter(status=NeedRequest.Status.ASKED).exists()
    with pytest.raises(ValidationError):
        services.need_merge(actor=secretary_user, duplicate=first, into=again)  # into a merged one
    elsewhere = collect(township_user, world.sibling)
    with pytest.raises(ValidationError):
        services.need_merge(actor=township_user, duplicate=elsewhere, into=first)


def test_r28_a_need_becomes_a_public_benefit_project(world, secretary_user):
    need = collect(secretary_user, world.mine, description="3号楼楼道灯全部损坏。")
    project = services.need_to_project(
        actor=secretary_user,
        need=need,
        claim_by=TODAY + datetime.timedelta(days=10),
        deadline=TODAY + datetime.timedelta(days=40),
        place="",
        today=TODAY,
    )
    need.refresh_from_db()
    assert need.project == project and need.status == Need.Status.CLAIMED
    assert project.need == "3号楼楼道灯全部损坏。" and project.place == "3号楼"


def test_r28_suggestions_give_reasons_not_points(world, secretary_user, liaison_user):
    services.resource_save(
        actor=liaison_user, unit=world.unit, kind="skill", title="电工志愿服务队", categories=["safety"]
    )
    need = collect(secretary_user, world.mine)
    [suggestion] = services.suggest_units(need)
    assert suggestion.unit == world.unit
    assert suggestion.reasons == ["可提供：电工志愿服务队"]


def test_r28_a_liaison_keeps_only_their_own_units_resources(world, liaison_user, county_user):
    resource = services.resource_save(actor=liaison_user, unit=world.unit, kind="venue", title="职工活动室")
    with pytest.raises(PermissionDenied):
        services.resource_save(actor=liaison_user, unit=world.sibling_unit, kind="venue", title="礼堂")
    with pytest.raises(PermissionDenied):
        services.resource_save(actor=county_user, unit=world.unit, kind="venue", title="礼堂")
    with pytest.raises(ValidationError):
        services.resource_save(actor=liaison_user, unit=world.unit, kind="venue", title="职工活动室")
    assert list(Resource.objects.values_list("title", flat=True)) == [resource.title]


def test_r28_open_needs_by_age(world, secretary_user):
    collect(secretary_user, world.mine, collected_on=TODAY - datetime.timedelta(days=5))
    collect(secretary_user, world.mine, collected_on=TODAY - datetime.timedelta(days=45))
    collect(secretary_user, world.mine, collected_on=TODAY - datetime.timedelta(days=120))
    assert services.open_by_age(committee_ids=[world.mine.pk], today=TODAY) == {
        world.mine.pk: {"fresh": 1, "ageing": 1, "old": 1}
    }
