import pytest

from apikeys import scopes
from apikeys.models import PrivateKey


@pytest.fixture
def issued(account, owner):
    """An active read-only key of the personas' account, with its secret: ``(key, secret)``."""
    return PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)


@pytest.fixture
def key(issued):
    """The active key alone, for tests that never need its secret."""
    return issued[0]


@pytest.fixture
def inactive_key(account, owner):
    """A deactivated key of the personas' account, with a reason: may be reactivated or deleted."""
    key, _ = PrivateKey.objects.issue(account, "Old warehouse sync", scopes.FULL_ACCESS, owner)
    key.deactivate(by=owner, reason="Leaked in a public gist")
    return key


@pytest.fixture
def foreign_key(other_account, outsider):
    """A key of the outsider's account, inactive: no list of ours may show it, active or not."""
    key, _ = PrivateKey.objects.issue(other_account, "Their key", scopes.FULL_ACCESS, outsider)
    key.deactivate(by=outsider)
    return key


@pytest.fixture
def owner_client(client, owner):
    """A browser logged in as the account's owner."""
    client.force_login(owner)
    return client
