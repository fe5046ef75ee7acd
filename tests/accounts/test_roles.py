"""The membership rules of accounts/roles.py as truth tables (no database).

One table per rule. A row is the role of the member who acts, a column the role of the member acted on (or
the role asked for); a cell is ``YES`` where the rule allows it, otherwise the message the person who asked
is shown. An account has one owner, so the owner never acts on another owner: those cells are ``NEVER``.
"""

from accounts import roles
from accounts.roles import Role

YES = ""
NEVER = None

MEMBERS_ONLY = "Only the owner and admins can manage the members of this account."
NOT_THE_OWNER = "Admins can't change or remove the owner."
INVITE_OWNER = "Nobody can be invited as owner: invite them as admin, then transfer ownership."
MAKE_OWNER = "To make someone owner, transfer ownership to them (they must be an admin)."
ONLY_OWNER_MAKES_OWNER = "Only the owner can make someone owner, by transferring ownership."
UNKNOWN = "Unknown role."
SAME_ROLE = "They already have that role."
ONLY_OWNER_TRANSFERS = "Only the owner can transfer ownership."
ONLY_TO_ADMIN = "Ownership can only go to an admin: make them an admin first."
OWNER_STAYS = "The owner can't leave the account: transfer ownership to an admin first."
OWN_ROLE = "You can't change your own role."
REMOVE_SELF = "You can't remove yourself: leave the account instead."
ALREADY_OWNER = "You already own this account."
STAFF_ALREADY_OWNER = "They already own this account."

OWNER, ADMIN, MANAGER, ANALYST = Role.OWNER, Role.ADMIN, Role.MANAGER, Role.ANALYST
COORDINATOR, CREATOR, SUPPORT = Role.CAMPAIGN_COORDINATOR, Role.CONTENT_CREATOR, Role.SUPPORT
ROLES = [OWNER, ADMIN, MANAGER, ANALYST, COORDINATOR, CREATOR, SUPPORT]  # the columns, in this order

# fmt: off

# Invite someone with the role of the column ("superuser" is no role at all).
INVITE = {
    #            owner         admin manager analyst coordinator creator support superuser
    OWNER:       (INVITE_OWNER, YES,  YES,    YES,    YES,        YES,    YES,    UNKNOWN),
    ADMIN:       (INVITE_OWNER, YES,  YES,    YES,    YES,        YES,    YES,    UNKNOWN),
    MANAGER:     (MEMBERS_ONLY,) * 8,
    ANALYST:     (MEMBERS_ONLY,) * 8,
    COORDINATOR: (MEMBERS_ONLY,) * 8,
    CREATOR:     (MEMBERS_ONLY,) * 8,
    SUPPORT:     (MEMBERS_ONLY,) * 8,
}

# Change the role of another member whose role is the column's (to an ordinary role they do not have yet).
CHANGE_ROLE = {
    #            owner          admin manager analyst coordinator creator support
    OWNER:       (NEVER,         YES,  YES,    YES,    YES,        YES,    YES),
    ADMIN:       (NOT_THE_OWNER, YES,  YES,    YES,    YES,        YES,    YES),
    MANAGER:     (MEMBERS_ONLY,) * 7,
    ANALYST:     (MEMBERS_ONLY,) * 7,
    COORDINATOR: (MEMBERS_ONLY,) * 7,
    CREATOR:     (MEMBERS_ONLY,) * 7,
    SUPPORT:     (MEMBERS_ONLY,) * 7,
}

# Change a manager's role to the column's ("superuser" is no role at all).
NEW_ROLE = {
    #            owner                   admin manager    analyst coordinator creator support superuser
    OWNER:       (MAKE_OWNER,             YES,  SAME_ROLE, YES,    YES,        YES,    YES,    UNKNOWN),
    ADMIN:       (ONLY_OWNER_MAKES_OWNER, YES,  SAME_ROLE, YES,    YES,        YES,    YES,    UNKNOWN),
    MANAGER:     (MEMBERS_ONLY,) * 8,
    ANALYST:     (MEMBERS_ONLY,) * 8,
    COORDINATOR: (MEMBERS_ONLY,) * 8,
    CREATOR:     (MEMBERS_ONLY,) * 8,
    SUPPORT:     (MEMBERS_ONLY,) * 8,
}

