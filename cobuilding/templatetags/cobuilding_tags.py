"""Small display helpers of the co-building pages."""

from django import template
from django.utils.html import format_html

register = template.Library()

TONES = {
    "draft": "secondary",
    "submitted": "warning text-dark",
    "returned": "danger",
    "accepted": "primary",
    "fulfilled": "success",
    "confirmed": "success",
    "sent": "warning text-dark",
    "signed": "success",
    "expired": "secondary",
    "open": "primary",
    "closed": "secondary",
    "cancelled": "secondary",
    "claimed": "primary",
    "reported": "warning text-dark",
    "completed": "success",
    "withdrawn": "secondary",
    "in_progress": "info text-dark",
    "done": "success",
    "dropped": "secondary",
}


@register.simple_tag
def status_badge(value, label):
    return format_html('<span class="badge bg-{}">{}</span>', TONES.get(str(value), "secondary"), label)


@register.filter
def percent_bar(value):
    """A plain progress bar (no JavaScript) for a 0–100 value; '—' when there is none."""
    if value is None or value == "":
        return "—"
    value = max(0, min(100, int(value)))
    return format_html(
        '<div class="d-flex align-items-center gap-2"><div class="progress flex-grow-1" role="progressbar" '
        'aria-label="完成进度" aria-valuenow="{}" aria-valuemin="0" aria-valuemax="100" '
        'style="min-width:4rem;height:.6rem">'
        '<div class="progress-bar bg-success" style="width:{}%"></div></div><span class="small">{}%</span></div>',
        value,
        value,
        value,
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
