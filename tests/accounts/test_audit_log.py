"""Issue #14 item 8 (等保 §8.1.4.3): log-in, failed log-in, log-out, refusals and exports are
recorded with time, user, address, event and outcome; the audit administrator searches and
exports them; nothing changes them; only records older than the retention period are pruned."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from audit.services import audit_prune
from tests.accounts.conftest import verified_client
from tests.factories import PASSWORD, UserFactory


def _events():
    return list(AuditEvent.objects.order_by("id").values_list("event", "outcome", "username", "address"))


@pytest.mark.django_db
def test_item8_login_failure_logout_are_recorded_with_the_address():
    UserFactory(username="zhou")
    client = Client()
    client.post("/accounts/login/", {"username": "zhou", "password": "bad"}, REMOTE_ADDR="10.2.3.4")
    client.post("/accounts/login/", {"username": "zhou", "password": PASSWORD}, REMOTE_ADDR="10.2.3.4")
    client.post("/accounts/logout/", REMOTE_ADDR="10.2.3.4")
    assert _events() == [
        ("login_failed", "failure", "zhou", "10.2.3.4"),
        ("login", "success", "zhou", "10.2.3.4"),
        ("logout", "success", "zhou", "10.2.3.4"),
    ]
    assert all(e.at is not None for e in AuditEvent.objects.all())


@pytest.mark.django_db
def test_item8_refusals_are_recorded(liaison_user, county_user, world):
    client = Client()
    client.force_login(county_user)
    assert client.get(f"/committees/{world.mine.pk}/edit/").status_code == 403
    client.force_login(liaison_user)
    assert client.get(f"/committees/{world.other.pk}/").status_code == 404
    refused = list(AuditEvent.objects.filter(event="denied").order_by("id").values_list("username", "outcome", "path"))
    assert refused == [
        ("county", "refused", f"/committees/{world.mine.pk}/edit/"),
        ("liaison", "refused", f"/committees/{world.other.pk}/"),
    ]


@pytest.mark.django_db
def test_item8_exports_are_recorded_once_with_the_file_name(township_user):
    client = Client()
    client.force_login(township_user)
    response = client.get("/committees/units/export/")
    assert response.status_code == 200
    export = AuditEvent.objects.get(event="export")
    assert export.user == township_user and ".xlsx" in export.detail


@pytest.mark.django_db
def test_item8_the_auditor_searches_and_exports(auditor, django_assert_max_num_queries):
    for n in range(60):
        AuditEvent.objects.create(username=f"user{n}", event="login", outcome="success", address="10.0.0.1")
    AuditEvent.objects.create(username="zhao", event="login_failed", outcome="failure", address="10.9.9.9")
    client = verified_client(auditor)
    with django_assert_max_num_queries(10):
        page = client.get("/audit/", {"event": "login_failed"})
    body = page.content.decode()
    assert page.status_code == 200 and "zhao" in body and "user5" not in body
    assert "10.9.9.9" in client.get("/audit/", {"text": "10.9"}).content.decode()
    export = client.get("/audit/export/", {"text": "zhao"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "用户名", "地址", "事件", "结果")
    assert [r[1:5] for r in rows[1:]] == [("zhao", "10.9.9.9", "登录失败", "失败")]
    assert AuditEvent.objects.filter(event="export", user=auditor).count() == 1


@pytest.mark.django_db
def test_item8_records_cannot_be_changed_or_deleted():
    event = AuditEvent.objects.create(username="a", event="login", outcome="success")
    event.username = "b"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get().username == "a"


@pytest.mark.django_db
def test_item8_prune_keeps_180_days_at_least(settings):
    now = datetime.datetime(2026, 12, 1, 3, 30, tzinfo=datetime.UTC)
    for days in (10, 179, 181, 400):
        AuditEvent.objects.create(
            at=now - datetime.timedelta(days=days), username=str(days), event="login", outcome="success"
        )
    settings.AUDIT_RETENTION_DAYS = 30  # below the minimum: 180 days still hold
    assert audit_prune(now=now) == 2
    assert sorted(AuditEvent.objects.values_list("username", flat=True)) == ["10", "179"]
    settings.AUDIT_RETENTION_DAYS = 365
    AuditEvent.objects.create(at=now - datetime.timedelta(days=300), username="300", event="login", outcome="success")
    assert audit_prune(now=now) == 0


def test_item8_the_prune_job_is_on_the_beat():
    from dangwei.celery import app

    assert app.conf.beat_schedule["audit-prune"]["task"] == "audit.prune"
    assert timezone.now()  # (the job passes the clock in; the test passes dates)


@pytest.mark.django_db
def test_item8_the_secret_of_a_signed_link_is_not_written_to_the_log(liaison_user):
    from inbox.services import calendar_token_get_or_create

    token = calendar_token_get_or_create(user=liaison_user).token
    response = Client().get(reverse("meetings:ical", args=[token]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(event="export")
    assert token not in event.path and event.path == reverse("meetings:ical", args=["***"])


@pytest.mark.django_db
def test_item8_a_lock_out_is_recorded_as_refused():
    UserFactory(username="qian")
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "qian", "password": "bad"}, REMOTE_ADDR="10.7.7.7")
    assert AuditEvent.objects.filter(event="login_failed", username="qian").count() == 5
    locked = AuditEvent.objects.filter(event="locked_out", username="qian", address="10.7.7.7")
    assert locked.exists() and locked.first().outcome == "refused"
