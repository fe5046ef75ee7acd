"""/settings/users/<public_id>/remove/: GET confirms, POST removes another member within the rules."""

import pytest

from accounts.models import AccountEvent, Membership
from accounts.roles import Role


def membership(user, account) -> Membership:
    return user.memberships.get(account=account)


def url(member: Membership) -> str:
    return f"/settings/users/{member.public_id}/remove/"


def test_it_rejects_other_methods(client, account, owner, manager):
    client.force_login(owner)
    assert client.put(url(membership(manager, account))).status_code == 405


def test_it_asks_for_confirmation_on_get(client, account, owner, manager):
    client.force_login(owner)
    response = client.get(url(membership(manager, account)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Remove manager@acme.test?" in page
    assert '<form method="post"' in page
    assert "Remove member</button>" in page
    assert account.memberships.filter(user=manager).exists()


@pytest.mark.parametrize("actor", ["owner", "admin"])
def test_it_removes_a_member(client, account, manager, actor, request):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(url(membership(manager, account)), REMOTE_ADDR="192.0.2.44", follow=True)
    assert "manager@acme.test was removed from Acme." in response.content.decode()
    assert not account.memberships.filter(user=manager).exists()
    manager.refresh_from_db()  # the login itself stays
    event = AccountEvent.objects.get(account=account)
    assert (event.action, event.target_user, event.old_role) == ("member_removed", manager, "manager")
    assert event.actor == request.getfixturevalue(actor)
    assert event.ip_address == "192.0.2.44"


def test_it_lets_an_admin_remove_another_admin(client, account, admin, member_of):
    other_admin = member_of(Role.ADMIN)
    client.force_login(admin)
    client.post(url(membership(other_admin, account)))
    assert not account.memberships.filter(user=other_admin).exists()


def test_it_refuses_an_admin_removing_the_owner(client, account, owner, admin):
    client.force_login(admin)
    target = membership(owner, account)
    page = client.get(url(target)).content.decode().replace("&#x27;", "'")
    assert "Admins can't change or remove the owner." in page
    assert "Remove member</button>" not in page
    response = client.post(url(target), follow=True)
    assert (
        "owner@acme.test was not removed: Admins can't change or remove the owner."
        in response.content.decode().replace("&#x27;", "'")
    )
    assert membership(owner, account).role == Role.OWNER
    assert not AccountEvent.objects.exists()


@pytest.mark.parametrize("actor", ["owner", "admin"])
def test_it_refuses_removing_yourself(client, account, actor, request):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    response = client.post(url(membership(user, account)), follow=True)
    assert "You can't remove yourself: leave the account instead." in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert account.memberships.filter(user=user).exists()


def test_it_takes_the_api_keys_tab_from_a_removed_admin_on_their_next_request(client, account, owner, admin):
    client.force_login(admin)
    assert client.get("/settings/api-keys/").status_code == 200
    membership(admin, account).remove(by=membership(owner, account))
    response = client.get("/settings/api-keys/")
    assert f"removed you from {account.name}" in response.content.decode()
    assert 'href="/settings/api-keys/"' not in response.content.decode()


def test_it_moves_a_removed_member_to_their_other_account(
    client, account, owner, admin, other_account, outsider
):
    Membership.objects.create(account=other_account, user=admin, role=Role.ANALYST)
    client.force_login(admin)
    client.get("/settings/")
    membership(admin, account).remove(by=membership(owner, account))
    response = client.get("/settings/api-keys/")
    assert response.status_code == 403  # an analyst of Other Co, no longer an admin of Acme
    assert "Other Co" in response.content.decode()


def test_it_tells_a_removed_member_they_were_removed(client, owner, account, manager):
    membership(manager, account).remove(by=membership(owner, account))
    client.force_login(manager)
    html = client.get("/settings/").content.decode()
    assert f"owner@acme.test removed you from {account.name}" in html
    assert "no account has added you" not in html
