"""Filters of the printed documents (issue #16)."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def points(value):
    """Points as a person writes them: 20.00 → "20", 7.50 → "7.5"; None and "" stay empty."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    if number == number.to_integral_value():
        return format(number.quantize(Decimal(1)), "f")
    return format(number.normalize(), "f")
