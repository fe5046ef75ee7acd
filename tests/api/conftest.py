import pytest
from django.core.cache import cache

from apikeys import scopes
from tests.api.helpers import NO_LISTS_SCOPES, issue


@pytest.fixture(autouse=True)
def _empty_cache(_empty_cache):
    """Failure counters live in the cache: every test starts unthrottled (tests/conftest.py's fixture, which
    also forgets unwritten usage) and leaves nothing behind."""
    yield
    cache.clear()


@pytest.fixture
def full_key(account, owner):
    """A full-access key of the account and its secret."""
    return issue(account, owner, scopes.FULL_ACCESS, name="Full")


@pytest.fixture
def read_key(account, owner):
    """A read-only key of the account and its secret."""
    return issue(account, owner, scopes.READ_ONLY, name="Read")


@pytest.fixture
def custom_key(account, owner):
    """A custom key without any lists scope."""
    return issue(account, owner, NO_LISTS_SCOPES, name="Custom")
