"""Issue #14 item 5: behind the reverse proxy, five bad passwords lock username + the client's
address (read from the proxy's header, trusting only our proxies' entries), not the account."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from audit.address import client_address
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
PROXY = "172.18.0.5"  # the reverse proxy: every request arrives from it


@pytest.fixture
def behind_proxy(settings):
    settings.PROXY_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1


def _post(client, username, password, forwarded):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


@pytest.mark.django_db
def test_item5_five_failures_behind_the_proxy_lock_that_address_only(behind_proxy):
    UserFactory(username="li")
    for _ in range(5):
        _post(Client(), "li", "wrong-password", "203.0.113.7")
    assert AccessAttempt.objects.get(username="li").ip_address == "203.0.113.7"
    # the attacker's address is locked, even with the right password
    locked = _post(Client(), "li", PASSWORD, "203.0.113.7")
    assert locked.status_code == 429
    # the owner, from another address through the same proxy, logs in
    assert _post(Client(), "li", PASSWORD, "198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_item5_a_forged_left_entry_does_not_escape_the_lock(behind_proxy):
    """The client may send its own X-Forwarded-For; the proxy appends the real address, and only
    that right-most entry is trusted."""
    UserFactory(username="wang")
    for n in range(5):
        _post(Client(), "wang", "wrong-password", f"10.0.0.{n}, 203.0.113.9")
    assert _post(Client(), "wang", PASSWORD, "10.0.0.99, 203.0.113.9").status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_item5_client_address_rules(settings):
    rf = RequestFactory()
    settings.PROXY_CLIENT_IP_HEADER = ""
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4")) == PROXY
    settings.PROXY_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.2.3.4, 10.0.0.2")
    assert client_address(request) == "1.2.3.4"
    # fewer entries than proxies: the request did not come through them; the connection counts
    assert client_address(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4")) == PROXY
    assert client_address(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="junk, 10.0.0.2")) == PROXY
