"""/settings/users/<public_id>/transfer/: the owner hands the account to an admin and becomes an admin."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import AccountEvent, Membership
from accounts.roles import NotAllowed, Role


def membership(user, account) -> Membership:
    return user.memberships.get(account=account)


def url(member: Membership) -> str:
    return f"/settings/users/{member.public_id}/transfer/"


def roles_of(account) -> dict:
    return dict(account.memberships.values_list("user__email", "role"))


def test_it_asks_for_confirmation_on_get(client, account, owner, admin):
    client.force_login(owner)
    page = client.get(url(membership(admin, account))).content.decode()
    assert "Transfer ownership to admin@acme.test?" in page
    assert "you become an admin" in page
    assert "Transfer ownership</button>" in page
    assert membership(owner, account).role == Role.OWNER


def test_it_transfers_ownership_to_an_admin(client, account, owner, admin):
    client.force_login(owner)
    response = client.post(url(membership(admin, account)), REMOTE_ADDR="192.0.2.1", follow=True)
    assert "admin@acme.test now owns Acme. You are an admin." in response.content.decode()
    assert roles_of(account) == {"owner@acme.test": Role.ADMIN, "admin@acme.test": Role.OWNER}
    event = AccountEvent.objects.get(account=account)
    assert event.action == AccountEvent.Action.OWNERSHIP_TRANSFERRED
    assert (event.actor, event.target_user, event.ip_address) == (owner, admin, "192.0.2.1")
    assert (event.old_role, event.new_role) == ("admin", "owner")


def test_it_lets_the_old_owner_leave_once_they_are_an_admin(client, account, owner, admin):
    client.force_login(owner)
    client.post(url(membership(admin, account)))
    response = client.post("/settings/users/leave/", follow=True)
    assert "You left Acme." in response.content.decode()
    assert roles_of(account) == {"admin@acme.test": Role.OWNER}


def test_it_lets_the_new_owner_transfer_ownership_back(client, account, owner, admin):
    client.force_login(owner)
    client.post(url(membership(admin, account)))
    client.force_login(admin)
    client.post(url(membership(owner, account)))
    assert roles_of(account) == {"owner@acme.test": Role.OWNER, "admin@acme.test": Role.ADMIN}


def refused(client, actor, target, message):
    account = target.account
    before = roles_of(account)
    client.force_login(actor)
    page = client.get(url(target)).content.decode()
    assert message in page
    assert "Transfer ownership</button>" not in page
    response = client.post(url(target), follow=True)
    assert f"Ownership was not transferred: {message}" in response.content.decode()
    assert roles_of(account) == before
    assert not AccountEvent.objects.exists()


def test_it_refuses_an_admin(client, account, owner, admin, member_of):
    refused(
        client, admin, membership(member_of(Role.ADMIN), account), "Only the owner can transfer ownership."
    )


def test_it_refuses_a_member_who_is_not_an_admin(client, account, owner, manager):
    refused(
        client,
        owner,
        membership(manager, account),
        "Ownership can only go to an admin: make them an admin first.",
    )


def test_it_refuses_transferring_to_yourself(client, account, owner):
    refused(client, owner, membership(owner, account), "You already own this account.")


def test_it_keeps_one_owner_at_every_step(account, owner, admin):
    old, new = membership(owner, account), membership(admin, account)
    new.make_owner(by=old)
    assert (old.role, new.role) == (Role.ADMIN, Role.OWNER)  # the instances the caller holds follow
    assert list(account.memberships.filter(role=Role.OWNER).values_list("user", flat=True)) == [admin.pk]
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=old.pk).update(role=Role.OWNER)  # the constraint still stands


def test_it_decides_on_fresh_roles_not_on_the_callers_copy(account, owner, admin):
    stale_owner = membership(owner, account)
    Membership.objects.filter(pk=membership(admin, account).pk).update(role=Role.MANAGER)
    with pytest.raises(NotAllowed, match="only go to an admin"):
        membership(admin, account).make_owner(by=stale_owner)
    stale_admin = membership(admin, account)
    stale_admin.role = Role.ADMIN  # a copy read before the demotion
    with pytest.raises(NotAllowed, match="only go to an admin"):
        stale_admin.make_owner(by=stale_owner)
    assert roles_of(account)["owner@acme.test"] == Role.OWNER
