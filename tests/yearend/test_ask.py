"""R14 (issue #15 item 9): the county asks a committee for its missing year-end report; the
community's secretaries are told once a week at most; a ready report or a secretary asking is
refused, and nothing is sent then."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from inbox.models import Message
from yearend import services
from yearend.models import YearEndReport

YEAR = 2025
MONDAY = datetime.date(2026, 1, 5)


def test_r14_the_county_asks_and_the_secretary_is_told_once_a_week(world, county_user, secretary_user):
    assert services.report_ask(actor=county_user, committee=world.mine, year=YEAR, today=MONDAY) == 1
    services.report_ask(actor=county_user, committee=world.mine, year=YEAR, today=MONDAY + datetime.timedelta(days=3))
    messages = Message.objects.filter(recipient=secretary_user, kind="yearend")
    assert messages.count() == 1 and "请报送2025年度工作报告" in messages.get().subject
    services.report_ask(actor=county_user, committee=world.mine, year=YEAR, today=MONDAY + datetime.timedelta(days=7))
    assert messages.count() == 2


def test_r14_a_ready_report_is_not_asked_for(world, county_user, secretary_user):
    YearEndReport.objects.create(
        committee=world.mine, year=YEAR, status=YearEndReport.Status.READY, file=ContentFile(b"%PDF-", name="r.pdf")
    )
    with pytest.raises(ValidationError):
        services.report_ask(actor=county_user, committee=world.mine, year=YEAR, today=MONDAY)
    assert not Message.objects.filter(kind="yearend").exists()


def test_r14_secretaries_and_other_counties_do_not_ask(world, secretary_user, county_user):
    with pytest.raises(PermissionDenied):
        services.report_ask(actor=secretary_user, committee=world.mine, year=YEAR, today=MONDAY)
    with pytest.raises(PermissionDenied):
        services.report_ask(actor=county_user, committee=world.foreign, year=YEAR, today=MONDAY)
    assert not Message.objects.filter(kind="yearend").exists()


def test_r14_the_list_offers_the_ask_button_to_the_county(world, county_user, secretary_user, login):
    client = login(county_user)
    page = client.get(reverse("yearend:index"), {"year": YEAR}).content.decode()
    assert reverse("yearend:ask", args=[world.mine.pk, YEAR]) in page
    response = client.post(reverse("yearend:ask", args=[world.mine.pk, YEAR]))
    assert response.status_code == 302
    assert Message.objects.filter(recipient=secretary_user, kind="yearend").count() == 1
