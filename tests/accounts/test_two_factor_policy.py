"""The owner requires two-factor log-in of whoever may manage keys or users; they see only the set-up."""

from __future__ import annotations

import pytest

from accounts.models import AccountEvent
from accounts.roles import Role
from tests.factories import login_with_two_factor

URL = "/settings/two-factor-policy/"


@pytest.fixture
def required(account):
    account.is_two_factor_required = True
    account.save()
    return account


def test_it_lets_the_owner_with_two_factor_require_it(client, owner, account):
    login_with_two_factor(client, owner)
    response = client.post(URL, {"required": "on"})
    assert response.status_code == 302 and response["Location"] == "/settings/"
    account.refresh_from_db()
    assert account.is_two_factor_required
    event = account.events.get()
    assert event.action == AccountEvent.Action.TWO_FACTOR_REQUIRED and event.actor == owner
    assert "owner@acme.test required two-factor log-in" in client.get("/settings/users/").text


def test_it_refuses_an_owner_it_would_lock_out(client, owner, account):
    client.force_login(owner)
    response = client.post(URL, {"required": "on"}, follow=True)
    assert "Set up two-factor log-in for yourself first" in response.text
    account.refresh_from_db()
    assert not account.is_two_factor_required and not account.events.exists()


def test_it_lets_the_owner_stop_requiring_it(client, owner, required):
    login_with_two_factor(client, owner)
    client.post(URL, {})
    required.refresh_from_db()
    assert not required.is_two_factor_required
    assert required.events.get().action == AccountEvent.Action.TWO_FACTOR_OPTIONAL


def test_it_refuses_an_admin(client, admin, account):
    login_with_two_factor(client, admin)
    assert client.post(URL, {"required": "on"}).status_code == 403
    account.refresh_from_db()
    assert not account.is_two_factor_required


def test_it_shows_the_owner_the_switch_and_others_the_state(client, owner, admin):
    client.force_login(owner)
    assert "Require two-factor log-in</button>" in client.get("/settings/").text
    client.force_login(admin)
    html = client.get("/settings/").text
    assert "Not required" in html and "Require two-factor log-in</button>" not in html


@pytest.mark.parametrize("url", ["/settings/", "/settings/users/", "/settings/api-keys/"])
def test_it_shows_an_admin_without_two_factor_only_the_set_up(client, admin, required, url):
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 403
    assert "Acme requires two-factor log-in" in response.text
    assert 'href="/security/two-factor/"' in response.text


def test_it_lets_the_admin_in_once_logged_in_with_a_code(client, admin, required):
    login_with_two_factor(client, admin)
    assert client.get("/settings/api-keys/").status_code == 200


def test_it_asks_an_enrolled_admin_in_a_session_without_a_code_to_log_in_again(client, admin, required):
    login_with_two_factor(type(client)(), admin)  # enrolled, in another session
    client.force_login(admin)
    response = client.get("/settings/")
    assert response.status_code == 403 and "Log out, then log in again with your code" in response.text


def test_it_does_not_apply_to_members_who_manage_nothing(client, member_of, required):
    client.force_login(member_of(Role.MANAGER))
    assert client.get("/settings/").status_code == 200


def test_it_lets_the_set_up_page_open_for_members_it_applies_to(client, admin, required):
    client.force_login(admin)
    assert client.get("/security/two-factor/").status_code == 200
