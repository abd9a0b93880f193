"""The data of the session panels on the meeting page, fetched once per page whatever how many
panels ask for it (a fixed number of queries)."""

from django import template

from meetings.selectors.session import session_summary as _summary

register = template.Library()


@register.simple_tag
def session_summary(meeting):
    if not hasattr(meeting, "_session_summary"):
        meeting._session_summary = _summary(meeting=meeting)
    return meeting._session_summary
