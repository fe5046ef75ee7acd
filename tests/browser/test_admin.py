"""Support staff in a real browser: find a key in the admin by what its owner reads out or by a leaked
secret, and deactivate it."""

from __future__ import annotations

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, totp_now


@pytest.fixture
def support(transactional_db):
    """A staff member in the Support group. live_server flushes the database between tests, the group with
    it, so the data migration's own function creates it again."""
    migration = importlib.import_module("apikeys.migrations.0002_support_group")
    migration.create_support_group(apps, SimpleNamespace(connection=connection))
    user = UserFactory(email="support@keyward.test", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    TOTPDeviceFactory(user=user)  # staff need two-factor log-in for the admin
    return user


@pytest.fixture
def superuser(transactional_db):
    user = UserFactory(email="root@keyward.test", is_staff=True, is_superuser=True)
    TOTPDeviceFactory(user=user)
    return user


def open_the_key_list(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/apikeys/privatekey/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_now(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/admin/apikeys/privatekey/")


def test_it_lets_support_staff_deactivate_a_key(page, live_server, support, account, owner, screenshot):
    key, secret = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    PrivateKey.objects.issue(account, "Warehouse sync", scopes.READ_ONLY, owner)

    open_the_key_list(page, live_server, support)
    # What the customer reads from their tab: pk_…abcd.
    page.get_by_role("textbox", name="Search").fill(key.masked)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/admin/apikeys/privatekey/?q=*")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    results.get_by_role("link", name="Zapier").click()

    page.get_by_role("link", name="Deactivate key…").click()
    expect(page.get_by_role("heading", name="Deactivate 1 key")).to_be_visible()
    assert secret not in page.content()
    page.get_by_label("Reason").fill("Customer reported the key leaked (ticket 4711)")
    screenshot("admin-deactivate")
    page.get_by_role("button", name="Deactivate 1 key").click()

    expect(page.locator(".messagelist")).to_contain_text("Deactivated 1 key: Zapier")
    key.refresh_from_db()
    assert not key.is_active
    assert key.deactivated_by == support
    assert key.deactivation_reason == "Customer reported the key leaked (ticket 4711)"
    expect(page.get_by_role("link", name="Deactivate key…")).to_have_count(0)


def test_it_finds_the_key_of_a_leaked_secret_without_putting_it_in_a_url(
    page, live_server, support, account, owner, screenshot
):
    key, secret = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    PrivateKey.objects.issue(account, "Warehouse sync", scopes.READ_ONLY, owner)
    open_the_key_list(page, live_server, support)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    # Pasted into the search box, the secret is stopped before the search leaves the page.
    page.get_by_role("textbox", name="Search").fill(secret)
    page.get_by_role("button", name="Search").click()
    note = page.locator("#secret-search-note")
    expect(note).to_contain_text("That is a whole secret, so it was not searched for")
    expect(page.get_by_role("textbox", name="Search")).to_have_value("")
    assert page.url == f"{live_server.url}/admin/apikeys/privatekey/"
    note.get_by_role("link", name="Find by secret").click()
    page.wait_for_url(f"{live_server.url}/admin/apikeys/privatekey/find/")

    page.get_by_label("Secret").fill(secret[:-1])  # one character lost in the copy
    page.get_by_role("button", name="Find the key").click()
    expect(page.locator(".errorlist")).to_contain_text("This is not a whole Keyward secret")
    assert secret[:-1] not in page.content()

    page.get_by_label("Secret").fill(secret)
    screenshot("admin-find-by-secret")
    page.get_by_role("button", name="Find the key").click()
    page.wait_for_url(f"{live_server.url}/admin/apikeys/privatekey/{key.pk}/change/")
    expect(page.locator(".messagelist")).to_contain_text("This is the key with that secret: Zapier")
    assert secret not in page.content()
    assert not [url for url in requested if secret[:-1] in url]
    expect(page.get_by_role("link", name="Deactivate key…")).to_be_visible()


@pytest.mark.parametrize("persona", ["support", "superuser"])
def test_it_fits_the_key_list_in_1280_pixels(page, live_server, request, persona, screenshot):
    call_command("demo", password="demo-password-for-tests", stdout=StringIO())  # a lived-in list
    open_the_key_list(page, live_server, request.getfixturevalue(persona))
    expect(page.locator("#result_list tbody tr")).to_have_count(PrivateKey.objects.count())
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        width, visible = page.evaluate(
            "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
        assert width <= visible, f"the page scrolls sideways in {scheme}: {width} > {visible}"
        width, visible = page.locator("#changelist-form .results").evaluate(
            "e => [e.scrollWidth, e.clientWidth]"
        )
        assert width <= visible, f"the table scrolls sideways in {scheme}: {width} > {visible}"
    screenshot(f"admin-key-list-{persona}")