# Remove another member whose role is the column's.
REMOVE = {
    #            owner          admin manager analyst coordinator creator support
    OWNER:       (NEVER,         YES,  YES,    YES,    YES,        YES,    YES),
    ADMIN:       (NOT_THE_OWNER, YES,  YES,    YES,    YES,        YES,    YES),
    MANAGER:     (MEMBERS_ONLY,) * 7,
    ANALYST:     (MEMBERS_ONLY,) * 7,
    COORDINATOR: (MEMBERS_ONLY,) * 7,
    CREATOR:     (MEMBERS_ONLY,) * 7,
    SUPPORT:     (MEMBERS_ONLY,) * 7,
}

# Transfer ownership to another member whose role is the column's.
TRANSFER = {
    #            owner  admin manager        analyst        coordinator    creator        support
    OWNER:       (NEVER, YES,  ONLY_TO_ADMIN, ONLY_TO_ADMIN, ONLY_TO_ADMIN, ONLY_TO_ADMIN, ONLY_TO_ADMIN),
    ADMIN:       (ONLY_OWNER_TRANSFERS,) * 7,
    MANAGER:     (ONLY_OWNER_TRANSFERS,) * 7,
    ANALYST:     (ONLY_OWNER_TRANSFERS,) * 7,
    COORDINATOR: (ONLY_OWNER_TRANSFERS,) * 7,
    CREATOR:     (ONLY_OWNER_TRANSFERS,) * 7,
    SUPPORT:     (ONLY_OWNER_TRANSFERS,) * 7,
}

# Act on your own membership.
ON_YOURSELF = {
    #            change role remove       transfer              leave
    OWNER:       (OWN_ROLE,   REMOVE_SELF, ALREADY_OWNER,        OWNER_STAYS),
    ADMIN:       (OWN_ROLE,   REMOVE_SELF, ONLY_OWNER_TRANSFERS, YES),
    MANAGER:     (OWN_ROLE,   REMOVE_SELF, ONLY_OWNER_TRANSFERS, YES),
    ANALYST:     (OWN_ROLE,   REMOVE_SELF, ONLY_OWNER_TRANSFERS, YES),
    COORDINATOR: (OWN_ROLE,   REMOVE_SELF, ONLY_OWNER_TRANSFERS, YES),
    CREATOR:     (OWN_ROLE,   REMOVE_SELF, ONLY_OWNER_TRANSFERS, YES),
    SUPPORT:     (OWN_ROLE,   REMOVE_SELF, ONLY_OWNER_TRANSFERS, YES),
}

# Staff hand the account to a member whose role is the column's (in the Django admin).
STAFF_TRANSFER = (
    # owner              admin manager        analyst        coordinator    creator        support
    STAFF_ALREADY_OWNER, YES,  ONLY_TO_ADMIN, ONLY_TO_ADMIN, ONLY_TO_ADMIN, ONLY_TO_ADMIN, ONLY_TO_ADMIN,
)

# What a role may do at all.
CAPABILITIES = {
    #            view account manage users manage API keys transfer ownership
    OWNER:       (True,        True,        True,           True),
    ADMIN:       (True,        True,        True,           False),
    MANAGER:     (True,        False,       False,          False),
    ANALYST:     (True,        False,       False,          False),
    COORDINATOR: (True,        False,       False,          False),
    CREATOR:     (True,        False,       False,          False),
    SUPPORT:     (True,        False,       False,          False),
}

# fmt: on


