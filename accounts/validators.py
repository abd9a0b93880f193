"""Password rules an assessor expects (issue #14 item 6; 等保 2.0 §8.1.4.1 身份鉴别):
at least three of the four character classes, and none of the last five passwords again.
(Length ≥ 8 and "not like the user name or full name" are Django's own validators, configured
in settings.)"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


class LengthValidator(MinimumLengthValidator):
    """Django's minimum length, with its refusal said in Chinese (Django 5.2's new wording has no
    Chinese translation yet)."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(n)s 个字符。") % {"n": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(n)s 个字符。") % {"n": self.min_length}


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)s 类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)s 类。") % {"n": self.min_classes}


class PasswordHistoryValidator:
    """None of the user's last ``count`` passwords (the current one included) again; every new
    password is remembered here, and its date starts the administrators' 90 days."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent(self, user) -> list[str]:
        from .models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self.count]
        )
        return hashes

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        hashes = self._recent(user)
        current = get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            hashes.append(current)
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(_("不能使用最近 %(n)s 次用过的密码。") % {"n": self.count}, code="password_reused")

    def password_changed(self, password, user=None):
        from .models import PasswordHistory

        if user is None or user.pk is None:
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
        keep = list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)[: self.count]
        )
        PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()
        get_user_model().objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now

    def get_help_text(self):
        return _("不能使用最近 %(n)s 次用过的密码。") % {"n": self.count}


def password_expired(user, *, now=None) -> bool:
    """An administrator's password older than PASSWORD_MAX_AGE_DAYS (0 turns the rule off)."""
    from .roles import is_administrator

    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90)
    if not days or not is_administrator(user) or user.password_changed_at is None:
        return False
    now = now or timezone.now()
    return (now - user.password_changed_at).days >= days
