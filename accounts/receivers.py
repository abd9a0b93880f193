"""At log-in: note when the session started, whose it is and whether a second factor is due."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from audit.address import client_address

from .middleware import LAST_SEEN, LOGIN_AT, OTP_PENDING, has_confirmed_device
from .models import UserSession
from .roles import otp_required


@receiver(user_logged_in, dispatch_uid="accounts_session_started")
def _session_started(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    now = time.time()
    session[LOGIN_AT] = now
    session[LAST_SEEN] = now
    if not otp_required(user) and has_confirmed_device(user):
        session[OTP_PENDING] = True  # an optional second factor, once enrolled, is asked for too
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "address": client_address(request) if getattr(request, "META", None) else None},
    )


@receiver(user_logged_out, dispatch_uid="accounts_session_ended")
def _session_ended(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
