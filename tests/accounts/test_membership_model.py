import pytest
from django.db import IntegrityError, transaction

from accounts.models import Membership
from accounts.roles import Role
from tests.factories import AccountFactory, MembershipFactory, UserFactory

MANAGING_ROLES = {Role.OWNER, Role.ADMIN}


def test_it_refuses_a_second_owner(account, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(account=account, owner=True)
    assert account.memberships.filter(role=Role.OWNER).get().user == owner


def test_it_refuses_to_promote_a_second_owner(account, owner, admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=admin, account=account).update(role=Role.OWNER)
    assert list(account.memberships.filter(role=Role.OWNER).values_list("user", flat=True)) == [owner.pk]


def test_it_allows_an_owner_in_each_account(db):
    user = UserFactory()
    MembershipFactory(user=user, owner=True)
    MembershipFactory(user=user, owner=True)
    assert Membership.objects.filter(user=user, role=Role.OWNER).count() == 2


def test_it_refuses_a_second_membership_of_one_user_in_one_account(account, manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(account=account, user=manager, analyst=True)
    assert Membership.objects.filter(account=account, user=manager).get().role == Role.MANAGER


def test_it_refuses_an_unknown_role(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(account=account, role="superhero")


def test_it_lets_a_user_belong_to_several_accounts(db):
    user = UserFactory()
    MembershipFactory(user=user, account=AccountFactory(), admin=True)
    MembershipFactory(user=user, account=AccountFactory(), analyst=True)
    assert user.memberships.count() == 2


@pytest.mark.parametrize("role", Role.values)
def test_it_lets_only_owners_and_admins_manage_keys_and_users(db, role):
    membership = MembershipFactory.build(role=role)
    assert membership.can_manage_api_keys is (role in MANAGING_ROLES)
    assert membership.can_manage_users is (role in MANAGING_ROLES)
