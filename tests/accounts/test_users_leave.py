"""/settings/users/leave/: GET confirms, POST takes the user out of the current account (never the owner)."""

import pytest

from accounts.decorators import SESSION_ACCOUNT_KEY
from accounts.models import AccountEvent, Membership
from accounts.roles import Role

URL = "/settings/users/leave/"


def test_it_rejects_other_methods(client, manager):
    client.force_login(manager)
    assert client.put(URL).status_code == 405


def test_it_asks_for_confirmation_on_get(client, account, manager):
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert "Leave Acme?" in page
    assert "Leave account</button>" in page
    assert account.memberships.filter(user=manager).exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.ANALYST, Role.SUPPORT])
def test_it_lets_a_member_leave(client, account, member_of, role):
    user = member_of(role)
    client.force_login(user)
    response = client.post(URL, REMOTE_ADDR="192.0.2.8", follow=True)
    assert "You left Acme." in response.content.decode()
    assert "You are not a member of any account yet" in response.content.decode()
    assert not account.memberships.filter(user=user).exists()
    event = AccountEvent.objects.get(account=account)
    assert (event.action, event.actor, event.target_user) == ("member_left", user, user)
    assert (event.old_role, event.ip_address) == (role, "192.0.2.8")


def test_it_refuses_the_owner(client, account, owner):
    client.force_login(owner)
    page = client.get(URL).content.decode().replace("&#x27;", "'")
    assert "The owner can't leave the account: transfer ownership to an admin first." in page
    assert "Leave account</button>" not in page
    response = client.post(URL, follow=True)
    assert "The owner can't leave the account" in response.content.decode().replace("&#x27;", "'")
    assert account.memberships.get(user=owner).role == Role.OWNER
    assert not AccountEvent.objects.exists()


def test_it_leaves_only_the_current_account(client, account, manager, other_account, outsider):
    Membership.objects.create(account=other_account, user=manager, role=Role.ADMIN)
    client.force_login(manager)
    session = client.session
    session[SESSION_ACCOUNT_KEY] = account.public_key
    session.save()
    response = client.post(URL, follow=True)
    assert SESSION_ACCOUNT_KEY not in client.session
    assert list(manager.memberships.values_list("account__name", flat=True)) == ["Other Co"]
    assert "Other Co" in response.content.decode()
