"""Needs pages (R28) through the client: refusals on the page, liaison scope, fixed query counts."""

import datetime

from django.urls import reverse

from needs import services
from needs.models import Need, NeedRequest

TODAY = datetime.date(2026, 5, 10)


def collect(actor, committee, title="楼道照明灯损坏", **overrides) -> Need:
    fields = {"title": title, "category": "safety", "asked_by": "张大爷", "collected_on": TODAY}
    fields.update(overrides)
    return services.need_collect(actor=actor, committee=committee, **fields)


def test_the_list_runs_a_fixed_number_of_queries(world, secretary_user, login, django_assert_max_num_queries):
    client = login(secretary_user)
    collect(secretary_user, world.mine, title="需求0")
    with django_assert_max_num_queries(12) as few:
        response = client.get(reverse("needs:need_list"))
    assert response.status_code == 200 and "需求0" in response.content.decode()
    for i in range(1, 12):
        need = collect(secretary_user, world.mine, title=f"需求{i}")
        if i % 2:
            services.request_accept(
                actor=secretary_user, request=services.need_request(actor=secretary_user, need=need, unit=world.unit)
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("needs:need_list"))
    assert response.status_code == 200 and "需求11" in response.content.decode()


def test_r28_the_detail_page_shows_the_decline_reason_refusal(world, secretary_user, liaison_user, login):
    need = collect(secretary_user, world.mine)
    request = services.need_request(actor=secretary_user, need=need, unit=world.unit)
    client = login(liaison_user)
    response = client.post(reverse("needs:request_decline", args=[request.pk]), {"reason": ""})
    assert response.status_code == 400 and "婉拒须说明理由" in response.content.decode()
    request.refresh_from_db()
    assert request.status == NeedRequest.Status.ASKED


def test_r28_a_liaison_sees_only_needs_asked_of_their_unit(world, secretary_user, liaison_user, login):
    mine = collect(secretary_user, world.mine, title="请本单位认领的")
    services.need_request(actor=secretary_user, need=mine, unit=world.unit)
    other = collect(secretary_user, world.mine, title="请别的单位认领的")
    services.need_request(actor=secretary_user, need=other, unit=world.sibling_unit)
    client = login(liaison_user)
    page = client.get(reverse("needs:need_list")).content.decode()
    assert "请本单位认领的" in page and "请别的单位认领的" not in page
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200


def test_r28_county_reviewers_read_and_cannot_act(world, secretary_user, county_user, login):
    need = collect(secretary_user, world.mine)
    client = login(county_user)
    assert client.get(need.get_absolute_url()).status_code == 200
    assert client.post(reverse("needs:need_request", args=[need.pk]), {"unit": world.unit.pk}).status_code == 403
    assert not NeedRequest.objects.exists()


def test_r28_the_suggestions_show_on_the_detail_page(world, secretary_user, liaison_user, login):
    services.resource_save(
        actor=liaison_user, unit=world.unit, kind="skill", title="电工志愿服务队", categories=["safety"]
    )
    need = collect(secretary_user, world.mine)
    page = login(secretary_user).get(need.get_absolute_url()).content.decode()
    assert "可提供：电工志愿服务队" in page


def test_r28_a_liaison_adds_a_resource_on_their_units_page(world, liaison_user, login):
    client = login(liaison_user)
    url = reverse("needs:unit_resources", args=[world.unit.pk])
    response = client.post(url, {"kind": "venue", "title": "职工活动室", "categories": ["culture"], "available": "on"})
    assert response.status_code == 302
    assert world.unit.resources.get().categories == "culture"
    assert client.get(reverse("needs:unit_resources", args=[world.sibling_unit.pk])).status_code == 404
