"""R17 pledges through the pages: each role, scope (404), reserved actions (403), kept input."""

import pytest
from django.urls import reverse

from cobuilding import services
from cobuilding.models import Fulfilment, Pledge

from .conftest import png

pytestmark = pytest.mark.django_db


def _form(today, **overrides):
    data = {
        "year": today.year,
        "kind": "technology",
        "title": "网络安全讲座",
        "description": "为社区居民讲解防诈骗",
        "quantity": "2场",
        "value": "",
        "period_start": today.replace(month=1, day=1).isoformat(),
        "period_end": today.replace(month=12, day=31).isoformat(),
        "contact_name": "李联络",
        "contact_phone": "13900000000",
    }
    data.update(overrides)
    return data


def test_liaison_creates_and_submits_pledge(login, liaison_user, today):
    client = login(liaison_user)
    assert client.get(reverse("cobuilding:pledge_create")).status_code == 200
    r = client.post(reverse("cobuilding:pledge_create"), {**_form(today), "submit": "1"})
    assert r.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.SUBMITTED and pledge.unit == liaison_user.unit


def test_rejected_pledge_form_keeps_input_in_chinese(login, liaison_user, today):
    client = login(liaison_user)
    r = client.post(reverse("cobuilding:pledge_create"), _form(today, quantity="", value="", title="保留我"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "数量与价值至少填写一项" in body and 'value="保留我"' in body
    assert not Pledge.objects.exists()


def test_secretary_returns_with_comment_liaison_sees_it(login, client, make_pledge, liaison_user, secretary_user):
    pledge = make_pledge(liaison_user, status="submitted")
    login(secretary_user)
    r = client.post(reverse("cobuilding:pledge_return", args=[pledge.pk]), {"comment": ""})
    assert r.status_code == 200 and "退回时请写明" in r.content.decode()
    client.post(reverse("cobuilding:pledge_return", args=[pledge.pk]), {"comment": "请补充时间安排"})
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RETURNED
    login(liaison_user)
    page = client.get(reverse("cobuilding:workspace")).content.decode()
    assert "请补充时间安排" in page and "被退回" in page
    assert "请补充时间安排" in client.get(reverse("cobuilding:pledge_update", args=[pledge.pk])).content.decode()


def test_secretary_accepts_from_list(login, make_pledge, liaison_user, secretary_user):
    pledge = make_pledge(liaison_user, status="submitted")
    client = login(secretary_user)
    assert "接受" in client.get(reverse("cobuilding:pledge_list")).content.decode()
    r = client.post(reverse("cobuilding:pledge_accept", args=[pledge.pk]), {"next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == pledge.get_absolute_url()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ACCEPTED


def test_liaison_accepting_is_403(login, make_pledge, liaison_user):
    pledge = make_pledge(liaison_user, status="submitted")
    client = login(liaison_user)
    assert client.post(reverse("cobuilding:pledge_accept", args=[pledge.pk])).status_code == 403
    assert client.post(reverse("cobuilding:pledge_return", args=[pledge.pk]), {"comment": "x"}).status_code == 403


def test_liaison_confirming_own_fulfilment_is_403(login, accepted_pledge, liaison_user, today):
    report = services.fulfilment_report(actor=liaison_user, pledge=accepted_pledge, delivered_on=today, text="x")
    client = login(liaison_user)
    assert client.post(reverse("cobuilding:fulfilment_confirm", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == Fulfilment.Status.SUBMITTED


def test_other_units_pledge_is_404_for_liaison(login, make_pledge, liaison_user, sibling_liaison, today):
    pledge = make_pledge(sibling_liaison, status="submitted")
    client = login(liaison_user)
    for name in ("pledge_detail", "pledge_update", "fulfilment_create"):
        assert client.get(reverse(f"cobuilding:{name}", args=[pledge.pk])).status_code == 404
    assert client.post(reverse("cobuilding:pledge_submit", args=[pledge.pk])).status_code == 404
    assert client.post(reverse("cobuilding:pledge_update", args=[pledge.pk]), _form(today)).status_code == 404
    assert pledge.title not in client.get(reverse("cobuilding:pledge_list")).content.decode()


def test_out_of_scope_secretary_gets_404(login, make_pledge, other_liaison, secretary_user):
    pledge = make_pledge(other_liaison, status="submitted")
    client = login(secretary_user)
    assert client.get(reverse("cobuilding:pledge_detail", args=[pledge.pk])).status_code == 404
    assert client.post(reverse("cobuilding:pledge_accept", args=[pledge.pk])).status_code == 404


def test_county_reads_but_cannot_change(login, make_pledge, liaison_user, county_user, world):
    pledge = make_pledge(liaison_user, status="submitted")
    client = login(county_user)
    assert client.get(reverse("cobuilding:pledge_detail", args=[pledge.pk])).status_code == 200
    assert client.post(reverse("cobuilding:pledge_accept", args=[pledge.pk])).status_code == 403
    assert client.get(reverse("cobuilding:pledge_create") + f"?committee={world.mine.pk}").status_code == 403


def test_fulfilment_with_photo_then_photo_served_only_in_scope(
    login, client, accepted_pledge, liaison_user, sibling_liaison, secretary_user, today
):
    login(liaison_user)
    r = client.post(
        reverse("cobuilding:fulfilment_create", args=[accepted_pledge.pk]),
        {"delivered_on": today.isoformat(), "text": "已发放", "amount": "2500", "photos": [png("现场.png")]},
    )
    assert r.status_code == 302
    photo = Fulfilment.objects.get().photos.get()
    r = client.get(reverse("cobuilding:photo_file", args=[photo.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"\x89PNG")
    assert r["Content-Type"] == "image/png"
    login(sibling_liaison)
    assert client.get(reverse("cobuilding:photo_file", args=[photo.pk])).status_code == 404
    login(secretary_user)
    assert client.get(reverse("cobuilding:photo_file", args=[photo.pk])).status_code == 200
    client.post(reverse("cobuilding:fulfilment_confirm", args=[Fulfilment.objects.get().pk]))
    assert "25%" in client.get(accepted_pledge.get_absolute_url()).content.decode()


def test_bad_photo_refused_with_message(login, accepted_pledge, liaison_user, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(liaison_user)
    r = client.post(
        reverse("cobuilding:fulfilment_create", args=[accepted_pledge.pk]),
        {
            "delivered_on": today.isoformat(),
            "text": "保留文字",
            "amount": "1",
            "photos": [SimpleUploadedFile("fake.jpg", b"not an image")],
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "文件内容与扩展名" in body and "保留文字" in body
    assert not Fulfilment.objects.exists()


def test_pledge_list_query_count_fixed(
    login, make_pledge, liaison_user, secretary_user, many_units, django_assert_max_num_queries
):
    from tests.factories import UserFactory

    make_pledge(liaison_user, status="submitted")
    client = login(secretary_user)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("cobuilding:pledge_list"))
    for i, unit in enumerate(many_units(15)):
        liaison = UserFactory(username=f"l{i}", role="liaison", unit=unit)
        for kind in ("funds", "talent", "venue"):
            make_pledge(liaison, status="submitted", kind=kind)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(reverse("cobuilding:pledge_list"))
    assert r.content.decode().count("扩展单位") >= 45


def test_pledge_detail_query_count_fixed(
    login, accepted_pledge, liaison_user, secretary_user, today, django_assert_max_num_queries
):
    client = login(secretary_user)
    services.fulfilment_report(actor=liaison_user, pledge=accepted_pledge, delivered_on=today, text="x", photos=[png()])
    with django_assert_max_num_queries(20) as small:
        client.get(accepted_pledge.get_absolute_url())
    for _ in range(5):
        services.fulfilment_report(
            actor=liaison_user, pledge=accepted_pledge, delivered_on=today, text="x", photos=[png(), png()]
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(accepted_pledge.get_absolute_url())
