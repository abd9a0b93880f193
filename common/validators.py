"""Validators shared by the apps' models and forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# What people type between the digits of a number: spaces (also the full-width one) and hyphens.
MOBILE_SEPARATORS = re.compile(r"[\s\u3000\-－—]")


def mobile_normalize(value: str | None) -> str:
    """``139 0000-0012`` → ``13900000012``; anything else is returned without its separators."""
    return MOBILE_SEPARATORS.sub("", value or "")


def is_mobile(value: str | None) -> bool:
    return bool(MOBILE.match(mobile_normalize(value)))


def validate_mobile(value: str) -> None:
    """A mainland China mobile number: 11 digits starting 13–19 (spaces and hyphens allowed).
    Empty is allowed (the field is optional); a landline is not a mobile (no SMS reaches it)."""
    if value and not is_mobile(value):
        raise ValidationError(
            _("请填写 11 位手机号码（以 13～19 开头，如 139 0000 0012）；座机不能接收短信。"),
            code="invalid_mobile",
        )
