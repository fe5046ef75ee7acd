from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from apikeys import scopes
from apikeys.models import PrivateKey


def test_it_lets_the_owner_copy_the_public_key(log_in, owner, account, live_server, screenshot):
    page = log_in(owner)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    expect(page.get_by_role("navigation", name="Settings").get_by_role("link")).to_have_text(
        ["Account", "Users", "API keys", "Security"]
    )
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == account.public_key
    screenshot("account-tab")


def test_it_hides_the_api_keys_tab_from_a_manager(log_in, manager, live_server, screenshot):
    page = log_in(manager)
    expect(page.get_by_role("navigation", name="Settings").get_by_role("link")).to_have_text(
        ["Account", "Users", "Security"]
    )
    response = page.goto(f"{live_server.url}/settings/api-keys/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You don't have access to this page")
    expect(page.get_by_text("owner@acme.test")).to_be_visible()
    screenshot("forbidden")


def test_it_fits_all_four_tabs_and_a_badge_in_a_phone_s_width(log_in, owner, account, live_server):
    for number in range(11):  # the widest badge: "10+"
        PrivateKey.objects.issue(
            account, f"Key {number}", scopes.READ_ONLY, owner, expires_at=timezone.now() + timedelta(days=3)
        )
    page = log_in(owner)
    page.set_viewport_size({"width": 390, "height": 844})
    tabs = page.get_by_role("navigation", name="Settings")
    expect(tabs.get_by_role("link", name="API keys")).to_contain_text("10+")
    for name in ("Account", "Users", "API keys", "Security"):
        expect(tabs.get_by_role("link", name=name)).to_be_in_viewport(ratio=1)
