"""The month calendar per committee and the iCalendar feed per user (issue #3 item 8)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.params import month_param
from common.permissions import can_change
from inbox.selectors import calendar_token_owner
from inbox.services import calendar_token_get_or_create, calendar_token_rotate
from meetings.models import Meeting
from meetings.selectors import meetings as selectors

# The right-hand side of every event's UID: fixed per installation (settings.ICAL_UID_DOMAIN), never
# the request's host name.
ICAL_UID_DOMAIN = getattr(settings, "ICAL_UID_DOMAIN", "dangwei.portal")


def _month(request) -> tuple[int, int]:
    first = month_param(request.GET.get("month"), default=timezone.localdate().replace(day=1))
    return first.year, first.month


@login_required
def calendar_month(request, committee_pk: int):
    committee = selectors.committee_for_user(user=request.user, pk=committee_pk)
    year, month = _month(request)
    weeks = selectors.calendar_month(
        user=request.user,
        committee=committee,
        year=year,
        month=month,
        include_drafts=can_change(request.user, committee),
    )
    first = datetime.date(year, month, 1)
    prev = (first - datetime.timedelta(days=1)).replace(day=1)
    nxt = (first + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "committee": committee,
        "weeks": weeks,
        "year": year,
        "month": month,
        "prev": f"{prev.year}-{prev.month:02d}",
        "next": f"{nxt.year}-{nxt.month:02d}",
        "periods": selectors.committee_compliance(committee=committee, year=year),
        "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
    }
    return render(request, "meetings/calendar_month.html", context)


@login_required
def calendar_feed(request):
    """The user's own subscription URL (secret: whoever has it reads the feed)."""
    token = calendar_token_get_or_create(user=request.user)
    url = request.build_absolute_uri(reverse("meetings:ical", args=[token.token]))
    return render(request, "meetings/calendar_feed.html", {"feed_url": url})


@require_POST
@login_required
def calendar_feed_rotate(request):
    calendar_token_rotate(user=request.user)
    messages.success(request, _("已生成新的订阅地址，旧地址已失效。"))
    return redirect("meetings:calendar_feed")


# --- iCalendar (RFC 5545), written by hand ---------------------------------------------------------


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines of at most 75 octets, continued with a leading space."""
    out, current, size = [], "", 0
    for char in line:
        n = len(char.encode("utf-8"))
        if size + n > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += char
        size += n
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ical_text(meetings: list[Meeting], *, host: str, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//dangwei//meetings//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape(_("大党委会议")),
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for m in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{m.pk}@{host}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(m.starts_at)}",
            f"DTEND:{_utc(m.ends_at)}",
            f"SEQUENCE:{m.version - 1}",
            "SUMMARY:" + _escape(m.title),
            "LOCATION:" + _escape(m.place),
            "DESCRIPTION:" + _escape(f"{m.committee.name}｜{m.get_kind_display()}｜{_('主持人')}：{m.chair_name}"),
            "STATUS:" + ("CANCELLED" if m.status == Meeting.Status.CANCELLED else "CONFIRMED"),
            f"LAST-MODIFIED:{_utc(m.updated_at)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _fold(line)]
    return "\r\n".join(folded) + "\r\n"


def ical(request, token: str):
    """No log-in (calendar apps cannot log in): the secret token is the credential."""
    owner = calendar_token_owner(token=token)
    if owner is None:
        raise Http404
    # The UID names the portal, not the host the request came through: the same meeting keeps its
    # UID behind any proxy or alias, so calendar apps update it instead of adding a copy (issue #16).
    body = ical_text(selectors.feed_meetings(user=owner), host=ICAL_UID_DOMAIN)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(False, _("大党委会议.ics"))
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns = [
    path("committee/<int:committee_pk>/calendar/", calendar_month, name="calendar"),
    path("calendar/feed/", calendar_feed, name="calendar_feed"),
    path("calendar/feed/rotate/", calendar_feed_rotate, name="calendar_feed_rotate"),
    path("ical/<str:token>.ics", ical, name="ical"),
]
