"""R15/R16 agreements: the six principles, draft → sent → signed → expired, the signed scan
(type, size, content checked; served only in scope), renewal copies the last period as a draft."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cobuilding import services
from cobuilding.models import Agreement
from inbox.models import Message

from .conftest import PDF, PNG, pdf

pytestmark = pytest.mark.django_db

PRINCIPLES = {name: f"{name}的具体承诺" for name in services.PRINCIPLE_FIELDS}


@pytest.fixture
def draft(secretary_user, world, today):
    return services.agreement_create(
        actor=secretary_user,
        unit=world.unit,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        **PRINCIPLES,
    )


@pytest.fixture
def sent(draft, secretary_user):
    return services.agreement_send(actor=secretary_user, agreement=draft)


def test_r16_draft_defaults_parties(draft, world):
    assert draft.status == Agreement.Status.DRAFT
    assert draft.community_party == world.mine.community.party_org_name
    assert draft.unit_party == world.unit.party_org_name
    assert [label for label, _text in draft.principle_rows()] == [
        "组织联建",
        "党员联管",
        "活动联办",
        "资源联用",
        "服务联动",
        "保障联筹",
    ]


def test_r15_send_needs_all_six_principles(secretary_user, world, today):
    a = services.agreement_create(
        actor=secretary_user,
        unit=world.unit,
        period_start=today,
        period_end=today + datetime.timedelta(days=365),
        org_joint="共建支部",
    )
    with pytest.raises(ValidationError) as e:
        services.agreement_send(actor=secretary_user, agreement=a)
    assert set(e.value.message_dict) == set(services.PRINCIPLE_FIELDS) - {"org_joint"}


def test_r16_liaison_cannot_draft_or_send(liaison_user, draft, world, today):
    with pytest.raises(PermissionDenied):
        services.agreement_create(actor=liaison_user, unit=world.unit, period_start=today, period_end=today)
    with pytest.raises(PermissionDenied):
        services.agreement_send(actor=liaison_user, agreement=draft)


def test_r16_send_notifies_liaison(liaison_user, sent):
    msg = Message.objects.get(recipient=liaison_user)
    assert "协议书" in msg.subject and msg.url == sent.get_absolute_url()
    assert sent.status == Agreement.Status.SENT and sent.sent_at


def test_r16_sign_needs_sent(draft, liaison_user, today):
    with pytest.raises(ValidationError):
        services.agreement_sign(actor=liaison_user, agreement=draft, signed_on=today, scan=pdf())


def test_r16_liaison_signs_with_scan(sent, liaison_user, today):
    a = services.agreement_sign(actor=liaison_user, agreement=sent, signed_on=today, scan=pdf("盖章版.pdf"))
    assert a.status == Agreement.Status.SIGNED and a.scan_name == "盖章版.pdf"
    assert a.scan.name.startswith("cobuilding/agreements/") and a.scan.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content", "code_text"),
    [
        ("scan.exe", b"MZ", "不支持的文件类型"),
        ("scan.pdf", PNG, "文件内容与扩展名"),
        ("scan.png", PDF, "文件内容与扩展名"),
    ],
)
def test_r16_bad_scan_refused_earlier_scan_kept(sent, liaison_user, today, name, content, code_text):
    good = services.agreement_sign(actor=liaison_user, agreement=sent, signed_on=today, scan=pdf())
    before = good.scan.name
    with pytest.raises(ValidationError) as e:
        services.agreement_sign(
            actor=liaison_user, agreement=good, signed_on=today, scan=SimpleUploadedFile(name, content)
        )
    assert code_text in e.value.message_dict["scan"][0]
    good.refresh_from_db()
    assert good.scan.name == before and good.status == Agreement.Status.SIGNED


def test_r16_oversized_scan_refused(sent, liaison_user, today, settings):
    settings.UPLOAD_MAX_BYTES = 16
    with pytest.raises(ValidationError) as e:
        services.agreement_sign(actor=liaison_user, agreement=sent, signed_on=today, scan=pdf())
    assert "过大" in e.value.message_dict["scan"][0]


def test_r16_other_liaison_cannot_sign(sent, sibling_liaison, today):
    with pytest.raises(PermissionDenied):
        services.agreement_sign(actor=sibling_liaison, agreement=sent, signed_on=today, scan=pdf())


def test_r16_expiry_and_renewal(sent, liaison_user, secretary_user, today):
    a = services.agreement_sign(actor=liaison_user, agreement=sent, signed_on=today, scan=pdf())
    assert services.agreements_expire(today=a.period_end) == 0
    assert services.agreements_expire(today=a.period_end + datetime.timedelta(days=1)) == 1
    a.refresh_from_db()
    assert a.status == Agreement.Status.EXPIRED
    renewal = services.agreement_renew(actor=secretary_user, agreement=a)
    assert renewal.status == Agreement.Status.DRAFT and renewal.renewal_of == a
    assert renewal.period_start == a.period_end + datetime.timedelta(days=1)
    assert renewal.org_joint == a.org_joint and not renewal.scan
    with pytest.raises(ValidationError):
        services.agreement_renew(actor=secretary_user, agreement=a)


def test_r16_draft_cannot_be_renewed(draft, secretary_user):
    with pytest.raises(ValidationError):
        services.agreement_renew(actor=secretary_user, agreement=draft)


def test_r16_shown_status_expired_before_sweep(sent, liaison_user, today):
    a = services.agreement_sign(actor=liaison_user, agreement=sent, signed_on=today, scan=pdf())
    Agreement.objects.filter(pk=a.pk).update(
        period_end=today - datetime.timedelta(days=1), period_start=today.replace(year=today.year - 1)
    )
    a.refresh_from_db()
    assert a.status == Agreement.Status.SIGNED and a.shown_status == Agreement.Status.EXPIRED


def test_r16_database_refuses_signed_without_scan(draft):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Agreement.objects.filter(pk=draft.pk).update(status="signed")


# --- pages ------------------------------------------------------------------------------


def test_liaison_uploads_scan_through_page(login, client, sent, liaison_user, sibling_liaison, secretary_user, today):
    login(liaison_user)
    url = reverse("cobuilding:agreement_sign", args=[sent.pk])
    r = client.post(url, {"signed_on": today.isoformat(), "scan": SimpleUploadedFile("x.pdf", b"hello")})
    assert r.status_code == 200 and "文件内容与扩展名" in r.content.decode()
    r = client.post(url, {"signed_on": today.isoformat(), "scan": pdf()})
    assert r.status_code == 302
    scan_url = reverse("cobuilding:agreement_scan", args=[sent.pk])
    r = client.get(scan_url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    login(sibling_liaison)
    assert client.get(scan_url).status_code == 404
    assert client.get(reverse("cobuilding:agreement_detail", args=[sent.pk])).status_code == 404
    assert client.post(url, {"signed_on": today.isoformat(), "scan": pdf()}).status_code == 404
    login(secretary_user)
    assert client.get(scan_url).status_code == 200


def test_scan_never_has_public_url(settings, sent, liaison_user, today):
    a = services.agreement_sign(actor=liaison_user, agreement=sent, signed_on=today, scan=pdf())
    assert str(settings.MEDIA_ROOT) in a.scan.path
    assert "static" not in a.scan.path


def test_liaison_cannot_send_or_renew_403(login, draft, liaison_user):
    client = login(liaison_user)
    assert client.get(reverse("cobuilding:agreement_detail", args=[draft.pk])).status_code == 200
    assert client.post(reverse("cobuilding:agreement_send", args=[draft.pk])).status_code == 403
    assert client.post(reverse("cobuilding:agreement_renew", args=[draft.pk])).status_code == 403
    assert client.get(reverse("cobuilding:agreement_update", args=[draft.pk])).status_code == 403


def test_secretary_drafts_sends_through_pages(login, secretary_user, world, today):
    client = login(secretary_user)
    data = {
        "unit": world.unit.pk,
        "community_party": "",
        "unit_party": "",
        "period_start": today.replace(month=1, day=1).isoformat(),
        "period_end": today.replace(month=12, day=31).isoformat(),
        **PRINCIPLES,
    }
    r = client.post(reverse("cobuilding:agreement_create"), data)
    assert r.status_code == 302
    a = Agreement.objects.get()
    client.post(reverse("cobuilding:agreement_send", args=[a.pk]))
    a.refresh_from_db()
    assert a.status == Agreement.Status.SENT
    r = client.post(reverse("cobuilding:agreement_create"), {**data, "period_end": data["period_start"]})
    assert r.status_code == 200 and Agreement.objects.count() == 1


def test_agreement_list_query_count_fixed(login, secretary_user, many_units, today, django_assert_max_num_queries):
    client = login(secretary_user)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("cobuilding:agreement_list"))
    for unit in many_units(12):
        services.agreement_create(
            actor=secretary_user, unit=unit, period_start=today, period_end=today + datetime.timedelta(days=30)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("cobuilding:agreement_list"))
