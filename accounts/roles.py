"""What each membership role may do: the one place that knows.

Views and templates ask capabilities (``can_manage_api_keys``), never compare role strings.
Role names follow Klaviyo's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    ANALYST = "analyst", "Analyst"
    CAMPAIGN_COORDINATOR = "campaign_coordinator", "Campaign coordinator"
    CONTENT_CREATOR = "content_creator", "Content creator"
    SUPPORT = "support", "Support"


MANAGERS_OF_ACCOUNT = frozenset({Role.OWNER, Role.ADMIN})


def can_manage_api_keys(role: str) -> bool:
    """Private keys open the account's data: only owners and admins see or change them."""
    return role in MANAGERS_OF_ACCOUNT


def can_manage_users(role: str) -> bool:
    return role in MANAGERS_OF_ACCOUNT


def must_use_two_factor(role: str) -> bool:
    """Who an account's two-factor policy applies to: whoever may manage keys or users."""
    return can_manage_api_keys(role) or can_manage_users(role)


def can_set_two_factor_policy(role: str) -> bool:
    return role == Role.OWNER


def can_view_account(role: str) -> bool:
    """Every member sees the Account and Users tabs (the Users tab read-only unless managing)."""
    return role in Role.values


# Membership rules, as in Klaviyo: one owner; the owner and admins manage the others; admins never touch the
# owner or make one; nobody changes their own role; the owner hands over to an admin before leaving. The
# model verbs call these checks inside their transaction, on roles read fresh.


class NotAllowed(Exception):
    """A membership rule refused a change; str(error) tells the person who asked why."""


def assignable_roles() -> list[Role]:
    """Roles that can be given by an invitation or a role change: every role but owner.

    Ownership only ever moves by a transfer, so an account never has two owners or none.
    """
    return [role for role in Role if role != Role.OWNER]


def can_transfer_ownership(role: str) -> bool:
    return role == Role.OWNER


def check_manage(actor_role: str) -> None:
    if not can_manage_users(actor_role):
        raise NotAllowed("Only the owner and admins can manage the members of this account.")


def _check_new_role(actor_role: str, new_role: str) -> None:
    if new_role == Role.OWNER:
        if can_transfer_ownership(actor_role):
            raise NotAllowed("To make someone owner, transfer ownership to them (they must be an admin).")
        raise NotAllowed("Only the owner can make someone owner, by transferring ownership.")
    if new_role not in Role.values:
        raise NotAllowed("Unknown role.")


def _check_touch(actor_role: str, target_role: str) -> None:
    check_manage(actor_role)
    if target_role == Role.OWNER:
        raise NotAllowed("Admins can't change or remove the owner.")


def check_invite(actor_role: str, role: str) -> None:
    check_manage(actor_role)
    if role == Role.OWNER:
        raise NotAllowed("Nobody can be invited as owner: invite them as admin, then transfer ownership.")
    _check_new_role(actor_role, role)


def check_change_role(actor_role: str, target_role: str, new_role: str, *, is_self: bool) -> None:
    if is_self:
        raise NotAllowed("You can't change your own role.")
    _check_touch(actor_role, target_role)
    _check_new_role(actor_role, new_role)
    if new_role == target_role:
        raise NotAllowed("They already have that role.")


def check_remove(actor_role: str, target_role: str, *, is_self: bool) -> None:
    if is_self:
        raise NotAllowed("You can't remove yourself: leave the account instead.")
    _check_touch(actor_role, target_role)


def check_leave(role: str) -> None:
    if role == Role.OWNER:
        raise NotAllowed("The owner can't leave the account: transfer ownership to an admin first.")


def check_transfer(actor_role: str, target_role: str, *, is_self: bool) -> None:
    if not can_transfer_ownership(actor_role):
        raise NotAllowed("Only the owner can transfer ownership.")
    if is_self:
        raise NotAllowed("You already own this account.")
    if target_role != Role.ADMIN:
        raise NotAllowed("Ownership can only go to an admin: make them an admin first.")


def check_two_factor_policy(actor_role: str, required: bool, *, has_two_factor: bool) -> None:
    if not can_set_two_factor_policy(actor_role):
        raise NotAllowed("Only the owner can change the two-factor policy.")
    if required and not has_two_factor:
        raise NotAllowed("Set up two-factor log-in for yourself first (Security), then require it.")


def check_staff_transfer(target_role: str) -> None:
    """Staff (superusers in the admin) may hand an account to one of its admins, e.g. when the owner left
    the company; like the owner's own transfer, ownership only ever goes to an admin."""
    if target_role == Role.OWNER:
        raise NotAllowed("They already own this account.")
    if target_role != Role.ADMIN:
        raise NotAllowed("Ownership can only go to an admin: make them an admin first.")


def refusal(check, *args, **kwargs) -> str:
    """Return why ``check`` refuses, or "" if it passes (for pages that explain before anyone clicks)."""
    try:
        check(*args, **kwargs)
    except NotAllowed as error:
        return str(error)
    return ""


def allows(check, *args, **kwargs) -> bool:
    """Return whether a check passes; pages use it to offer only the actions that will work."""
    return not refusal(check, *args, **kwargs)


@dataclass(frozen=True)
class MemberActions:
    """What one member may do to another on the Users tab."""

    change_role: bool
    remove: bool
    transfer: bool


def member_actions(actor_role: str, target_role: str, *, is_self: bool) -> MemberActions:
    # Changing a role is allowed exactly when removing is; the new role is checked on submit.
    touchable = allows(check_remove, actor_role, target_role, is_self=is_self)
    return MemberActions(
        change_role=touchable,
        remove=touchable,
        transfer=allows(check_transfer, actor_role, target_role, is_self=is_self),
    )
