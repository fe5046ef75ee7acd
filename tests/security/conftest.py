import pytest

from tests.factories import UserFactory


@pytest.fixture
def loner(db):
    """A user no account has added yet: sees the no-account page."""
    return UserFactory(email="loner@example.test")


@pytest.fixture
def support(db):
    """Support staff: works in the Django admin."""
    return UserFactory(email="support@keyward.test", is_staff=True, is_superuser=True)
