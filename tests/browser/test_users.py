"""The Users tab in a real browser: the members, an invitation refused then sent, and removing a member, by
mouse and by keyboard alone."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Invitation, Membership
from accounts.roles import Role
from apikeys import scopes
from apikeys.models import PrivateKey
from tests.browser.helpers import assert_focus_visible, tab_to


def member_row(page, email: str):
    members = page.locator("table.members")
    return members.get_by_role("row").filter(has_text=email)


def test_it_lists_invites_and_removes_members(
    log_in, owner, admin, manager, account, live_server, screenshot
):
    page = log_in(owner)
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.locator("table.members tbody tr")).to_have_count(3)
    expect(member_row(page, "owner@acme.test")).to_contain_text("You")
    screenshot("users-list")

    # The browser lets "nina@intranet" through (no dot needed); the server refuses it and says why.
    email = page.get_by_label("Email")
    email.fill("nina@intranet")
    page.get_by_label("Role", exact=True).select_option(label="Analyst")
    page.get_by_role("button", name="Invite").click()
    expect(email).to_have_value("nina@intranet")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Enter a valid email address"))
    assert Invitation.objects.count() == 0
    screenshot("users-invite-error")

    email.fill("nina@new.test")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_contain_text("nina@new.test")
    pending = page.locator("table.invitations")
    expect(pending.get_by_role("row").filter(has_text="nina@new.test")).to_contain_text("Analyst")
    screenshot("users-invited")

    member_row(page, "manager@acme.test").get_by_role("link", name="Remove").click()
    expect(page.get_by_role("heading", name="Remove manager@acme.test?")).to_be_visible()
    screenshot("users-remove")
    page.get_by_role("button", name="Remove member").click()
    expect(page.get_by_role("status")).to_contain_text("manager@acme.test was removed from Acme.")
    expect(page.locator("table.members tbody tr")).to_have_count(2)
    assert not Membership.objects.filter(user=manager).exists()
    screenshot("users-removed")


def test_it_removes_a_member_with_the_keyboard_alone(log_in, owner, manager, account, live_server):
    page = log_in(owner)
    page.goto(f"{live_server.url}/settings/users/")
    remove = member_row(page, "manager@acme.test").get_by_role("link", name="Remove")
    tab_to(page, remove)
    assert_focus_visible(remove)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Remove manager@acme.test?")).to_be_visible()
    confirm = page.get_by_role("button", name="Remove member")
    tab_to(page, confirm)
    assert_focus_visible(confirm)
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("manager@acme.test was removed from Acme.")
    expect(member_row(page, "manager@acme.test")).to_have_count(0)
    assert list(Membership.objects.filter(account=account).values_list("user__email", flat=True)) == [
        "owner@acme.test"
    ]


def test_it_welcomes_a_new_admin_without_the_expiring_keys_banner(
    page, owner, account, live_server, screenshot
):
    PrivateKey.objects.issue(
        account, "Soon", scopes.READ_ONLY, owner, expires_at=timezone.now() + timedelta(days=3)
    )
    _, token = Invitation.objects.issue(account, "nina@new.test", Role.ADMIN, by=owner.memberships.get())
    page.goto(f"{live_server.url}/invitations/{token}/")
    page.get_by_label("Name").fill("Nina New")
    page.get_by_label("Password", exact=True).fill("plum-kettle-orbit-42")
    page.get_by_label("Password again").fill("plum-kettle-orbit-42")
    page.get_by_role("button", name="Set password and join").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to Acme: you joined as Admin.")
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    banner = page.locator(".expiring-banner")
    expect(banner).to_have_count(0)
    screenshot("welcome")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Users").click()
    expect(banner).to_contain_text("1 API key stops working within 7 days")
