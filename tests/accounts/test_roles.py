"""The membership rules of accounts/roles.py, role by role (no database)."""

import pytest

from accounts import roles
from accounts.roles import NotAllowed, Role

MANAGING = [Role.OWNER, Role.ADMIN]
NOT_MANAGING = [r for r in Role if r not in MANAGING]
OTHERS = [r for r in Role if r != Role.OWNER]


@pytest.mark.parametrize("role", list(Role))
def test_it_lets_only_owners_and_admins_manage_users(role):
    assert roles.can_manage_users(role) == (role in MANAGING)


@pytest.mark.parametrize("role", list(Role))
def test_it_lets_only_the_owner_transfer_ownership(role):
    assert roles.can_transfer_ownership(role) == (role == Role.OWNER)


def test_it_never_assigns_owner():
    assert Role.OWNER not in roles.assignable_roles()
    assert set(roles.assignable_roles()) == set(OTHERS)


@pytest.mark.parametrize("actor", MANAGING)
@pytest.mark.parametrize("role", OTHERS)
def test_it_lets_owners_and_admins_invite_with_any_role_but_owner(actor, role):
    assert roles.refusal(roles.check_invite, actor, role) == ""


@pytest.mark.parametrize("actor", NOT_MANAGING)
def test_it_refuses_invitations_from_other_roles(actor):
    with pytest.raises(NotAllowed, match="Only the owner and admins"):
        roles.check_invite(actor, Role.ANALYST)


@pytest.mark.parametrize("actor", MANAGING)
def test_it_refuses_inviting_an_owner(actor):
    with pytest.raises(NotAllowed, match="invited as owner"):
        roles.check_invite(actor, Role.OWNER)


def test_it_refuses_an_unknown_role():
    with pytest.raises(NotAllowed, match="Unknown role"):
        roles.check_invite(Role.OWNER, "superuser")
    with pytest.raises(NotAllowed, match="Unknown role"):
        roles.check_change_role(Role.OWNER, Role.ANALYST, "superuser", is_self=False)


@pytest.mark.parametrize("actor", MANAGING)
@pytest.mark.parametrize("target", OTHERS)
@pytest.mark.parametrize("new_role", OTHERS)
def test_it_lets_owners_and_admins_change_other_non_owners(actor, target, new_role):
    if new_role == target:
        with pytest.raises(NotAllowed, match="already have that role"):
            roles.check_change_role(actor, target, new_role, is_self=False)
    else:
        roles.check_change_role(actor, target, new_role, is_self=False)


@pytest.mark.parametrize("actor", NOT_MANAGING)
@pytest.mark.parametrize("target", list(Role))
def test_it_refuses_role_changes_and_removals_by_other_roles(actor, target):
    with pytest.raises(NotAllowed, match="Only the owner and admins"):
        roles.check_change_role(
            actor, target, Role.ANALYST if target != Role.ANALYST else Role.MANAGER, is_self=False
        )
    with pytest.raises(NotAllowed, match="Only the owner and admins"):
        roles.check_remove(actor, target, is_self=False)


def test_it_refuses_admins_touching_the_owner():
    with pytest.raises(NotAllowed, match="Admins can't change or remove the owner"):
        roles.check_change_role(Role.ADMIN, Role.OWNER, Role.ADMIN, is_self=False)
    with pytest.raises(NotAllowed, match="Admins can't change or remove the owner"):
        roles.check_remove(Role.ADMIN, Role.OWNER, is_self=False)


@pytest.mark.parametrize("actor", MANAGING)
def test_it_refuses_making_anyone_owner_by_role_change(actor):
    with pytest.raises(NotAllowed, match="owner"):
        roles.check_change_role(actor, Role.ADMIN, Role.OWNER, is_self=False)


def test_it_tells_the_owner_to_transfer_and_the_admin_that_only_the_owner_can():
    with pytest.raises(NotAllowed, match="transfer ownership to them"):
        roles.check_change_role(Role.OWNER, Role.ADMIN, Role.OWNER, is_self=False)
    with pytest.raises(NotAllowed, match="Only the owner can make someone owner"):
        roles.check_change_role(Role.ADMIN, Role.ADMIN, Role.OWNER, is_self=False)


@pytest.mark.parametrize("actor", list(Role))
def test_it_refuses_changing_your_own_role_or_removing_yourself(actor):
    with pytest.raises(NotAllowed, match="your own role"):
        roles.check_change_role(actor, actor, Role.ANALYST, is_self=True)
    with pytest.raises(NotAllowed, match="remove yourself"):
        roles.check_remove(actor, actor, is_self=True)


@pytest.mark.parametrize("role", list(Role))
def test_it_lets_everyone_but_the_owner_leave(role):
    if role == Role.OWNER:
        with pytest.raises(NotAllowed, match="transfer ownership"):
            roles.check_leave(role)
    else:
        roles.check_leave(role)


@pytest.mark.parametrize("actor", list(Role))
@pytest.mark.parametrize("target", list(Role))
def test_it_lets_only_the_owner_transfer_to_an_admin(actor, target):
    allowed = actor == Role.OWNER and target == Role.ADMIN
    assert roles.allows(roles.check_transfer, actor, target, is_self=False) == allowed


def test_it_explains_transfer_refusals():
    assert "Only the owner" in roles.refusal(roles.check_transfer, Role.ADMIN, Role.ADMIN, is_self=False)
    assert "only go to an admin" in roles.refusal(
        roles.check_transfer, Role.OWNER, Role.MANAGER, is_self=False
    )
    assert "already own" in roles.refusal(roles.check_transfer, Role.OWNER, Role.OWNER, is_self=True)
    assert roles.refusal(roles.check_transfer, Role.OWNER, Role.ADMIN, is_self=False) == ""


@pytest.mark.parametrize("actor", list(Role))
@pytest.mark.parametrize("target", list(Role))
@pytest.mark.parametrize("is_self", [True, False])
def test_it_offers_exactly_the_actions_the_checks_allow(actor, target, is_self):
    actions = roles.member_actions(actor, target, is_self=is_self)
    other_role = Role.ANALYST if target != Role.ANALYST else Role.MANAGER
    assert actions.change_role == roles.allows(
        roles.check_change_role, actor, target, other_role, is_self=is_self
    )
    assert actions.remove == roles.allows(roles.check_remove, actor, target, is_self=is_self)
    assert actions.transfer == roles.allows(roles.check_transfer, actor, target, is_self=is_self)
