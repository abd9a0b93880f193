"""Issue #13 item 5: /healthz for monitors and load balancers, and 503 "系统维护中" (with
Retry-After, never a 500) while the database is unreachable."""

import pytest
from django.db import OperationalError, connection
from django.db.backends import utils as db_utils
from django.test import Client
from django.urls import reverse

from common import health
from tests.meetings.test_notices import broker_down

MAINTENANCE = "系统维护中，请稍后再试"


@pytest.fixture
def database_down(monkeypatch):
    """Call it to take the database down: from then on every query fails the way an
    unreachable server fails (the probe's ``SELECT 1`` too)."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    def go_down():
        monkeypatch.setattr(db_utils.CursorWrapper, "execute", refuse)
        monkeypatch.setattr(db_utils.CursorWrapper, "executemany", refuse)

    return go_down


@pytest.mark.django_db
def test_healthz_answers_without_login_and_shows_no_data(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reuses_the_connections_a_page_uses(client, monkeypatch):
    """Issue #17: /healthz is the cheap view the benchmarks measure pages against: it asks the
    worker's own database connection and a pooled broker connection, it opens no new ones."""
    from django.db import connections

    def no_new_connection(*args, **kwargs):
        raise AssertionError("healthz opened a database connection of its own")

    monkeypatch.setattr(connections, "create_connection", no_new_connection)
    for _ in range(3):
        assert client.get(reverse("healthz")).json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_broker_outage_but_stays_up(client):
    with broker_down():
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_is_503_while_the_database_is_down(client, database_down):
    database_down()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_pages_answer_503_in_chinese_while_the_database_is_down(secretary_user, database_down):
    client = Client(raise_request_exception=False)
    client.force_login(secretary_user)  # before the outage: the session is in the database
    assert client.get(reverse("yearend:index")).status_code == 200
    database_down()
    for path in (reverse("yearend:index"), reverse("home")):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "30"
        assert MAINTENANCE in response.content.decode()


@pytest.mark.django_db
def test_handler500_turns_an_outage_outside_the_views_into_503(rf, database_down):
    database_down()
    request = rf.get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = health.server_error(request)
    assert response.status_code == 503 and MAINTENANCE in response.content.decode()


@pytest.mark.django_db
def test_a_database_error_while_the_database_answers_stays_a_500(rf):
    """A bad query is a bug, not maintenance: the probe answers, so it is not hidden as a 503."""
    middleware = health.DatabaseDownMiddleware(lambda r: None)
    assert middleware.process_exception(rf.get("/"), OperationalError("no such column: x")) is None
    try:
        raise OperationalError("no such column: x")
    except OperationalError:
        response = health.server_error(rf.get("/"))
    assert response.status_code == 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_unreachable_gives_503_then_pages_come_back(secretary_user):
    """A real outage: the connection points at a port where nothing listens."""
    client = Client(raise_request_exception=False)
    client.force_login(secretary_user)
    settings_dict = connection.settings_dict
    port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = "1"
    try:
        response = client.get(reverse("yearend:index"))
        health_response = client.get(reverse("healthz"))
    finally:
        connection.close()
        settings_dict["PORT"] = port
    assert response.status_code == 503 and MAINTENANCE in response.content.decode()
    assert health_response.status_code == 503
    assert client.get(reverse("yearend:index")).status_code == 200
