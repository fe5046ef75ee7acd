import pytest

from lists.models import List
from tests.api.conftest import _empty_cache, custom_key, full_key, read_key  # noqa: F401  (shared fixtures)


@pytest.fixture
def newsletter(account):
    """A list of the account."""
    return List.objects.create(account=account, name="Newsletter")


@pytest.fixture
def their_list(other_account):
    """A list of another account: every call of ours must find it 404."""
    return List.objects.create(account=other_account, name="Their list")
