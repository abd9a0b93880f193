"""Monitoring and the database-down page (issue #13 item 5).

``healthz``: no login, no data — the database and the broker answer or not, for monitoring and
load balancers (200 while the database answers, 503 when it does not; a broker outage is
reported but keeps 200, because pages still work and builds wait for the watchdog). It asks
through the connections a page would use (the worker's persistent database connection, a pooled
broker connection), so it costs one ``SELECT 1`` and one PING and is the cheapest view to measure
the others against (issue #17).

``DatabaseDownMiddleware`` and ``server_error``: while the database is unreachable every page
answers 503 with "系统维护中，请稍后再试" and ``Retry-After``, never a 500. A database error is
only taken for an outage when a fresh connection also fails (a bad query stays a 500, and is
logged as one).
"""

import contextlib
import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("dangwei.health")

RETRY_AFTER = 30  # seconds


def database_up(alias: str = "default") -> bool:
    """A fresh connection of its own answers ``SELECT 1`` (the request's connection may be broken,
    or inside a transaction that must not be closed under it)."""
    probe = connections.create_connection(alias)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    finally:
        with contextlib.suppress(DatabaseError):
            probe.close()
    return True


def connection_answers(alias: str = "default") -> bool:
    """The persistent connection of this worker answers ``SELECT 1`` (it reconnects when it was
    closed; a broken one is dropped so that the next request opens a new one)."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connection.close()
        return False
    return True


def broker_up(timeout: float = 2.0) -> bool:
    """The Celery broker accepts a connection (Redis answers a PING; the filesystem queue exists),
    asked through the app's connection pool, so a healthy broker costs one round trip."""
    from dangwei.celery import app

    try:
        with app.pool.acquire(block=True, timeout=timeout) as conn:
            try:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
                if conn.transport_cls in ("redis", "rediss"):
                    conn.default_channel.client.ping()
            except Exception:
                conn.collect()  # not back into the pool half-open: the next call connects afresh
                raise
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        logger.warning("healthz: broker unavailable: %s", exc)
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    database = connection_answers()
    broker = broker_up()
    body = {
        "status": "ok" if database and broker else ("degraded" if database else "down"),
        "database": "ok" if database else "down",
        "broker": "ok" if broker else "down",
    }
    response = JsonResponse(body, status=200 if database else 503)
    if not database:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def maintenance_response() -> HttpResponse:
    """The 503 page; rendered without the request (no context processor may touch the database)."""
    html = loader.get_template("503.html").render({"retry_after": RETRY_AFTER})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError)) and not database_up()


class DatabaseDownMiddleware:
    """A view that fails because the database is unreachable answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            logger.error("database unreachable: %s %s: %s", request.method, request.path, exception)
            return maintenance_response()
        return None


def server_error(request, template_name="500.html"):
    """``handler500``: an error outside the views (a middleware reading the session, saving it)
    that comes from a database outage is the 503 page too."""
    if is_outage(sys.exc_info()[1]):
        return maintenance_response()
    return django_server_error(request, template_name=template_name)
