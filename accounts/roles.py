"""三员分立 (issue #14 item 7; 等保 2.0 §8.1.4.2): the three administrator roles and who needs what.

- 系统管理员 (``sysadmin``): accounts and their roles and scopes;
- 安全管理员 (``secadmin``): lock-outs, password resets, sessions, second factors;
- 审计管理员 (``auditor``): reads and exports the audit log, changes nothing.

Each acts only through their own pages, and none of them sees the committees' business data
(``common.permissions.scope_q`` gives them nothing). The Django superuser installs the portal
(creates the first three officers in /admin/) and keeps the assessment schemes.
"""

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

SYSADMIN = "sysadmin"
SECADMIN = "secadmin"
AUDITOR = "auditor"
OFFICER_ROLES = (SYSADMIN, SECADMIN, AUDITOR)
# Roles whose password expires after PASSWORD_MAX_AGE_DAYS (the business administrator too).
ADMINISTRATOR_ROLES = (*OFFICER_ROLES, "admin")


def is_officer(user) -> bool:
    return user.is_authenticated and not user.is_superuser and user.role in OFFICER_ROLES


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in ADMINISTRATOR_ROLES)


def otp_required(user) -> bool:
    """TOTP is required of the three officers (and of the superuser when
    ``OTP_REQUIRED_FOR_SUPERUSER``); for everybody else it is optional (item 9)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return bool(getattr(settings, "OTP_REQUIRED_FOR_SUPERUSER", False))
    return user.role in OFFICER_ROLES


def officer_only(role: str):
    """The view is for the officer of ``role`` only: everyone else (the superuser too) gets 403."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if user.is_superuser or user.role != role:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
