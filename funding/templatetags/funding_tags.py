"""Money charts as inline SVG (no JavaScript: CSP, offline, print). Bar lengths are computed with
``Decimal`` and rounded to whole pixels; labels use the house money format."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html, format_html_join

from common.templatetags.portal import money

register = template.Library()

RED = "#b5302a"
GOLD = "#d9a441"
GREY = "#d9d9d9"
BLUE = "#3d6fa8"


def _px(value, top, plot) -> int:
    if top <= 0 or value <= 0:
        return 0
    return max(1, int((Decimal(value) / top * plot).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _svg(width, height, body, label):
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        label,
        width,
        height,
        body,
    )


@register.simple_tag
def money_bars(rows, label="", width=560, bar=24, label_width=150):
    """Horizontal bars of (label, amount) pairs, each amount written as ¥1,234.50."""
    rows = list(rows)
    if not rows:
        return ""
    top = max((Decimal(v) for _, v in rows), default=Decimal(0))
    plot = width - label_width - 110
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="12">{}</text>',
        (
            (
                label_width - 6,
                i * bar + 16,
                name,
                label_width,
                i * bar + 4,
                _px(v, top, plot),
                bar - 8,
                RED,
                label_width + _px(v, top, plot) + 4,
                i * bar + 16,
                money(v),
            )
            for i, (name, v) in enumerate(rows)
        ),
    )
    return _svg(width, bar * len(rows) + 8, body, label)


@register.simple_tag
def due_paid_bars(rows, label="", width=560, bar=26, label_width=150):
    """Per unit: the share due (grey) with what was paid over it (red), and "paid / due"."""
    rows = list(rows)
    if not rows:
        return ""
    top = max((max(Decimal(d), Decimal(p)) for _, d, p in rows), default=Decimal(0))
    plot = width - label_width - 170
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + GREY + '" rx="2"></rect>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + RED + '" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="12">{} / {}</text>',
        (
            (
                label_width - 6,
                i * bar + 17,
                name,
                label_width,
                i * bar + 4,
                _px(due, top, plot),
                bar - 8,
                label_width,
                i * bar + 4,
                _px(min(Decimal(paid), top), top, plot),
                bar - 8,
                label_width + max(_px(due, top, plot), _px(paid, top, plot)) + 4,
                i * bar + 17,
                money(paid),
                money(due),
            )
            for i, (name, due, paid) in enumerate(rows)
        ),
    )
    legend = format_html(
        '<rect x="{}" y="{}" width="10" height="10" fill="' + RED + '"></rect>'
        '<text x="{}" y="{}" font-size="11">已缴</text>'
        '<rect x="{}" y="{}" width="10" height="10" fill="' + GREY + '"></rect>'
        '<text x="{}" y="{}" font-size="11">应缴</text>',
        label_width,
        len(rows) * bar + 6,
        label_width + 14,
        len(rows) * bar + 15,
        label_width + 50,
        len(rows) * bar + 6,
        label_width + 64,
        len(rows) * bar + 15,
    )
    return _svg(width, bar * len(rows) + 22, format_html("{}{}", body, legend), label)


@register.simple_tag
def pair_bars(rows, label="", width=640, bar=16, label_width=120):
    """Committees side by side: income (red) and spending (blue) per (name, income, spending)."""
    rows = list(rows)
    if not rows:
        return ""
    top = max((max(Decimal(a), Decimal(b)) for _, a, b in rows), default=Decimal(0))
    plot = width - label_width - 110
    group = bar * 2 + 10
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + RED + '" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="11">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + BLUE + '" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="11">{}</text>',
        (
            (
                label_width - 6,
                i * group + bar + 4,
                name,
                label_width,
                i * group + 2,
                _px(a, top, plot),
                bar - 3,
                label_width + _px(a, top, plot) + 4,
                i * group + bar - 3,
                money(a),
                label_width,
                i * group + bar + 1,
                _px(b, top, plot),
                bar - 3,
                label_width + _px(b, top, plot) + 4,
                i * group + 2 * bar - 2,
                money(b),
            )
            for i, (name, a, b) in enumerate(rows)
        ),
    )
    legend = format_html(
        '<rect x="{}" y="{}" width="10" height="10" fill="' + RED + '"></rect>'
        '<text x="{}" y="{}" font-size="11">收入</text>'
        '<rect x="{}" y="{}" width="10" height="10" fill="' + BLUE + '"></rect>'
        '<text x="{}" y="{}" font-size="11">支出</text>',
        label_width,
        len(rows) * group + 2,
        label_width + 14,
        len(rows) * group + 11,
        label_width + 50,
        len(rows) * group + 2,
        label_width + 64,
        len(rows) * group + 11,
    )
    return _svg(width, group * len(rows) + 18, format_html("{}{}", body, legend), label)


@register.filter
def signed_money(value):
    """+¥0.01 / -¥0.01 for a rounding adjustment, with up to 8 places when not a whole fen."""
    value = Decimal(value)
    if value == 0:
        return "±0"
    sign = "+" if value > 0 else "-"
    text = f"{abs(value).normalize():f}"
    return f"{sign}{text}"
