"""Links to a key of another of the user's accounts (an email's link, a bookmark) switch to that account."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.decorators import SESSION_ACCOUNT_KEY
from accounts.roles import Role
from apikeys import scopes
from apikeys.adapter import KeysAdapter
from apikeys.models import PrivateKey
from tests.apikeys.helpers import state, url
from tests.factories import MembershipFactory


@pytest.fixture
def second_key(other_account, outsider):
    """A key of the other account."""
    return PrivateKey.objects.issue(other_account, "Their sync", scopes.READ_ONLY, outsider)[0]


@pytest.fixture
def both(owner_client, owner, other_account):
    """The owner of our account is also an admin of the other one; the session has ours selected."""
    MembershipFactory(account=other_account, user=owner, role=Role.ADMIN)
    owner_client.get("/settings/")
    return owner_client


@pytest.mark.parametrize("view", ["detail", "reveal", "clone", "roll", "rename", "deactivate"])
def test_it_switches_to_the_account_of_the_key_and_opens_the_same_url(both, second_key, other_account, view):
    path = url(view, second_key)
    response = both.get(path)
    assert response.status_code == 302 and response["Location"] == path
    assert both.session[SESSION_ACCOUNT_KEY] == other_account.public_key
    page = both.get(path)
    assert page.status_code == 200
    assert f"Switched to {other_account.name} to show this link." in page.content.decode()


@pytest.fixture
def read_only_here(client, account, owner, other_account):
    """A manager of our account (no keys tab), admin of the other one; the session has ours chosen."""
    user = MembershipFactory(account=account, role=Role.MANAGER).user
    MembershipFactory(account=other_account, user=user, role=Role.ADMIN)
    client.force_login(user)
    client.get("/settings/")
    return client


@pytest.mark.parametrize("view", ["detail", "reveal", "clone", "roll", "rename", "deactivate"])
def test_it_switches_from_an_account_where_the_role_cannot_manage_keys(
    read_only_here, second_key, other_account, view
):
    path = url(view, second_key)
    response = read_only_here.get(path)
    assert response.status_code == 302 and response["Location"] == path
    assert read_only_here.session[SESSION_ACCOUNT_KEY] == other_account.public_key
    assert read_only_here.get(path).status_code == 200


def test_it_answers_403_from_such_an_account_to_a_member_without_the_role_in_the_key_s_account(
    client, account, manager, other_account, second_key
):
    MembershipFactory(account=other_account, user=manager, role=Role.ANALYST)
    client.force_login(manager)
    assert client.get(url("detail", second_key)).status_code == 403
    assert client.session.get(SESSION_ACCOUNT_KEY, account.public_key) == account.public_key


def test_it_answers_403_from_such_an_account_to_a_non_member_of_the_key_s_account(
    client, manager, second_key
):
    client.force_login(manager)
    assert client.get(url("detail", second_key)).status_code == 403


def test_it_never_switches_on_a_post_from_such_an_account(read_only_here, second_key, account):
    before = state()
    assert read_only_here.post(url("deactivate", second_key), {"reason": "x"}).status_code == 403
    assert read_only_here.session.get(SESSION_ACCOUNT_KEY, account.public_key) == account.public_key
    assert state() == before


def test_it_keeps_the_query_string_of_the_link(both, second_key):
    response = both.get(url("detail", second_key) + "?from=email")
    assert response["Location"] == url("detail", second_key) + "?from=email"


def test_it_never_switches_on_a_post(both, second_key, account):
    before = state()
    assert both.post(url("deactivate", second_key), {"reason": "x"}).status_code == 404
    assert both.session.get(SESSION_ACCOUNT_KEY, account.public_key) == account.public_key
    assert state() == before


def test_it_answers_404_to_a_member_without_the_role_there(owner_client, owner, other_account, second_key):
    MembershipFactory(account=other_account, user=owner, role=Role.MANAGER)
    assert owner_client.get(url("detail", second_key)).status_code == 404


def test_it_answers_404_to_a_non_member(owner_client, second_key):
    assert owner_client.get(url("detail", second_key)).status_code == 404


def test_it_answers_404_for_a_key_that_does_not_exist(both):
    assert both.get("/settings/api-keys/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_it_remembers_the_account_chosen_for_the_next_log_in(both, owner, second_key, other_account, client):
    both.get(url("detail", second_key))
    owner.refresh_from_db()
    assert owner.last_account == other_account
    client.logout()
    client.force_login(owner)  # a new session
    assert client.get(url("detail", second_key)).status_code == 200


def test_it_leaves_links_404_with_the_default_adapter(rf, other_account):
    assert KeysAdapter().account_for_object(rf.get("/"), other_account) is False


def test_it_looks_for_no_other_account_when_the_key_is_in_the_current_one(both, key):
    with CaptureQueriesContext(connection) as queries:
        assert both.get(url("detail", key)).status_code == 200
    key_lookups = [q["sql"] for q in queries if "WHERE" in q["sql"] and '"public_id" = ' in q["sql"]]
    assert len(key_lookups) == 1  # the view's own, within the current account
