"""Two-factor log-in in a real browser: enrol with a code computed from the key the QR code carries, log in
with the app's code, then with a recovery code."""

from __future__ import annotations

import re
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts import twofactor
from tests.factories import PASSWORD


def code_for(key: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app holding ``key`` shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(key)
    totp.time += steps_ahead * totp.step
    return f"{totp.token():06d}"


def log_in_with_password(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/login/verify/")


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_it_enrols_then_logs_in_with_a_code_and_with_a_recovery_code(log_in, owner, live_server, screenshot):
    page = log_in(owner)
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Security").click()
    page.get_by_role("link", name="Set up two-factor log-in").click()
    qr = page.locator("svg.qr-code")
    expect(qr).to_be_visible()
    screenshot("two-factor-setup")

    # The key as the app gets it: typed from the text, and the same one the QR code carries.
    shown = page.locator("[data-manual-key]").inner_text().replace(" ", "")
    key = b32decode(shown + "=" * (-len(shown) % 8))
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    assert device.bin_key == key
    drawn = re.search(r' d="([^"]+)"', twofactor.qr_code_svg(device)).group(1)
    assert qr.locator("path").get_attribute("d") == drawn

    page.get_by_label("Code").fill(code_for(key))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Two-factor log-in is on.")).to_be_visible()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    screenshot("two-factor-recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("Logging in asks for a code from your authenticator app")).to_be_visible()

    # Log in again: the password, then the app's code (the next one: the first was used up).
    log_out(page)
    log_in_with_password(page, live_server, owner)
    screenshot("two-factor-login")
    page.get_by_label("Code").fill(code_for(key, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/settings/")

    # And with a recovery code, which works once.
    log_out(page)
    log_in_with_password(page, live_server, owner)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/settings/")
    log_out(page)
    log_in_with_password(page, live_server, owner)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right, or was already used.", exact=True)).to_be_visible()