def differences(table: dict, columns: list, answer) -> list[str]:
    """Return one line per cell where ``answer(row, column)`` is not what ``table`` says."""
    assert list(table) == ROLES, "a row for every role"
    wrong = []
    for row, cells in table.items():
        assert len(cells) == len(columns), row
        for column, expected in zip(columns, cells, strict=True):
            if expected is not NEVER and (got := answer(row, column)) != expected:
                wrong.append(f"{row} → {column}: expected {expected!r}, got {got!r}")
    return wrong


def test_it_has_a_column_for_every_role():
    assert set(ROLES) == set(Role) and len(ROLES) == len(Role)


def test_it_invites_as_the_table_says():
    def answer(actor, role):
        return roles.refusal(roles.check_invite, actor, role)

    assert differences(INVITE, [*ROLES, "superuser"], answer) == []


def test_it_changes_roles_as_the_table_says():
    def answer(actor, target):
        new_role = ANALYST if target != ANALYST else MANAGER
        return roles.refusal(roles.check_change_role, actor, target, new_role, is_self=False)

    assert differences(CHANGE_ROLE, ROLES, answer) == []


def test_it_gives_new_roles_as_the_table_says():
    def answer(actor, new_role):
        return roles.refusal(roles.check_change_role, actor, MANAGER, new_role, is_self=False)

    assert differences(NEW_ROLE, [*ROLES, "superuser"], answer) == []


def test_it_removes_members_as_the_table_says():
    def answer(actor, target):
        return roles.refusal(roles.check_remove, actor, target, is_self=False)

    assert differences(REMOVE, ROLES, answer) == []


def test_it_transfers_ownership_as_the_table_says():
    def answer(actor, target):
        return roles.refusal(roles.check_transfer, actor, target, is_self=False)

    assert differences(TRANSFER, ROLES, answer) == []


def test_it_lets_members_act_on_themselves_as_the_table_says():
    checks = {
        "change role": lambda role: roles.refusal(
            roles.check_change_role, role, role, ANALYST if role != ANALYST else MANAGER, is_self=True
        ),
        "remove": lambda role: roles.refusal(roles.check_remove, role, role, is_self=True),
        "transfer": lambda role: roles.refusal(roles.check_transfer, role, role, is_self=True),
        "leave": lambda role: roles.refusal(roles.check_leave, role),
    }
    assert differences(ON_YOURSELF, list(checks), lambda role, action: checks[action](role)) == []


def test_it_lets_staff_transfer_as_the_table_says():
    got = tuple(roles.refusal(roles.check_staff_transfer, target) for target in ROLES)
    assert got == STAFF_TRANSFER


def test_it_gives_each_role_the_capabilities_the_table_says():
    capabilities = {
        "view account": roles.can_view_account,
        "manage users": roles.can_manage_users,
        "manage API keys": roles.can_manage_api_keys,
        "transfer ownership": roles.can_transfer_ownership,
    }
    assert differences(CAPABILITIES, list(capabilities), lambda role, name: capabilities[name](role)) == []


def test_it_never_assigns_owner():
    assert roles.assignable_roles() == [ADMIN, MANAGER, ANALYST, COORDINATOR, CREATOR, SUPPORT]


def test_it_offers_on_the_users_tab_exactly_the_actions_the_tables_allow():
    """A button is shown exactly where its rule lets the form through."""
    for action, table in [("change_role", CHANGE_ROLE), ("remove", REMOVE), ("transfer", TRANSFER)]:
        offered = {
            row: tuple(cell if cell is NEVER else cell == YES for cell in cells)
            for row, cells in table.items()
        }

        def answer(actor, target, action=action):
            return getattr(roles.member_actions(actor, target, is_self=False), action)

        assert differences(offered, ROLES, answer) == [], action


def test_it_offers_nothing_on_your_own_row():
    assert {roles.member_actions(role, role, is_self=True) for role in ROLES} == {
        roles.MemberActions(change_role=False, remove=False, transfer=False)
    }
