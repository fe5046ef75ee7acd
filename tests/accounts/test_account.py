import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from tests.factories import MembershipFactory

# What each role may open: every member has Account and Users; API keys only the owner and admins; Security
# (the user's own two-factor log-in) everyone.
TABS = {
    Role.OWNER: ["Account", "Users", "API keys", "Security"],
    Role.ADMIN: ["Account", "Users", "API keys", "Security"],
    Role.MANAGER: ["Account", "Users", "Security"],
    Role.ANALYST: ["Account", "Users", "Security"],
    Role.CAMPAIGN_COORDINATOR: ["Account", "Users", "Security"],
    Role.CONTENT_CREATOR: ["Account", "Users", "Security"],
    Role.SUPPORT: ["Account", "Users", "Security"],
}


def tab_names(response) -> list[str]:
    """Return the labels of the settings tabs on the page."""
    nav = re.search(r'<nav class="tabs".*?</nav>', response.content.decode(), re.S)
    assert nav, "the page has no settings tabs"
    return [label.strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(0), re.S)]


def test_it_covers_every_role():
    assert set(TABS) == set(Role)


def test_it_shows_the_account_name_and_public_key(client, owner, account):
    client.force_login(owner)
    response = client.get("/settings/")
    assert response.status_code == 200
    assert (
        f'<code id="public-key" class="copy-value">{account.public_key}</code>' in response.content.decode()
    )
    assert 'data-copy-target="#public-key"' in response.content.decode()
    assert "<dd>Acme</dd>" in response.content.decode()


def test_it_marks_the_account_tab_as_current(client, owner):
    client.force_login(owner)
    response = client.get("/settings/")
    assert '<a href="/settings/" aria-current="page">Account</a>' in response.content.decode()


@pytest.mark.parametrize("role", list(TABS))
def test_it_shows_each_role_exactly_its_tabs(client, member_of, role):
    client.force_login(member_of(role))
    response = client.get("/settings/")
    assert response.status_code == 200
    assert tab_names(response) == TABS[role]


def test_it_shows_the_account_of_the_member_not_another(client, outsider, account, other_account):
    client.force_login(outsider)
    response = client.get("/settings/")
    assert other_account.public_key in response.content.decode()
    assert account.public_key not in response.content.decode()


def test_it_says_the_role_of_the_member(client, account, owner):
    user = MembershipFactory(account=account, role=Role.CAMPAIGN_COORDINATOR).user
    client.force_login(user)
    response = client.get("/settings/")
    assert "Acme · you are campaign coordinator" in response.content.decode()


@pytest.mark.parametrize(("persona", "expected"), [("owner", 3), ("manager", 2)])
def test_it_runs_a_fixed_number_of_queries(client, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/settings/")
    assert response.status_code == 200
    # Saving the session (its expiry slides on every request) is not this page's doing.
    page_queries = [
        q["sql"] for q in captured if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    # The user, then the memberships with their accounts: the tabs and the header reuse them. Owners and
    # admins also get the keys that expire soon (apikeys.context_processors), other roles no query for it.
    assert len(page_queries) == expected, page_queries
