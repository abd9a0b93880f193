"""The client's address behind the documented reverse proxy (issue #14 item 5).

``PROXY_CLIENT_IP_HEADER`` names the header the proxy sets (as a ``request.META`` key, e.g.
``HTTP_X_FORWARDED_FOR``) and ``TRUSTED_PROXY_COUNT`` how many proxies of ours stand in front of
the portal. Each proxy appends the address it saw, so the client is the ``TRUSTED_PROXY_COUNT``-th
entry from the right; whatever stands left of it was sent by the client and is not trusted. Without
a header (or when the request did not pass all the proxies) the connection's own address counts.

Axes uses this function (``AXES_CLIENT_IP_CALLABLE``) so that five bad passwords lock a username
*and* the client's address, and the audit log records the same address.
"""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request) -> str | None:
    meta = request.META
    remote = _valid(meta.get("REMOTE_ADDR", "") or "")
    header = getattr(settings, "PROXY_CLIENT_IP_HEADER", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not header or count < 1:
        return remote
    entries = [e for e in (meta.get(header, "") or "").split(",") if e.strip()]
    if len(entries) < count:
        return remote
    return _valid(entries[-count]) or remote
