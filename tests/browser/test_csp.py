"""In a real browser, the strict Content-Security-Policy blocks nothing our pages or the admin need."""

from __future__ import annotations

import pytest

from apikeys.models import PrivateKey
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, totp_now


@pytest.fixture
def csp_violations(page):
    """Collect every CSP violation the browser reports, from the console and the DOM event."""
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return violations


def visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert "default-src 'self'" in response.headers.get("content-security-policy", "")
    return response


def test_it_blocks_nothing_on_the_settings_pages(log_in, owner, account, live_server, csp_violations):
    key, _ = PrivateKey.objects.issue(account, "Checkout", ["lists:read"], by=owner)
    page = log_in(owner)
    for path in (
        "/settings/",
        "/settings/users/",
        "/settings/api-keys/",
        "/settings/api-keys/new/",
        f"/settings/api-keys/{key.public_id}/",
        "/password/",
        "/security/",
        "/security/two-factor/",  # the QR code: inline SVG
        "/no-such-page/",
    ):
        visit(page, live_server.url + path)
    page.goto(f"{live_server.url}/settings/api-keys/new/")
    page.get_by_label("Name").fill("Reporting")
    page.get_by_role("button", name="Create key").click()
    page.wait_for_load_state("networkidle")
    assert csp_violations == []


def test_it_blocks_nothing_in_the_admin(page, live_server, owner, account, csp_violations):
    staff = UserFactory(email="support@keyward.test", is_staff=True, is_superuser=True)
    device = TOTPDeviceFactory(user=staff)
    key, _ = PrivateKey.objects.issue(account, "Checkout", ["lists:read"], by=owner)
    visit(page, f"{live_server.url}/admin/login/")
    page.get_by_label("Email address").fill("support@keyward.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    for path in (
        "/admin/",
        "/admin/apikeys/privatekey/",
        f"/admin/apikeys/privatekey/{key.pk}/change/",
        "/admin/apikeys/keyevent/",
        "/admin/accounts/account/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{owner.pk}/change/",
        "/admin/auth/group/add/",
    ):
        visit(page, live_server.url + path)
    assert csp_violations == []
