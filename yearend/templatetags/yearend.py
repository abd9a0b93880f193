"""Small filters of the year-end report templates."""

from django import template

register = template.Library()


@register.filter
def sum_values(values) -> int:
    """The sum of an iterable of numbers (a unit's dedication-day head counts)."""
    return sum(values or ())
