"""Permission matrix of issue #14 (三员分立, second factor, audit log): the officers' pages refuse
every business role and the superuser (403; the officers' own access is pinned in
tests/accounts/test_officers.py); the second-factor pages are every logged-in user's own."""

from axes.models import AccessAttempt

from tests.matrix import POST_ONLY_AFTER_LOGIN, S

REFUSED = S(403, 403, 403, 403, 403)
OWN_PAGE = S(200, 200, 200, 200, 200)


def liaison_pk(p):
    return {"pk": p.users["liaison"].pk}


def attempt_pk(p):
    attempt = AccessAttempt.objects.create(
        username="liaison", ip_address="203.0.113.7", user_agent="", get_data="", post_data="", failures_since_start=5
    )
    return {"pk": attempt.pk}


def nothing(p):
    return {}


MATRIX = {
    "accounts:otp_setup": (nothing, OWN_PAGE),
    "accounts:otp_verify": (nothing, OWN_PAGE),
    "accounts:otp_codes": (nothing, POST_ONLY_AFTER_LOGIN),
    "accounts:user_list": (nothing, REFUSED),
    "accounts:user_create": (nothing, REFUSED),
    "accounts:user_update": (liaison_pk, REFUSED),
    "accounts:security_home": (nothing, REFUSED),
    "accounts:lockout_clear": (attempt_pk, REFUSED),
    "accounts:password_reset": (liaison_pk, REFUSED),
    "accounts:sessions_end": (liaison_pk, REFUSED),
    "accounts:otp_reset": (liaison_pk, REFUSED),
    "accounts:reply_link_revoke": (nothing, REFUSED),
    "audit:event_list": (nothing, REFUSED),
    "audit:event_export": (nothing, REFUSED),
}
