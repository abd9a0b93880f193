"""Security baseline (issue #2 §10): Argon2, log-in throttling, sessions, CSRF, headers."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"


def _post_login(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_passwords_are_hashed_with_argon2_outside_tests():
    from dangwei.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    page = client.get(LOGIN).content.decode()
    assert "登录" in page and "用户名" in page and "密码" in page


@pytest.mark.django_db
def test_successful_login_rotates_the_session_and_is_logged(client):
    user = UserFactory(username="zhang")
    client.get(LOGIN)
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    response = _post_login(client, "zhang", PASSWORD)
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before is None or before.value != after
    assert AccessLog.objects.filter(username="zhang").exists()
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_five_failures_lock_that_username_and_address_only(client):
    UserFactory(username="li")
    UserFactory(username="wang")
    for _ in range(5):
        _post_login(client, "li", "wrong-password")
    assert AccessFailureLog.objects.filter(username="li").count() == 5
    # The right password is refused now: that pair is locked for 15 minutes.
    locked = _post_login(client, "li", PASSWORD)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    assert AccessAttempt.objects.get(username="li").failures_since_start >= 5
    # A colleague behind the same office address still logs in.
    assert _post_login(Client(), "wang", PASSWORD).status_code == 302
    # The same user from another address is not locked either.
    assert _post_login(Client(), "li", PASSWORD, ip="10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_failed_login_keeps_username_and_says_why_in_chinese(client):
    UserFactory(username="zhao")
    response = _post_login(client, "zhao", "nope")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="zhao"' in body
    assert "请输入一个正确的" in body


@pytest.mark.django_db
def test_logout_is_post_only_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_password_change_ends_other_sessions():
    user = UserFactory()
    phone, laptop = Client(), Client()
    phone.force_login(user)
    laptop.force_login(user)
    response = laptop.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Xin-Mima-2026!", "new_password2": "Xin-Mima-2026!"},
    )
    assert response.status_code == 302
    assert laptop.get("/accounts/password/").status_code == 200  # this session was kept
    assert phone.get("/accounts/password/").status_code == 302  # the other one is logged out


@pytest.mark.django_db
def test_deactivation_ends_sessions(client):
    user = UserFactory()
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/accounts/password/").status_code == 302
    assert Session.objects.count() <= 1


@pytest.mark.django_db
def test_csrf_is_enforced_on_post():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 403


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get(LOGIN)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "cdn" not in response.content.decode().lower()
