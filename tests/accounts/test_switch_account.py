import re

import pytest

from accounts.decorators import SESSION_ACCOUNT_KEY
from tests.factories import MembershipFactory


@pytest.fixture
def two_account_user(owner, other_account):
    """Owns Acme and is an analyst of Other Co: switching changes both the account and the role."""
    MembershipFactory(account=other_account, user=owner, analyst=True)
    return owner


def selected_account(response) -> str:
    """Return the name of the account selected in the header's switcher."""
    match = re.search(r"<option value=\"\w+\" selected>(.*?)</option>", response.content.decode())
    assert match, "the header has no selected account"
    return match.group(1)


def test_it_rejects_get(client, two_account_user, other_account):
    client.force_login(two_account_user)
    response = client.get("/settings/switch/", {"account": other_account.public_key})
    assert response.status_code == 405
    assert SESSION_ACCOUNT_KEY not in client.session


def test_it_switches_to_another_account_of_the_user(client, two_account_user, other_account):
    client.force_login(two_account_user)
    response = client.post("/settings/switch/", {"account": other_account.public_key})
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert client.session[SESSION_ACCOUNT_KEY] == other_account.public_key


def test_it_shows_the_new_account_after_switching(client, two_account_user, other_account):
    client.force_login(two_account_user)
    assert selected_account(client.get("/settings/")) == "Acme"
    response = client.post("/settings/switch/", {"account": other_account.public_key}, follow=True)
    assert selected_account(response) == "Other Co"
    html = response.content.decode()
    assert "Switched to Other Co." in html
    assert "Other Co · you are analyst" in html
    assert f'<code id="public-key" class="copy-value">{other_account.public_key}</code>' in html


def test_it_changes_which_tabs_are_open(client, two_account_user, account, other_account):
    client.force_login(two_account_user)
    assert client.get("/settings/api-keys/").status_code == 200

    client.post("/settings/switch/", {"account": other_account.public_key})
    assert "API keys</a>" not in client.get("/settings/").content.decode()
    assert client.get("/settings/api-keys/").status_code == 403

    client.post("/settings/switch/", {"account": account.public_key})
    assert "API keys</a>" in client.get("/settings/").content.decode()
    assert client.get("/settings/api-keys/").status_code == 200


def test_it_returns_404_for_an_account_of_someone_else(client, two_account_user, account):
    foreign = MembershipFactory(owner=True).account
    client.force_login(two_account_user)
    client.post("/settings/switch/", {"account": account.public_key})
    response = client.post("/settings/switch/", {"account": foreign.public_key})
    assert response.status_code == 404
    assert client.session[SESSION_ACCOUNT_KEY] == account.public_key
    assert foreign.public_key not in client.get("/settings/").content.decode()


@pytest.mark.parametrize("chosen", ["", "nope42", "x" * 500])
def test_it_returns_404_for_an_unknown_account(client, owner, chosen):
    client.force_login(owner)
    response = client.post("/settings/switch/", {"account": chosen})
    assert response.status_code == 404
    assert SESSION_ACCOUNT_KEY not in client.session


def test_it_follows_a_safe_next(client, two_account_user, other_account):
    client.force_login(two_account_user)
    response = client.post(
        "/settings/switch/", {"account": other_account.public_key, "next": "/settings/users/"}
    )
    assert response["Location"] == "/settings/users/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.test/", "//evil.test/settings/", "/\\evil.test", "javascript:alert(1)"]
)
def test_it_ignores_an_unsafe_next(client, two_account_user, other_account, next_url):
    client.force_login(two_account_user)
    response = client.post("/settings/switch/", {"account": other_account.public_key, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert client.session[SESSION_ACCOUNT_KEY] == other_account.public_key


def test_it_does_not_fail_on_a_next_that_looks_like_a_view_name(client, two_account_user, other_account):
    client.force_login(two_account_user)
    response = client.post("/settings/switch/", {"account": other_account.public_key, "next": "foo"})
    assert response.status_code == 302
    assert client.session[SESSION_ACCOUNT_KEY] == other_account.public_key
