"""Officers (三员) with a confirmed second factor, logged in and verified (issue #14 items 7, 9)."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from tests.factories import UserFactory


def verified_client(user, client=None, *, enforce_csrf_checks=False) -> Client:
    """A client logged in as ``user`` who has given their TOTP code (a device is made if needed)."""
    client = client or Client(enforce_csrf_checks=enforce_csrf_checks)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="手机", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="sysadmin", role=User.Role.SYSADMIN)


@pytest.fixture
def secadmin(db):
    return UserFactory(username="secadmin", role=User.Role.SECADMIN)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=User.Role.AUDITOR)
