"""Issue #14 item 6 (等保 §8.1.4.1): password rules, the forced change of an issued password,
the administrators' 90 days, the idle timeout and the absolute session lifetime."""

import datetime
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from accounts.middleware import LAST_SEEN, LOGIN_AT
from accounts.models import PasswordHistory, User
from accounts.validators import password_expired
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

CHANGE = "/accounts/password/"


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab1!xyz", "至少需要 8 个字符"),  # seven characters
        ("abcdefgh12", "至少 3 类"),  # two classes
        ("ABCDEFGH!!", "至少 3 类"),
        ("Zhangsan2026", "相似"),  # like the user name
        ("Liuqiang#26", "相似"),  # like the full name
    ],
)
def test_item6_weak_passwords_are_refused_with_the_reason(password, why):
    user = UserFactory(username="zhangsan", full_name="liuqiang")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert why in _messages(exc)


@pytest.mark.django_db
def test_item6_a_password_with_three_classes_and_eight_characters_is_accepted():
    user = UserFactory(username="zhangsan", full_name="张三")
    validate_password("Hongqi#88", user)  # no exception
    validate_password("hongqi#88x", user)  # lower, digit, symbol


@pytest.mark.django_db
def test_item6_none_of_the_last_five_passwords_again():
    user = UserFactory()
    used = [f"Mima#{n}2026x" for n in range(6)]
    for password in used:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in used[1:]:
        with pytest.raises(ValidationError) as exc:
            validate_password(recent, user)
        assert "最近 5 次" in _messages(exc)
    validate_password(used[0], user)  # the sixth one back may come again


@pytest.mark.django_db
def test_item6_an_issued_password_must_be_changed_at_the_first_login():
    user = UserFactory(username="newbie", must_change_password=True)
    client = Client()
    response = client.post("/accounts/login/", {"username": "newbie", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == CHANGE
    assert "初始密码" in response.content.decode()
    assert client.get("/meetings/").status_code == 302  # nothing else until it is changed
    changed = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": "Xin-Mima-2026", "new_password2": "Xin-Mima-2026"}
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is False
    assert client.get("/meetings/").status_code == 200
    assert AuditEvent.objects.filter(event="password_changed", user=user).exists()


@pytest.mark.django_db
def test_item6_the_new_password_must_differ_from_the_issued_one():
    user = UserFactory(must_change_password=True)
    client = Client()
    client.force_login(user)
    response = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 200
    assert "最近 5 次" in response.content.decode()
    user.refresh_from_db()
    assert user.must_change_password is True


@pytest.mark.django_db
def test_item6_administrators_change_their_password_every_90_days(settings):
    now = timezone.now()
    old = now - datetime.timedelta(days=90)
    admin = UserFactory(role=User.Role.ADMIN, is_superuser=True, password_changed_at=old)
    assert not password_expired(User(role=User.Role.SECRETARY, password_changed_at=old), now=now)
    assert password_expired(admin, now=now)
    assert not password_expired(admin, now=now - datetime.timedelta(days=1))
    client = Client()
    client.force_login(admin)
    response = client.get("/meetings/")
    assert response.status_code == 302 and response["Location"] == CHANGE
    settings.PASSWORD_MAX_AGE_DAYS = 0  # the setting turns the rule off
    assert client.get("/meetings/").status_code == 200


def _session_times(client, **values):
    session = client.session
    session.update(values)
    session.save()


@pytest.mark.django_db
def test_item6_idle_for_30_minutes_logs_out(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    user = UserFactory()
    client = Client()
    client.force_login(user)
    now = time.time()
    _session_times(client, **{LAST_SEEN: now - 29 * 60, LOGIN_AT: now - 3600})
    assert client.get("/meetings/").status_code == 200
    _session_times(client, **{LAST_SEEN: now - 31 * 60})
    response = client.get("/meetings/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/meetings/")
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(event="session_expired", user=user, detail="长时间未操作").count() == 1
    assert not AuditEvent.objects.filter(event="logout").exists()


@pytest.mark.django_db
def test_item6_the_absolute_lifetime_ends_an_active_session(settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 8 * 3600
    user = UserFactory()
    client = Client()
    client.force_login(user)
    now = time.time()
    _session_times(client, **{LAST_SEEN: now - 10, LOGIN_AT: now - 8 * 3600 - 60})
    assert client.get("/meetings/").status_code == 302
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.get(event="session_expired").detail == "超过登录有效期"


@pytest.mark.django_db
def test_item6_an_expired_htmx_request_sends_the_whole_page_to_the_login():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    _session_times(client, **{LAST_SEEN: time.time() - 31 * 60})
    response = client.get("/meetings/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=/meetings/")
