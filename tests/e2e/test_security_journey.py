"""Browser journey (issue #14 items 6, 7, 9): a new security administrator must first change the
password they were issued, then bind a phone authenticator from the QR code, gets ten recovery
codes, and reaches their own page."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _code(key_b32: str) -> str:
    padded = key_b32 + "=" * (-len(key_b32) % 8)
    totp = TOTP(base64.b32decode(padded))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_issued_password_then_second_factor(page, login_as):
    user = UserFactory(username="anquan", role=User.Role.SECADMIN, full_name="安全员", must_change_password=True)
    login_as(user)
    # the issued password is changed first
    assert page.url.endswith("/accounts/password/")
    assert "初始密码" in page.inner_text("main")
    page.fill("input[name=old_password]", "Dangwei!2026")
    page.fill("input[name=new_password1]", "Anquan#2026x")
    page.fill("input[name=new_password2]", "Anquan#2026x")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    # then the phone authenticator: the QR code is drawn in the page, the key is shown as text
    page.goto(page.base_url + "/")
    assert page.url.endswith("/accounts/otp/setup/")
    assert page.get_by_test_id("otp-qr").locator("svg").count() == 1
    key = page.get_by_test_id("otp-key").inner_text().strip()
    page.fill("input[name=token]", _code(key))
    page.click("main button[type=submit]")
    codes = page.get_by_test_id("recovery-codes").inner_text().split()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{8}", c) for c in codes)
    page.click("text=继续")
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/security/")
    assert "安全管理" in page.inner_text("h1")
