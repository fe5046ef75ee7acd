"""The tab as users who juggle many keys and accounts meet it, in a real browser: the expiry control, the
error summary, rename, search and filter, the banner, deep links across accounts and the activity page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from apikeys import scopes
from apikeys.models import PrivateKey
from tests.factories import MembershipFactory


def create_page(page, live_server):
    page.goto(f"{live_server.url}/settings/api-keys/new/")
    page.get_by_label("Name").fill("Zapier")
    return page


def reveal_expires(page) -> str:
    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    page.wait_for_load_state()  # local_time.js has added the browser's own time
    return page.locator("dt:text('Expires') + dd").inner_text()


@pytest.mark.parametrize("choice", ["No expiry", "In 30 days", "On a date…"])
def test_it_takes_the_date_only_with_on_a_date(log_in, owner, live_server, screenshot, choice):
    page = create_page(log_in(owner), live_server)
    date_field = page.get_by_label("Expiry date")
    expect(date_field).to_be_hidden()  # one control: the date appears with its choice
    page.get_by_label("Expiry", exact=True).select_option("On a date…")
    expect(date_field).to_be_visible()
    day = (timezone.now() + timedelta(days=10)).astimezone(UTC).date()
    date_field.fill(day.isoformat())
    expect(page.locator("[data-expiry-moment]")).to_contain_text(f"{day:%-d %b %Y}, 00:00 UTC")
    if choice == "On a date…":
        screenshot("api-keys-create-expiry-date")
    page.get_by_label("Expiry", exact=True).select_option(choice)
    page.get_by_role("button", name="Create key").click()

    said = reveal_expires(page)
    if choice == "On a date…":
        screenshot("api-keys-reveal-restated")
    key = PrivateKey.objects.get()
    if choice == "On a date…":
        assert key.expires_at == datetime(day.year, day.month, day.day, tzinfo=UTC)
        assert f"{day:%-d %b %Y}, 00:00 UTC" in said and "your time" in said
    elif choice == "In 30 days":
        assert "(in 30\xa0days)" in said or "(in 30 days)" in said
        assert key.expires_at > timezone.now() + timedelta(days=29)
    else:
        assert said == "Never" and key.expires_at is None


def test_it_moves_the_focus_to_the_error_summary_and_from_there_to_the_field(
    log_in, owner, live_server, screenshot
):
    page = log_in(owner)
    page.goto(f"{live_server.url}/settings/api-keys/new/")
    page.get_by_label("IP allowlist").fill("not-an-address")
    page.get_by_role("button", name="Create key").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There are 2 problems")
    screenshot("api-keys-error-summary")
    summary.get_by_role("link", name=re.compile("^IP allowlist")).click()
    expect(page.get_by_label("IP allowlist")).to_be_focused()


def test_it_shows_an_empty_create_form_on_back_after_a_reveal(log_in, owner, live_server):
    page = create_page(log_in(owner), live_server)
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    page.on("dialog", lambda dialog: dialog.accept())  # leaving before copying asks first
    page.go_back()
    expect(page.get_by_label("Name")).to_have_value("")


def test_it_renames_a_key_and_tells_it_apart_in_the_list(log_in, owner, account, live_server, screenshot):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    key.clone(by=owner, name="Zapier (copy)")
    page = log_in(owner)
    page.goto(f"{live_server.url}{key.get_absolute_url()}")
    page.get_by_role("link", name="Rename").click()
    page.get_by_label("Name").fill("Zapier EU")
    screenshot("api-keys-rename")
    page.get_by_role("button", name="Rename key").click()
    expect(page.get_by_role("status")).to_contain_text(f"Renamed “Zapier” (pk_…{key.hint}) to “Zapier EU”.")
    expect(page.get_by_role("heading", name="Zapier EU")).to_be_visible()
    page.goto(f"{live_server.url}/settings/api-keys/")
    expect(page.get_by_text(f"clone of …{key.hint}")).to_be_visible()
    screenshot("api-keys-list-lineage")
    page.goto(f"{live_server.url}{key.get_absolute_url()}clone/")
    expect(page.get_by_label("Name")).to_have_value("Zapier EU (copy)")
    screenshot("api-keys-clone-form")


def test_it_searches_and_filters_the_keys(log_in, owner, account, live_server, screenshot):
    PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    PrivateKey.objects.issue(
        account, "Warehouse", scopes.FULL_ACCESS, owner, expires_at=timezone.now() + timedelta(days=2)
    )
    page = log_in(owner)
    page.goto(f"{live_server.url}/settings/api-keys/")
    page.get_by_label("Search keys").fill("zap")
    page.get_by_role("button", name="Search").click()
    active = page.locator(".card", has=page.get_by_role("heading", name="Private keys"))
    expect(active.get_by_role("link", name="Zapier")).to_be_visible()
    expect(active.get_by_role("link", name="Warehouse")).to_have_count(0)
    assert "q=zap" in page.url
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Status").select_option("Expiring within 7 days")
    page.get_by_role("button", name="Search").click()
    expect(active.get_by_role("link", name="Warehouse")).to_be_visible()
    expect(active.get_by_role("link", name="Zapier")).to_have_count(0)
    screenshot("api-keys-search")


def test_it_keeps_a_whole_secret_out_of_the_url(log_in, owner, account, live_server):
    _, secret = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    page = log_in(owner)
    page.goto(f"{live_server.url}/settings/api-keys/")
    page.get_by_label("Search keys").fill(secret)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("That is a whole secret, so it was not searched for")).to_be_visible()
    assert secret not in page.url and "q=" not in page.url


def test_it_keeps_the_banner_off_the_reveal_page_and_lets_it_be_dismissed(
    log_in, owner, account, live_server, screenshot
):
    PrivateKey.objects.issue(
        account, "Soon", scopes.READ_ONLY, owner, expires_at=timezone.now() + timedelta(days=3)
    )
    page = log_in(owner)
    banner = page.locator(".expiring-banner")
    expect(banner).to_contain_text("1 API key stops working within 7 days")
    create_page(page, live_server).get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name="Copy your new private key")).to_be_visible()
    expect(banner).to_have_count(0)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/settings/users/")
    screenshot("settings-expiring-banner")
    banner.get_by_role("button", name="Dismiss").click()
    expect(page).to_have_url(f"{live_server.url}/settings/users/")
    expect(banner).to_have_count(0)
    page.goto(f"{live_server.url}/settings/api-keys/")
    expect(banner).to_have_count(0)


def test_it_follows_a_link_to_a_key_of_another_account(log_in, owner, other_account, outsider, live_server):
    MembershipFactory(account=other_account, user=owner, role=Role.ADMIN)
    key, _ = PrivateKey.objects.issue(other_account, "Their sync", scopes.READ_ONLY, outsider)
    page = log_in(owner)
    page.goto(f"{live_server.url}{key.get_absolute_url()}")  # as from a notification email
    expect(page.get_by_role("heading", name="Their sync")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Switched to {other_account.name} to show this link.")
    expect(page.get_by_label("Account", exact=True)).to_have_value(other_account.public_key)


def test_it_filters_the_activity_and_downloads_it_as_csv(
    log_in, owner, admin, account, live_server, screenshot
):
    zapier, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    old, _ = PrivateKey.objects.issue(account, "Old sync", scopes.READ_ONLY, admin)
    old.deactivate(by=admin, reason="Replaced")
    old.remove(by=admin)
    zapier.rename("Zapier EU", by=owner)
    page = log_in(owner)
    page.goto(f"{live_server.url}/settings/api-keys/")
    page.get_by_role("link", name="All activity").click()
    rows = page.locator(".events-table tbody tr")
    expect(rows).to_have_count(5)
    page.get_by_label("Key").select_option(label=f"Old sync (…{old.hint})")
    page.get_by_label("Who").select_option(admin.email)
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(3)  # created, deactivated, deleted: a deleted key's history stays
    screenshot("api-keys-activity-page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    lines = list(csv.reader(io.StringIO(text)))
    assert [line[4] for line in lines[1:]] == ["Deleted", "Deactivated", "Created"]


def test_it_hides_the_switch_button_when_the_select_submits_by_itself(
    log_in, owner, other_account, live_server
):
    MembershipFactory(account=other_account, user=owner, role=Role.ADMIN)
    page = log_in(owner)
    expect(page.get_by_role("button", name="Switch")).to_be_hidden()
    page.get_by_label("Account", exact=True).select_option(label=other_account.name)
    expect(page.get_by_role("status")).to_contain_text(f"Switched to {other_account.name}.")


def test_it_focuses_the_new_secret_on_the_reveal_page(log_in, owner, live_server):
    page = create_page(log_in(owner), live_server)
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#secret")).to_be_focused()
    expect(page.locator("#curl-example")).to_contain_text("/api/key/")
