"""POST /settings/users/<public_id>/role/: change another member's role within the rules."""

import pytest

from accounts.models import AccountEvent, Membership
from accounts.roles import Role


def membership(user, account) -> Membership:
    return user.memberships.get(account=account)


def url(member: Membership) -> str:
    return f"/settings/users/{member.public_id}/role/"


def roles_of(account) -> dict:
    return dict(account.memberships.values_list("user__email", "role"))


@pytest.mark.parametrize("actor", ["owner", "admin"])
@pytest.mark.parametrize("new_role", [Role.ADMIN, Role.ANALYST, Role.SUPPORT])
def test_it_changes_a_members_role(client, account, manager, actor, new_role, request):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(url(membership(manager, account)), {"role": new_role}, follow=True)
    assert f"manager@acme.test is now {new_role.label}." in response.content.decode()
    assert membership(manager, account).role == new_role


def test_it_records_who_changed_what_from_where(client, account, owner, manager):
    client.force_login(owner)
    client.post(url(membership(manager, account)), {"role": "admin"}, REMOTE_ADDR="2001:db8::5")
    event = AccountEvent.objects.get(account=account)
    assert event.action == AccountEvent.Action.ROLE_CHANGED
    assert (event.actor, event.target_user) == (owner, manager)
    assert (event.old_role, event.new_role) == ("manager", "admin")
    assert event.ip_address == "2001:db8::5"
    assert event.created_at is not None


def test_it_lets_an_admin_demote_another_admin(client, account, admin, member_of):
    other_admin = membership(member_of(Role.ADMIN), account)
    client.force_login(admin)
    client.post(url(other_admin), {"role": "analyst"})
    other_admin.refresh_from_db()
    assert other_admin.role == Role.ANALYST


def refused(client, actor, target: Membership, role: str, message: str):
    account = target.account
    before = roles_of(account)
    client.force_login(actor)
    response = client.post(url(target), {"role": role}, follow=True)
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "was not changed: " + message in page
    assert roles_of(account) == before
    assert not AccountEvent.objects.filter(account=account).exists()


def test_it_refuses_an_admin_changing_the_owner(client, account, owner, admin):
    refused(client, admin, membership(owner, account), "analyst", "Admins can't change or remove the owner.")


def test_it_refuses_an_admin_making_someone_owner(client, account, admin, manager):
    refused(
        client,
        admin,
        membership(manager, account),
        "owner",
        "Only the owner can make someone owner, by transferring",
    )


def test_it_refuses_the_owner_making_a_second_owner(client, account, owner, admin):
    refused(
        client,
        owner,
        membership(admin, account),
        "owner",
        "To make someone owner, transfer ownership to them",
    )
    assert account.memberships.filter(role=Role.OWNER).count() == 1


@pytest.mark.parametrize("actor", ["owner", "admin"])
def test_it_refuses_changing_your_own_role(client, account, actor, request):
    user = request.getfixturevalue(actor)
    refused(client, user, membership(user, account), "analyst", "You can't change your own role.")


def test_it_refuses_an_unknown_role(client, account, owner, manager):
    refused(client, owner, membership(manager, account), "superuser", "Choose one of the listed roles.")


def test_it_refuses_a_missing_role(client, account, owner, manager):
    refused(client, owner, membership(manager, account), "", "This field is required.")


def test_it_refuses_a_role_the_member_already_has(client, account, owner, manager):
    refused(client, owner, membership(manager, account), "manager", "They already have that role.")


def test_it_takes_the_api_keys_tab_from_a_demoted_admin_on_their_next_request(client, account, owner, admin):
    client.force_login(admin)
    assert client.get("/settings/api-keys/").status_code == 200
    membership(admin, account).change_role(Role.MANAGER, by=membership(owner, account))
    response = client.get("/settings/api-keys/")  # same session, no new login
    assert response.status_code == 403
    assert 'href="/settings/api-keys/"' not in client.get("/settings/").content.decode()


def test_it_refuses_a_demoted_admin_managing_users_on_their_next_request(
    client, account, owner, admin, manager
):
    client.force_login(admin)
    membership(admin, account).change_role(Role.ANALYST, by=membership(owner, account))
    response = client.post(url(membership(manager, account)), {"role": "admin"})
    assert response.status_code == 403
    assert membership(manager, account).role == Role.MANAGER
