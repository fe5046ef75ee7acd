"""The account chosen last is current again at the next log-in."""

from __future__ import annotations

from accounts.roles import Role
from tests.factories import MembershipFactory


def test_it_remembers_the_account_chosen_in_the_switcher(client, owner, account, other_account):
    MembershipFactory(account=other_account, user=owner, role=Role.ADMIN)
    client.force_login(owner)
    client.post("/settings/switch/", {"account": other_account.public_key})
    owner.refresh_from_db()
    assert owner.last_account == other_account
    client.logout()
    client.force_login(owner)
    assert client.get("/settings/").context["current_membership"].account == other_account


def test_it_falls_back_to_the_first_account_once_the_remembered_one_is_left(
    client, owner, account, other_account
):
    membership = MembershipFactory(account=other_account, user=owner, role=Role.ADMIN)
    owner.last_account = other_account
    owner.save()
    membership.delete()
    client.force_login(owner)
    assert client.get("/settings/").context["current_membership"].account == account
