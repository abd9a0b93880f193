"""Widgets for pages that list hundreds of choices (issue #17)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

OPTION = '<option value="{}">{}</option>'
SELECTED = '<option value="{}" selected>{}</option>'


def _joined(parts) -> str:
    """Safe parts joined, still safe (``format_html_join`` leaves safe strings unescaped)."""
    return format_html_join("", "{}", ((part,) for part in parts))


class QuickSelect(forms.Select):
    """A ``<select>`` whose options are joined in Python instead of one template render each: the
    same markup as ``forms.Select`` (name, attributes, optgroups, the selected option) at a small
    part of the time for a county's hundreds of communities. Options carry no attributes of their
    own (use ``forms.Select`` where an option must be disabled or carry data)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options, _index in widget["optgroups"]:
            inner = _joined(
                format_html(SELECTED if o["selected"] else OPTION, "" if o["value"] is None else o["value"], o["label"])
                for o in options
            )
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, inner) if group else inner)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), _joined(parts))
