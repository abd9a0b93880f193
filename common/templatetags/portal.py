"""Formatting in the house style: 2026年3月5日 14:30, ¥1,234.50, 第一季度; small SVG charts."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.text import inner_quotes as _inner_quotes

register = template.Library()

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@register.filter
def cn_date(value):
    if not value:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def money(value):
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def inner_quotes(value):
    """Inside “…” a value's own quotes become ‘…’ (issue #15 item 5)."""
    return _inner_quotes(value)


@register.filter
def quarter_cn(value):
    return QUARTERS.get(int(value), "")


@register.simple_tag
def bar_chart(rows, width=480, bar_height=22, label_width=140):
    """A horizontal bar chart as inline SVG: rows are (label, value) pairs. No JavaScript, so it
    works under the CSP, offline and in PDFs."""
    rows = list(rows)
    if not rows:
        return ""
    top = max((float(v) for _, v in rows), default=0) or 1
    plot = width - label_width - 60
    height = bar_height * len(rows) + 8
    bars = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#b5302a" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="12">{}</text>',
        (
            (
                label_width - 6,
                i * bar_height + 16,
                label,
                label_width,
                i * bar_height + 4,
                max(1, round(float(v) / top * plot)),
                bar_height - 8,
                label_width + max(1, round(float(v) / top * plot)) + 4,
                i * bar_height + 16,
                v,
            )
            for i, (label, v) in enumerate(rows)
        ),
    )
    # the chart's text alternative (WCAG 1.1.1): every bar's label and value, read as one line
    summary = "；".join(f"{label}：{v}" for label, v in rows)
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        summary,
        width,
        height,
        summary,
        bars,
    )
