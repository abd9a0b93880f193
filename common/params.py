"""Query parameters, each parsed by one small function (issue #14 §4).

A page's address is typed, bookmarked, edited and fuzzed; whatever it holds, the page falls back
to its default (or the view answers 404) and never answers 500. Each parser takes the raw value
(``request.GET.get(...)``, possibly ``None``) and returns a value the view can use as it is:

- :func:`int_param` / :func:`id_param`: an integer within bounds (ids: 1 … 2**63 − 1, what a
  database key holds on SQLite and PostgreSQL alike), else the default;
- :func:`year_param`: a year the portal can hold dates of (:data:`MIN_YEAR`–:data:`MAX_YEAR`,
  so ``date(year + 1, 1, 1)`` is safe), else the default;
- :func:`month_param`: ``"YYYY-MM"`` as the first day of that month, else the default;
- :func:`choice_param`, :func:`flag_param`: one of the known values, or a yes/no.
"""

import datetime
import re

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1  # a bigint key; an id beyond it is no object, not an overflow
MIN_YEAR, MAX_YEAR = 2000, 2100

_INTEGER = re.compile(r"[+-]?\d{1,20}")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def int_param(value, *, default=None, minimum: int | None = None, maximum: int | None = None):
    """``value`` as an integer in [minimum, maximum], else ``default``. Only plain decimal digits
    count ("1.5", "1e3", "NaN", "٣" and 5,000 digits are not numbers here)."""
    if value is None:
        return default
    text = str(value).strip()
    if not _INTEGER.fullmatch(text) or not text.isascii():
        return default
    number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return default
    return number


def id_param(value, *, default=None):
    """A database id: 1 … 2**63 − 1, else ``default`` (an id out of range matches no row)."""
    return int_param(value, default=default, minimum=1, maximum=MAX_ID)


def year_param(value, *, default=None):
    """A year between MIN_YEAR and MAX_YEAR, else ``default``."""
    return int_param(value, default=default, minimum=MIN_YEAR, maximum=MAX_YEAR)


def month_param(value, *, default=None):
    """``"2026-03"`` → ``date(2026, 3, 1)``; anything else (``"9999-12"``, ``"1-1"``,
    ``"2026-13"``) → ``default``."""
    match = _MONTH.fullmatch(str(value or "").strip())
    if not match:
        return default
    year, month = int(match[1]), int(match[2])
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return default
    return datetime.date(year, month, 1)


def choice_param(value, choices, *, default=None):
    """``value`` if it is one of ``choices`` (compared as text), else ``default``."""
    text = str(value) if value is not None else None
    return text if text is not None and text in {str(c) for c in choices} else default


def flag_param(value) -> bool:
    """True for "1", "true", "yes" or "on"; anything else is False."""
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


class RejectNulInQueryMiddleware:
    """A query string holding a NUL character answers 400 (issue #14 §4).

    No page has a use for one, and PostgreSQL refuses NUL in any text it compares, so a search
    box fed ``%00`` would otherwise be a 500 on every page that filters by text.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(_("请求地址中含有无效字符。"), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
