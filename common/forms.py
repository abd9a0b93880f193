"""Form pieces shared by every app."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker, with the ISO value it needs (2026-03-05)."""

    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs=attrs, format="%Y-%m-%d", **kwargs)
