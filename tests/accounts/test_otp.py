"""Issue #14 item 9: TOTP is required of the three officers and optional for everyone else;
recovery codes stand in for a lost phone."""

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory


def _code(key_hex: str, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def _login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD}, follow=True)


@pytest.mark.django_db
def test_item9_an_officer_enrols_at_the_first_login_and_gets_recovery_codes():
    UserFactory(username="sec", role="secadmin")
    client = Client()
    page = _login(client, "sec")
    assert page.redirect_chain[-1][0] == "/accounts/otp/setup/"
    body = page.content.decode()
    assert "<svg" in body and "二维码" in body  # the QR code drawn inline, no image from elsewhere
    assert client.get("/accounts/security/").status_code == 302  # nothing before enrolment
    assert not TOTPDevice.objects.exists()  # showing the page wrote no device
    key = client.session["_otp_enrol_key"]
    wrong = client.post("/accounts/otp/setup/", {"token": "000000" if _code(key) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode() and not TOTPDevice.objects.exists()
    done = client.post("/accounts/otp/setup/", {"token": _code(key)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(c in done.content.decode() for c in codes)
    assert TOTPDevice.objects.get().confirmed
    assert client.get("/accounts/security/").status_code == 200
    assert AuditEvent.objects.filter(event="otp_enrolled").count() == 1


@pytest.mark.django_db
def test_item9_an_enrolled_officer_gives_the_code_after_the_password():
    user = UserFactory(username="aud", role="auditor")
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    client = Client()
    page = _login(client, "aud")
    assert page.redirect_chain[-1][0].startswith("/accounts/otp/verify/")
    assert client.get("/audit/").status_code == 302
    bad = client.post("/accounts/otp/verify/", {"token": "12345"})
    assert "验证码不正确" in bad.content.decode()
    # a wrong code makes the device wait a second before the next try (django-otp's throttle)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    good = client.post("/accounts/otp/verify/?next=/audit/", {"token": _code(device.key), "next": "/audit/"})
    assert good.status_code == 302 and good["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    outcomes = list(AuditEvent.objects.filter(event__startswith="otp").order_by("id").values_list("event", "outcome"))
    assert outcomes == [("otp_failed", "failure"), ("otp_verified", "success")]


@pytest.mark.django_db
def test_item9_a_recovery_code_works_once():
    from accounts.services import recovery_codes_issue

    user = UserFactory(username="sys", role="sysadmin")
    TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    code = recovery_codes_issue(user=user)[0]
    first = Client()
    _login(first, "sys")
    assert first.post("/accounts/otp/verify/", {"token": code}).status_code == 302
    assert first.get("/accounts/users/").status_code == 200
    again = Client()
    _login(again, "sys")
    assert again.post("/accounts/otp/verify/", {"token": code}).status_code == 200  # used up
    assert StaticToken.objects.count() == 9


@pytest.mark.django_db
def test_item9_optional_for_others_but_asked_for_once_enrolled():
    user = UserFactory(username="zhang", role="admin", is_superuser=True)
    client = Client()
    assert _login(client, "zhang").redirect_chain[-1][0] != "/accounts/otp/verify/"
    assert client.get("/meetings/").status_code == 200  # no second factor needed
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    other = Client()
    assert _login(other, "zhang").redirect_chain[-1][0].startswith("/accounts/otp/verify/")
    other.post("/accounts/otp/verify/", {"token": _code(device.key)})
    assert other.get("/meetings/").status_code == 200


@pytest.mark.django_db
def test_item9_the_superuser_needs_it_when_the_setting_says_so(settings):
    settings.OTP_REQUIRED_FOR_SUPERUSER = True
    UserFactory(username="root", role="admin", is_superuser=True)
    client = Client()
    assert _login(client, "root").redirect_chain[-1][0] == "/accounts/otp/setup/"


@pytest.mark.django_db
def test_item9_the_security_officer_resets_a_lost_phone():
    from tests.accounts.conftest import verified_client

    sec = UserFactory(username="sec", role="secadmin")
    lost = UserFactory(username="aud", role="auditor")
    TOTPDevice.objects.create(user=lost, name="手机", confirmed=True)
    client = verified_client(sec)
    assert client.post(f"/accounts/security/users/{lost.pk}/otp/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert re.search("重置", AuditEvent.objects.get(event="otp_reset").detail)
