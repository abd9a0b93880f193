"""Notice channels (issue #15 item 7): how one outbox message leaves the portal.

Every ``Message`` names its channel; the sweep hands it to the backend of that channel:

- ``email`` — Django's mail connection (SMTP in production, files in development);
- ``sms`` — ``SMS_BACKEND``: ``file`` (development and tests: appends what would be sent to
  ``SMS_FILE_PATH/sms.jsonl``) or ``http`` (an SMS gateway: a POST to ``SMS_HTTP_URL`` whose body
  is ``SMS_HTTP_TEMPLATE`` with ``$phone`` and ``$text`` filled in, JSON-escaped);
- ``webhook`` — a group robot (企业微信/政务微信/钉钉 style): a JSON POST of
  ``{"msgtype": "text", "text": {"content": ...}}`` to the committee's robot URL.

A backend raises on failure; the sweep records the error and retries with its backoff. HTTP calls
have a short timeout (``NOTICE_HTTP_TIMEOUT`` seconds) so a dead gateway never holds a claim long.
"""

import json
import string
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone

DEFAULT_SMS_TEMPLATE = '{"phone": "$phone", "text": "$text"}'


class ChannelError(Exception):
    """The gateway or robot refused the message."""


def absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return getattr(settings, "PORTAL_BASE_URL", "http://localhost:8000").rstrip("/") + url


def text_of(message) -> str:
    """The plain text of a short message: title, body, then the link to act on it."""
    parts = [message.subject, message.body]
    if message.url:
        parts.append(absolute(message.url))
    return "\n".join(p for p in parts if p)


def _timeout() -> float:
    return float(getattr(settings, "NOTICE_HTTP_TIMEOUT", 5))


def _post(url: str, data: bytes, content_type: str = "application/json; charset=utf-8") -> bytes:
    if not url.startswith(("http://", "https://")):
        raise ChannelError("only http(s) URLs are posted to")
    headers = {"Content-Type": content_type}
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=_timeout()) as response:  # noqa: S310 - configured URL
            return response.read()
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}") from exc


def _check_robot_answer(answer: bytes) -> None:
    """企业微信 and 钉钉 answer 200 with ``{"errcode": 0}``; anything else non-zero is a refusal."""
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return
    if isinstance(data, dict) and data.get("errcode") not in (None, 0, "0"):
        raise ChannelError(f"errcode {data.get('errcode')}: {data.get('errmsg', '')}"[:200])


class FileSmsBackend:
    """Development: writes what would be sent, one JSON line per message."""

    def send(self, *, phone: str, text: str, key: str = "") -> None:
        folder = Path(getattr(settings, "SMS_FILE_PATH", Path(settings.VAR_DIR) / "sms"))
        folder.mkdir(parents=True, exist_ok=True)
        record = {"at": timezone.now().isoformat(), "phone": phone, "text": text, "key": key}
        line = json.dumps(record, ensure_ascii=False)
        with open(folder / "sms.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class HttpSmsBackend:
    """An SMS gateway reached by one HTTP POST per message, configured by URL and body template."""

    def send(self, *, phone: str, text: str, key: str = "") -> None:
        url = getattr(settings, "SMS_HTTP_URL", "")
        if not url:
            raise ChannelError("SMS_HTTP_URL is not set")
        template = string.Template(getattr(settings, "SMS_HTTP_TEMPLATE", "") or DEFAULT_SMS_TEMPLATE)
        body = template.safe_substitute(phone=_json_escape(phone), text=_json_escape(text), key=_json_escape(key))
        _check_robot_answer(_post(url, body.encode("utf-8")))


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


SMS_BACKENDS = {"file": FileSmsBackend, "http": HttpSmsBackend}


def sms_backend():
    name = getattr(settings, "SMS_BACKEND", "file")
    try:
        return SMS_BACKENDS[name]()
    except KeyError as exc:
        raise ChannelError(f"unknown SMS_BACKEND {name!r}") from exc


def webhook_send(*, url: str, text: str) -> None:
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode("utf-8")
    _check_robot_answer(_post(url, payload))


def send(message) -> None:
    """Send one SMS or webhook message; raises on failure (the sweep records and retries)."""
    from .models import Message

    if message.channel == Message.Channel.SMS:
        sms_backend().send(phone=message.address, text=text_of(message), key=message.key)
    elif message.channel == Message.Channel.WEBHOOK:
        webhook_send(url=message.address, text=text_of(message))
    else:
        raise ChannelError(f"no backend for channel {message.channel}")
