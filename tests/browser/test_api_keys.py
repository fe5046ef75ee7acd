"""The API keys tab in a real browser: copy buttons, the one-time reveal, clone and deactivate, by mouse and
by keyboard alone, with the key used against the live API in between."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.browser.helpers import assert_focus_visible, tab_to


def call_api(live_server, secret: str) -> tuple[int, dict]:
    """GET /api/key/ with the key, as an integration would; return the status and the JSON body."""
    request = urllib.request.Request(
        f"{live_server.url}/api/key/", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_it_takes_a_custom_key_from_creation_to_deactivation(log_in, owner, account, live_server, screenshot):
    page = log_in(owner)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="Private keys")).to_be_visible()
    expect(page.get_by_text("No private keys yet.")).to_be_visible()

    page.get_by_role("button", name="Copy public key").click()
    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    assert clipboard(page) == account.public_key
    screenshot("api-keys-empty")

    page.get_by_role("link", name="Create your first private key").click()
    matrix = page.get_by_role("group", name="Custom access")
    expect(matrix).to_be_hidden()
    page.get_by_label("Name").fill("Warehouse sync")
    access = page.get_by_role("group", name="Access", exact=True)
    access.get_by_role("radio", name="Custom").check()
    expect(matrix).to_be_visible()
    page.get_by_label("Lists: Full").check()
    page.get_by_label("Profiles: Read").check()
    screenshot("api-keys-create-custom")
    page.get_by_role("button", name="Create key").click()

    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    reveal_url = page.url
    secret = page.locator("#secret").inner_text()
    assert secret.startswith("pk_") and len(secret) == 37
    screenshot("api-keys-reveal")

    # Leaving before the secret is copied asks first; staying keeps the secret on screen.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    with page.expect_event("dialog"):
        page.get_by_role("link", name="I have copied it").click()
    assert dialogs == ["beforeunload"]
    assert page.url == reveal_url
    expect(page.locator("#secret")).to_have_text(secret)

    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    assert clipboard(page) == secret

    # Once copied, leaving asks nothing, and the secret is gone for good.
    page.reload()
    expect(page.get_by_role("heading", name="This key can no longer be shown")).to_be_visible()
    assert secret not in page.content()
    assert dialogs == ["beforeunload"]
    screenshot("api-keys-reveal-gone")

    status, body = call_api(live_server, secret)
    assert status == 200
    assert body["data"]["name"] == "Warehouse sync"
    assert sorted(body["data"]["scopes"]) == ["lists:read", "lists:write", "profiles:read"]

    original_url = page.get_by_role("link", name="View key").get_attribute("href")
    expect(page.get_by_role("link", name="Roll now")).to_be_visible()  # it still works: roll is offered
    page.goto(live_server.url + original_url)
    page.get_by_role("link", name="Clone", exact=True).click()
    expect(page.get_by_role("heading", name="Clone “Warehouse sync”?")).to_be_visible()
    screenshot("api-keys-clone")
    page.get_by_role("button", name="Clone key").click()
    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    clone_secret = page.locator("#secret").inner_text()
    assert clone_secret.startswith("pk_") and clone_secret != secret
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_text("Copied to clipboard")).to_be_visible()

    page.goto(live_server.url + original_url)
    expect(page.get_by_role("heading", name="Warehouse sync")).to_contain_text("Active")
    screenshot("api-keys-detail")
    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", name="Deactivate “Warehouse sync”?")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("This key was used")
    page.get_by_label("Reason").fill("Moved to the clone")
    screenshot("api-keys-deactivate")
    page.get_by_role("button", name="Deactivate key").click()

    expect(page.get_by_role("status")).to_contain_text("Deactivated “Warehouse sync”")
    inactive = page.locator(".card", has=page.get_by_role("heading", name="Inactive keys"))
    expect(inactive.get_by_role("row")).to_have_count(2)  # header and the original
    expect(inactive).to_contain_text("Moved to the clone")
    active = page.locator(".card", has=page.get_by_role("heading", name="Private keys"))
    expect(active.get_by_role("row")).to_have_count(2)  # header and the clone
    screenshot("api-keys-inactive")
    assert dialogs == ["beforeunload"]

    status, body = call_api(live_server, secret)
    assert status == 401
    assert body["errors"][0]["detail"] == "Invalid or inactive API key."
    assert call_api(live_server, clone_secret)[0] == 200

    # The refused request counts against the deactivated key, on its page.
    page.goto(live_server.url + original_url)
    expect(page.locator(".usage-caption")).to_contain_text("2 requests in 30 days, 1 refused")
    expect(page.locator("rect.usage-refused")).to_have_count(1)
    last_refused = page.locator("dt:has-text('Last refused') + dd")
    expect(last_refused).to_contain_text("just now (401: the key was inactive)")
    page.get_by_text("Requests per day as a table").click()
    today = page.locator(".usage-table tbody tr").first
    expect(today.locator('td[data-label="Requests"]')).to_have_text("2")
    expect(today.locator('td[data-label="Refused"]')).to_have_text("1")
    screenshot("api-keys-detail-refused")


NO_CLIPBOARD = "delete Navigator.prototype.clipboard"
REFUSING_CLIPBOARD = """Object.defineProperty(Navigator.prototype, "clipboard", {
  configurable: true,
  get: () => ({
    writeText: () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError")),
  }),
})"""


@pytest.mark.parametrize(
    "clipboard_script",
    [
        pytest.param(NO_CLIPBOARD, id="no-clipboard-api"),
        pytest.param(REFUSING_CLIPBOARD, id="clipboard-refused"),
    ],
)
def test_it_selects_the_public_key_when_the_clipboard_cannot_be_written(
    page, log_in, owner, account, live_server, clipboard_script
):
    page.add_init_script(clipboard_script)
    log_in(owner)
    page.goto(f"{live_server.url}/settings/api-keys/")
    assert page.evaluate("window.getSelection().toString()") == ""

    page.get_by_role("button", name="Copy public key").click()

    # Selected for Ctrl+C, or copied by the older execCommand route: either way the user hears what happened.
    status = page.locator("[data-copy-status]")
    expect(status).to_have_text(re.compile(r"^(Copied to clipboard|Selected: press Ctrl\+C \(⌘C\) to copy)$"))
    assert page.evaluate("window.getSelection().toString()") == account.public_key


def copy_secret_and_leave_with_the_keyboard(page) -> str:
    """On a reveal page: copy the secret with the Copy button, then follow "I have copied it"."""
    secret = page.locator("#secret").inner_text()
    tab_to(page, page.get_by_role("button", name="Copy key"))
    page.keyboard.press("Space")
    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    assert clipboard(page) == secret
    tab_to(page, page.get_by_role("link", name="I have copied it"))
    page.keyboard.press("Enter")
    return secret


def test_it_creates_clones_and_deactivates_a_key_with_the_keyboard_alone(
    log_in, owner, account, live_server, screenshot
):
    page = log_in(owner)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/settings/api-keys/new/")

    name = page.get_by_label("Name")
    tab_to(page, name)
    assert_focus_visible(name)
    page.keyboard.type("Keyboard only")
    # A radio group is one Tab stop; the arrow keys choose within it.
    access = page.get_by_role("group", name="Access", exact=True)
    tab_to(page, access.get_by_role("radio", name="Read-only"))
    page.keyboard.press("ArrowDown")
    expect(access.get_by_role("radio", name="Custom")).to_be_checked()
    tab_to(page, page.get_by_label("Accounts: None"))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Accounts: Read")).to_be_checked()
    tab_to(page, page.get_by_label("Campaigns: None"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Campaigns: Full")).to_be_checked()
    submit = page.get_by_role("button", name="Create key")
    tab_to(page, submit)
    assert_focus_visible(submit)
    screenshot("keyboard-create")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    first_reveal = page.url
    secret = copy_secret_and_leave_with_the_keyboard(page)

    expect(page.get_by_role("heading", name="Keyboard only")).to_be_visible()
    clone = page.get_by_role("link", name="Clone", exact=True)
    tab_to(page, clone)
    assert_focus_visible(clone)
    screenshot("keyboard-detail")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Clone “Keyboard only”?")).to_be_visible()
    confirm = page.get_by_role("button", name="Clone key")
    tab_to(page, confirm)
    assert_focus_visible(confirm)
    screenshot("keyboard-clone")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    assert page.url != first_reveal
    screenshot("keyboard-clone-reveal")
    clone_secret = copy_secret_and_leave_with_the_keyboard(page)
    assert clone_secret.startswith("pk_") and clone_secret != secret

    # From the clone's page back to the original, and deactivate it.
    expect(page.get_by_text("Cloned from")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Keyboard only"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard only")).to_contain_text("Active")
    tab_to(page, page.get_by_role("link", name="Deactivate"))
    page.keyboard.press("Enter")
    reason = page.get_by_label("Reason")
    tab_to(page, reason)
    page.keyboard.type("Done testing")
    deactivate = page.get_by_role("button", name="Deactivate key")
    tab_to(page, deactivate)
    assert_focus_visible(deactivate)
    screenshot("keyboard-deactivate")
    page.keyboard.press("Enter")

    inactive = page.locator(".card", has=page.get_by_role("heading", name="Inactive keys"))
    expect(inactive).to_contain_text("Keyboard only")
    screenshot("keyboard-list")
    original = PrivateKey.objects.get(cloned_from=None)
    copy = PrivateKey.objects.get(cloned_from=original)
    assert sorted(original.scopes) == ["accounts:read", "campaigns:read", "campaigns:write"]
    assert copy.scopes == original.scopes and copy.is_active
    assert original.deactivation_reason == "Done testing"
    assert original.deactivated_by == owner


def test_it_takes_a_read_only_key_through_its_whole_life(log_in, owner, account, live_server, screenshot):
    """The tab's "Done when": public key, a read-only key copied once and gone on reload, cloned, the
    original deactivated, reactivated, deactivated again and deleted, and all of it in the activity."""
    page = log_in(owner)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="API keys").click()
    expect(page.locator("#public-key")).to_have_text(account.public_key)

    page.get_by_role("link", name="Create your first private key").click()
    page.get_by_label("Name").fill("Reporting")
    page.get_by_role("group", name="Access", exact=True).get_by_role("radio", name="Read-only").check()
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Read-only")
    secret = page.locator("#secret").inner_text()
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    assert clipboard(page) == secret

    page.reload()
    expect(page.get_by_role("heading", name="This key can no longer be shown")).to_be_visible()
    assert secret not in page.content()
    status, body = call_api(live_server, secret)
    assert status == 200
    assert sorted(body["data"]["scopes"]) == sorted(scopes.READ_ONLY)
    original_url = live_server.url + page.get_by_role("link", name="View key").get_attribute("href")

    page.goto(original_url)
    page.get_by_role("link", name="Clone", exact=True).click()
    page.get_by_role("button", name="Clone key").click()
    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    clone_secret = page.locator("#secret").inner_text()
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    assert call_api(live_server, clone_secret)[0] == 200

    def deactivate(reason: str):
        page.goto(original_url)
        page.get_by_role("link", name="Deactivate").click()
        page.get_by_label("Reason").fill(reason)
        page.get_by_role("button", name="Deactivate key").click()
        expect(page.get_by_role("status")).to_contain_text("Deactivated “Reporting”")
        assert call_api(live_server, secret)[0] == 401

    deactivate("Replaced by its clone")

    page.goto(original_url)
    page.get_by_role("link", name="Reactivate").click()
    expect(page.get_by_role("heading", name="Reactivate “Reporting”?")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Replaced by its clone")
    screenshot("api-keys-reactivate")
    page.get_by_role("button", name="Reactivate key").click()
    expect(page.get_by_role("status")).to_contain_text("Reactivated “Reporting”")
    assert call_api(live_server, secret)[0] == 200

    deactivate("For good this time")

    page.goto(original_url)
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete “Reporting” for good?")).to_be_visible()
    screenshot("api-keys-delete")
    page.get_by_role("button", name="Delete key").click()

    expect(page.get_by_role("status")).to_contain_text("Deleted “Reporting”")
    expect(page.get_by_role("heading", name="Inactive keys")).to_have_count(0)
    active = page.locator(".card", has=page.get_by_role("heading", name="Private keys"))
    expect(active.get_by_role("row")).to_have_count(2)  # header and the clone
    activity = page.locator(".card", has=page.get_by_role("heading", name="Recent activity"))
    deleted = activity.get_by_role("row").filter(has=page.locator("td[data-label=What]", has_text="Deleted"))
    expect(deleted).to_have_count(1)
    expect(deleted).to_contain_text("Reporting")
    expect(deleted).to_contain_text(owner.email)
    expect(deleted.get_by_role("link")).to_have_count(0)  # the key is gone; its name stays in the history
    actions = activity.locator("td[data-label=What]").all_inner_texts()
    assert sorted(actions) == sorted(
        ["Created", "Cloned", "Cloned", "Deactivated", "Reactivated", "Deactivated", "Deleted"]
    )
    screenshot("api-keys-activity")
    assert call_api(live_server, secret)[0] == 401
    assert call_api(live_server, clone_secret)[0] == 200
    assert list(PrivateKey.objects.values_list("name", flat=True)) == ["Reporting (copy)"]
