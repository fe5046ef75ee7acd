import pytest

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.factories import UserFactory, login_with_two_factor


@pytest.fixture
def support(support_group):
    """A staff member in the Support group (created by the migration): looks, and deactivates keys."""
    user = UserFactory(email="support@keyward.test", is_staff=True)
    user.groups.add(support_group)
    return user


@pytest.fixture
def staff(db):
    """Staff without the Support group: may log into the admin, holds no permission."""
    return UserFactory(email="staff@keyward.test", is_staff=True)


@pytest.fixture
def superuser(db):
    """A superuser: full admin over users, accounts and memberships, still no secrets and no new keys."""
    return UserFactory(email="root@keyward.test", is_staff=True, is_superuser=True)


@pytest.fixture
def key_and_secret(account, owner):
    """An active read-only key of the account, with its secret (known only to the test)."""
    return PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)


@pytest.fixture
def key(key_and_secret):
    return key_and_secret[0]


@pytest.fixture
def support_client(client, support):
    login_with_two_factor(client, support)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    login_with_two_factor(client, superuser)
    return client
