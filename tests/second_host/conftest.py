"""Orbit's personas. This run never loads tests/conftest.py (the reference host's): see the Makefile."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client

from apikeys.models import PrivateKey
from tests.second_host.orgs.models import Member, Organization


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: throttling counters must not carry over between tests."""
    cache.clear()


def seat(organization, username: str, role: str) -> User:
    user = User.objects.create_user(username, f"{username}@orbit.example", "pw", first_name=username.title())
    Member.objects.create(organization=organization, user=user, role=role)
    return user


@pytest.fixture
def organization(db):
    """The organization the personas below belong to."""
    return Organization.objects.create(name="Orbit Labs")


@pytest.fixture
def lead(organization):
    """A lead of the organization: manages its API keys."""
    return seat(organization, "lena", Member.Role.LEAD)


@pytest.fixture
def engineer(organization):
    """An engineer of the same organization: a member who may not manage its keys."""
    return seat(organization, "eric", Member.Role.ENGINEER)


@pytest.fixture
def rival_key(db):
    """A key of another organization, led by someone else: every view of ours must 404 it."""
    rival = Organization.objects.create(name="Rival Inc")
    owner = seat(rival, "rita", Member.Role.LEAD)
    key, _ = PrivateKey.objects.issue(rival, "Rival's key", ["projects:read"], by=owner)
    return key


@pytest.fixture
def support(db):
    """Support staff: is_staff, in the Support group that the app's migration creates."""
    user = User.objects.create_user("sam", "sam@orbit.example", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    return user


@pytest.fixture
def lead_client(lead):
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def api():
    """A client with no session: what a program calling the API looks like."""
    return Client()
