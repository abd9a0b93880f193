"""Filters of the minutes' and the record's documents (templates/reports/record.html)."""

from django import template

from meetings import documents

register = template.Library()


@register.filter
def motion_summary(mv) -> str:
    return documents.motion_summary(mv)


@register.filter
def vote_cell(row) -> str:
    return documents.vote_cell(row)


@register.filter
def attendance_role(attendee) -> str:
    return documents.attendance_role(attendee)
