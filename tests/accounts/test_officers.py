"""Issue #14 item 7 (三员分立, 等保 §8.1.4.2): the system administrator keeps the accounts, the
security administrator lock-outs, passwords, sessions and second factors, the audit administrator
reads the log; each only through their own pages, none of them sees business data."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils.html import escape

from accounts.models import User, UserSession
from audit.models import AuditEvent
from committees.models import Committee
from tests.accounts.conftest import verified_client
from tests.factories import PASSWORD, UserFactory

OFFICER_PAGES = {
    "sysadmin": "/accounts/users/",
    "secadmin": "/accounts/security/",
    "auditor": "/audit/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(OFFICER_PAGES))
def test_item7_each_officer_opens_only_their_own_pages(role, world):
    officer = UserFactory(username=role, role=role)
    client = verified_client(officer)
    assert client.get("/").url == OFFICER_PAGES[role]
    for other, url in OFFICER_PAGES.items():
        assert client.get(url).status_code == (200 if other == role else 403), url
    # no business data: the committee list is empty, a committee is a 404, no change form
    page = client.get("/committees/")
    assert page.status_code == 200 and world.mine.name not in page.content.decode()
    assert client.get(f"/committees/{world.mine.pk}/").status_code == 404


@pytest.mark.django_db
def test_item7_the_superuser_is_not_an_officer(admin_user):
    client = Client()
    client.force_login(admin_user)
    for url in OFFICER_PAGES.values():
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_item7_sysadmin_creates_an_account_with_an_issued_password(sysadmin, world):
    client = verified_client(sysadmin)
    response = client.post(
        "/accounts/users/new/",
        {"username": "wangfang", "full_name": "王芳", "role": "secretary", "community": world.mine.community.pk},
    )
    assert response.status_code == 200
    password = response.context["password"]
    assert escape(password) in response.content.decode()
    user = User.objects.get(username="wangfang")
    assert user.must_change_password and user.check_password(password)
    assert AuditEvent.objects.filter(event="user_created", user=sysadmin, detail__contains="wangfang").exists()
    # the new user's first log-in goes to the password change
    first = Client().post("/accounts/login/", {"username": "wangfang", "password": password}, follow=True)
    assert first.redirect_chain[-1][0] == "/accounts/password/"


@pytest.mark.django_db
def test_item7_sysadmin_scope_is_required_in_chinese_and_nothing_is_saved(sysadmin):
    client = verified_client(sysadmin)
    before = User.objects.count()
    response = client.post("/accounts/users/new/", {"username": "nobody", "role": "secretary"})
    assert response.status_code == 200
    assert "社区书记须选择所在社区" in response.content.decode()
    assert User.objects.count() == before


@pytest.mark.django_db
def test_item7_sysadmin_cannot_make_officers_or_touch_them(sysadmin, secadmin, admin_user):
    client = verified_client(sysadmin)
    before = User.objects.count()
    response = client.post("/accounts/users/new/", {"username": "x2", "role": "auditor"})
    assert response.status_code == 200 and User.objects.count() == before  # not a choice
    for other in (secadmin, admin_user, sysadmin):
        assert client.get(f"/accounts/users/{other.pk}/").status_code == 403
        assert client.post(f"/accounts/users/{other.pk}/", {"username": "hacked", "role": "admin"}).status_code == 403
    assert not User.objects.filter(username="hacked").exists()


@pytest.mark.django_db
def test_item7_sysadmin_deactivates_an_account_and_its_sessions_end(sysadmin, liaison_user):
    victim = Client()
    victim.post("/accounts/login/", {"username": "liaison", "password": PASSWORD})
    assert UserSession.objects.filter(user=liaison_user).count() == 1
    client = verified_client(sysadmin)
    data = {"username": "liaison", "role": "liaison", "unit": liaison_user.unit_id, "is_active": ""}
    assert client.post(f"/accounts/users/{liaison_user.pk}/", data).status_code == 302
    liaison_user.refresh_from_db()
    assert liaison_user.is_active is False
    assert victim.get("/meetings/").status_code == 302


@pytest.mark.django_db
def test_item7_secadmin_resets_a_password_unlocks_and_ends_sessions(secadmin, liaison_user):
    victim = Client()
    victim.post("/accounts/login/", {"username": "liaison", "password": PASSWORD})
    assert SESSION_KEY in victim.session
    client = verified_client(secadmin)
    response = client.post(f"/accounts/security/users/{liaison_user.pk}/password/")
    assert response.status_code == 200
    password = response.context["password"]
    liaison_user.refresh_from_db()
    assert liaison_user.check_password(password) and liaison_user.must_change_password
    assert victim.get("/meetings/").status_code == 302  # the old session ended
    attempt = AccessAttempt.objects.create(
        username="liaison", ip_address="203.0.113.7", user_agent="", get_data="", post_data="", failures_since_start=5
    )
    page = client.get("/accounts/security/")
    assert "203.0.113.7" in page.content.decode()
    assert client.post(f"/accounts/security/lockouts/{attempt.pk}/clear/").status_code == 302
    assert not AccessAttempt.objects.exists()
    events = set(AuditEvent.objects.filter(user=secadmin).values_list("event", flat=True))
    assert {"password_reset", "unlocked"} <= events


@pytest.mark.django_db
def test_item7_secadmin_and_auditor_change_no_account(secadmin, auditor, liaison_user):
    client = verified_client(auditor)
    before = liaison_user.password
    assert client.post(f"/accounts/security/users/{liaison_user.pk}/password/").status_code == 403
    assert client.post("/accounts/users/new/", {"username": "x", "role": "admin"}).status_code == 403
    liaison_user.refresh_from_db()
    assert liaison_user.password == before
    sec = verified_client(secadmin)
    assert sec.post(f"/accounts/users/{liaison_user.pk}/", {"username": "x", "role": "admin"}).status_code == 403
    liaison_user.refresh_from_db()
    assert liaison_user.username == "liaison"


@pytest.mark.django_db
def test_item7_officer_pages_keep_a_fixed_number_of_queries(secadmin, world, django_assert_max_num_queries):
    for n in range(30):
        UserFactory(username=f"u{n}", role="liaison", unit=world.unit)
    client = verified_client(secadmin)
    with django_assert_max_num_queries(12):
        page = client.get("/accounts/security/")
    assert page.status_code == 200 and "u29" in page.content.decode()
    assert Committee.objects.exists()


@pytest.mark.django_db
def test_item7_the_demo_officers_log_in_and_bind_their_second_factor():
    from accounts import demo
    from committees.demo import DEMO_PASSWORD

    assert demo.seed() == 3 and demo.seed() == 0
    for username, role, _name, _what in demo.OFFICERS:
        user = User.objects.get(username=username)
        assert user.role == role and not user.must_change_password
        client = Client()
        page = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True)
        assert page.redirect_chain[-1][0] == "/accounts/otp/setup/"
    assert "xitong" in "".join(demo.login_lines())


@pytest.mark.django_db
def test_item7_the_sysadmin_reads_the_security_settings_in_force(sysadmin, settings):
    settings.SESSION_IDLE_TIMEOUT = 20 * 60
    page = verified_client(sysadmin).get("/accounts/users/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "无操作自动退出（分钟）</th><td>20<" in body and "审计记录保存（天）</th><td>180<" in body
