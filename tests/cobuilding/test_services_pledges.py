"""R17 pledges: the liaison drafts and submits, the secretary accepts or returns with a comment,
fulfilment reports with amount and photos, the secretary confirms; fulfilment % per pledge/unit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cobuilding import selectors, services
from cobuilding.models import Fulfilment, Pledge, fulfilment_percent

from .conftest import JPG, png

pytestmark = pytest.mark.django_db


def test_r17_liaison_drafts_in_own_unit_for_active_committee(make_pledge, liaison_user, world):
    pledge = make_pledge(liaison_user)
    assert pledge.status == Pledge.Status.DRAFT
    assert pledge.unit == world.unit and pledge.committee == world.mine
    assert pledge.history.first().history_user == liaison_user


def test_r17_liaison_cannot_pledge_for_another_unit(make_pledge, liaison_user, world):
    with pytest.raises(PermissionDenied):
        make_pledge(liaison_user, unit=world.sibling_unit)


def test_r17_county_reader_cannot_pledge(make_pledge, county_user, world):
    with pytest.raises(PermissionDenied):
        make_pledge(county_user, unit=world.unit)


def test_r17_quantity_or_value_required(make_pledge, liaison_user):
    with pytest.raises(ValidationError) as e:
        make_pledge(liaison_user, value=None, quantity="")
    assert "value" in e.value.message_dict


def test_r17_quantity_alone_is_enough(make_pledge, liaison_user):
    assert make_pledge(liaison_user, kind="education", value=None, quantity="党课2场").quantity == "党课2场"


def test_r17_kind_must_be_one_of_eight(make_pledge, liaison_user):
    with pytest.raises(ValidationError):
        make_pledge(liaison_user, kind="sports")
    assert len(Pledge._meta.get_field("kind").choices) == 8


def test_r17_negative_value_refused(make_pledge, liaison_user):
    with pytest.raises(ValidationError):
        make_pledge(liaison_user, value=Decimal("-1"))


def test_r17_period_ordered(make_pledge, liaison_user, today):
    with pytest.raises(ValidationError) as e:
        make_pledge(liaison_user, period_start=today, period_end=today - datetime.timedelta(days=1))
    assert "period_end" in e.value.message_dict


def test_r17_submit_then_return_with_comment_then_resubmit_then_accept(make_pledge, liaison_user, secretary_user):
    pledge = make_pledge(liaison_user, status="submitted")
    assert pledge.status == Pledge.Status.SUBMITTED and pledge.submitted_at
    with pytest.raises(ValidationError):
        services.pledge_update(actor=liaison_user, pledge=pledge, title="改")
    pledge = services.pledge_return(actor=secretary_user, pledge=pledge, comment="请写明慰问人数")
    assert pledge.status == Pledge.Status.RETURNED and pledge.review_comment == "请写明慰问人数"
    pledge = services.pledge_update(actor=liaison_user, pledge=pledge, quantity="慰问20人")
    pledge = services.pledge_submit(actor=liaison_user, pledge=pledge)
    pledge = services.pledge_accept(actor=secretary_user, pledge=pledge)
    assert pledge.status == Pledge.Status.ACCEPTED and pledge.reviewed_by == secretary_user
    actions = [h.history_change_reason for h in pledge.history.all()]
    assert "退回" in actions and "接受" in actions


def test_r17_return_needs_comment(make_pledge, liaison_user, secretary_user):
    pledge = make_pledge(liaison_user, status="submitted")
    with pytest.raises(ValidationError):
        services.pledge_return(actor=secretary_user, pledge=pledge, comment="  ")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED


def test_r17_liaison_cannot_accept_or_return(make_pledge, liaison_user):
    pledge = make_pledge(liaison_user, status="submitted")
    with pytest.raises(PermissionDenied):
        services.pledge_accept(actor=liaison_user, pledge=pledge)
    with pytest.raises(PermissionDenied):
        services.pledge_return(actor=liaison_user, pledge=pledge, comment="x")


def test_r17_only_submitted_can_be_accepted(make_pledge, liaison_user, secretary_user):
    pledge = make_pledge(liaison_user)
    with pytest.raises(ValidationError):
        services.pledge_accept(actor=secretary_user, pledge=pledge)


def test_r17_report_needs_accepted_pledge(make_pledge, liaison_user, today):
    pledge = make_pledge(liaison_user, status="submitted")
    with pytest.raises(ValidationError):
        services.fulfilment_report(actor=liaison_user, pledge=pledge, delivered_on=today, text="x")


def test_r17_fulfilment_with_photos_and_confirmation(accepted_pledge, liaison_user, secretary_user, today):
    report = services.fulfilment_report(
        actor=liaison_user,
        pledge=accepted_pledge,
        delivered_on=today,
        text="已发放慰问金",
        amount=Decimal("4000.00"),
        photos=[png("a.png"), png("b.png")],
    )
    assert report.photos.count() == 2
    assert all(p.file.name.startswith("cobuilding/photos/") for p in report.photos.all())
    pledge = selectors.pledge_get(user=secretary_user, pk=accepted_pledge.pk)
    assert pledge.percent == 0  # not confirmed yet
    services.fulfilment_confirm(actor=secretary_user, fulfilment=report)
    pledge = selectors.pledge_get(user=secretary_user, pk=accepted_pledge.pk)
    assert pledge.percent == 40 and pledge.status == Pledge.Status.ACCEPTED
    second = services.fulfilment_report(
        actor=liaison_user, pledge=pledge, delivered_on=today, text="补足", amount=Decimal("6000.00")
    )
    services.fulfilment_confirm(actor=secretary_user, fulfilment=second)
    pledge = selectors.pledge_get(user=secretary_user, pk=accepted_pledge.pk)
    assert pledge.percent == 100 and pledge.status == Pledge.Status.FULFILLED


def test_r17_liaison_cannot_confirm_own_fulfilment(accepted_pledge, liaison_user, today):
    report = services.fulfilment_report(actor=liaison_user, pledge=accepted_pledge, delivered_on=today, text="x")
    with pytest.raises(PermissionDenied):
        services.fulfilment_confirm(actor=liaison_user, fulfilment=report)
    report.refresh_from_db()
    assert report.status == Fulfilment.Status.SUBMITTED


def test_r17_fulfilment_return_keeps_pledge_open(accepted_pledge, liaison_user, secretary_user, today):
    report = services.fulfilment_report(
        actor=liaison_user, pledge=accepted_pledge, delivered_on=today, text="x", amount=Decimal("10000")
    )
    services.fulfilment_return(actor=secretary_user, fulfilment=report, comment="缺少照片")
    pledge = selectors.pledge_get(user=secretary_user, pk=accepted_pledge.pk)
    assert pledge.percent == 0 and pledge.status == Pledge.Status.ACCEPTED


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.gif", b"GIF89a", "file_type"),
        ("photo.png", JPG, "file_content"),
        ("photo.jpg", b"%PDF-1.4", "file_content"),
    ],
)
def test_r17_bad_photos_refused_nothing_saved(accepted_pledge, liaison_user, today, name, content, code):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as e:
        services.fulfilment_report(
            actor=liaison_user, pledge=accepted_pledge, delivered_on=today, text="x", photos=[png(), bad]
        )
    assert "photos" in e.value.message_dict
    assert not Fulfilment.objects.exists()


def test_r17_oversized_photo_refused(accepted_pledge, liaison_user, today, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as e:
        services.fulfilment_report(
            actor=liaison_user, pledge=accepted_pledge, delivered_on=today, text="x", photos=[png()]
        )
    assert "过大" in e.value.message_dict["photos"][0]


def test_r17_future_delivery_refused(accepted_pledge, liaison_user, today):
    with pytest.raises(ValidationError):
        services.fulfilment_report(
            actor=liaison_user, pledge=accepted_pledge, delivered_on=today + datetime.timedelta(days=1), text="x"
        )


@pytest.mark.parametrize(
    ("value", "amount", "final", "expected"),
    [
        (Decimal("100"), Decimal("0"), False, 0),
        (Decimal("100"), Decimal("33.33"), False, 33),
        (Decimal("100"), Decimal("150"), False, 100),
        (None, Decimal("0"), False, 0),
        (None, Decimal("0"), True, 100),
        (Decimal("0"), Decimal("0"), False, 0),
        (Decimal("100"), Decimal("10"), True, 100),
    ],
)
def test_r17_fulfilment_percent(value, amount, final, expected):
    assert fulfilment_percent(value=value, confirmed_amount=amount, final_confirmed=final) == expected


def test_r17_unit_percent_is_mean_of_accepted_pledges(make_pledge, liaison_user, secretary_user, today):
    a = services.pledge_accept(actor=secretary_user, pledge=make_pledge(liaison_user, status="submitted"))
    b = services.pledge_accept(
        actor=secretary_user,
        pledge=make_pledge(liaison_user, status="submitted", kind="education", value=None, quantity="党课2场"),
    )
    make_pledge(liaison_user)  # a draft does not count
    r = services.fulfilment_report(actor=liaison_user, pledge=a, delivered_on=today, text="x", amount=Decimal("5000"))
    services.fulfilment_confirm(actor=secretary_user, fulfilment=r)
    r = services.fulfilment_report(actor=liaison_user, pledge=b, delivered_on=today, text="讲了", is_final=True)
    services.fulfilment_confirm(actor=secretary_user, fulfilment=r)
    pledges = list(selectors.pledge_list(user=liaison_user))
    assert selectors.unit_percent(pledges) == 75  # (50 + 100) / 2


def test_pledge_call_once_a_year_deadline_moves(secretary_user, world, today):
    call = services.pledge_call_open(actor=secretary_user, committee=world.mine, year=today.year, submit_by=today)
    again = services.pledge_call_open(
        actor=secretary_user, committee=world.mine, year=today.year, submit_by=today + datetime.timedelta(days=3)
    )
    assert again.pk == call.pk and again.submit_by == today + datetime.timedelta(days=3)
