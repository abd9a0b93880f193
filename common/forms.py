"""Form pieces shared by every app."""

from django import forms

from common.validators import mobile_normalize, validate_mobile


class DateInput(forms.DateInput):
    """The browser's own date picker, with the ISO value it needs (2026-03-05)."""

    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs=attrs, format="%Y-%m-%d", **kwargs)


class MobileField(forms.CharField):
    """An optional mainland mobile number (手机号码), kept as 11 digits without separators; the
    error is shown next to the field (``common.validators.validate_mobile``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        kwargs.setdefault("validators", [validate_mobile])
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")

    def to_python(self, value):
        return mobile_normalize(super().to_python(value))
