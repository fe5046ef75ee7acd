import importlib
from types import SimpleNamespace

import pytest
import redis
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection

from accounts.roles import Role
from apikeys import cachesafe, usage
from tests.ci import skip_unless_ci
from tests.factories import AccountFactory, MembershipFactory

# Orbit, the second host, runs apart with its own settings (make test; tests/second_host/conftest.py).
collect_ignore = ["second_host"]

_postgres_deselected = pytest.StashKey[int]()
POSTGRES_ONLY = (
    "tests marked postgres (tests/concurrency/, tests/faults/test_app_servers.py) deselected: the database "
    "is not PostgreSQL (DATABASE_URL=postgres://… runs them; CI runs the suite on both)"
)


def pytest_report_header(config):
    if connection.vendor != "postgresql":
        return POSTGRES_ONLY


def pytest_terminal_summary(terminalreporter):
    # The header is hidden by -q (addopts): say it again next to the "N deselected" count.
    if connection.vendor != "postgresql" and terminalreporter.config.stash.get(_postgres_deselected, 0):
        terminalreporter.write_line(POSTGRES_ONLY)


def pytest_collection_modifyitems(config, items):
    """Deselect the PostgreSQL-only tests on another database, so that a run reports no skips.

    They need row locks and concurrent writers; on SQLite they could only skip. Deselected at collection,
    no fixture of theirs runs, and no transactional flush empties the database.
    """
    if connection.vendor == "postgresql":
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    config.stash[_postgres_deselected] = len(postgres_only)
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if item not in postgres_only]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: throttling counters must not carry over between tests.

    Nor usage counted in this process but not flushed, nor the memory of which cache failures were logged.
    """
    cache.clear()
    usage.discard()
    cachesafe.reset_warnings()


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"  # the machine's Redis, a database of the tests' own


@pytest.fixture
def redis_cache(settings):
    """Django's Redis cache backend as the default cache, on an empty database emptied again after.

    Without Redis the test fails when ``CI`` is set and skips elsewhere, saying why.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    server = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        server.flushdb()
    except redis.ConnectionError as error:
        skip_unless_ci(f"Redis is not reachable at {REDIS_TEST_URL} ({error}): start redis-server.")
    yield server
    server.flushdb()
    server.close()


@pytest.fixture
def support_group(db):
    """The "Support" group, as its data migrations make it: the app's (apikeys 0002) and ours (accounts 0003).

    Transactional tests (tests/concurrency/, the browser tests) end with a flush that deletes the rows of
    data migrations, so tests that need the group ask for this fixture and never depend on the test order.
    """
    schema_editor = SimpleNamespace(connection=connection)
    migration = importlib.import_module("apikeys.migrations.0002_support_group")
    migration.create_support_group(apps, schema_editor)  # idempotent, like the next one
    importlib.import_module("accounts.migrations.0003_support_group_members_and_users").add_permissions(
        apps, schema_editor
    )
    return Group.objects.get(name=migration.SUPPORT_GROUP)


@pytest.fixture
def account(db):
    """The account the personas below belong to."""
    return AccountFactory(name="Acme")


@pytest.fixture
def owner(account):
    """The account's one owner: may do everything."""
    return MembershipFactory(account=account, owner=True, user__email="owner@acme.test").user


@pytest.fixture
def admin(account, owner):
    """An admin of the same account: manages keys and users like the owner."""
    return MembershipFactory(account=account, admin=True, user__email="admin@acme.test").user


@pytest.fixture
def manager(account, owner):
    """A manager of the same account: a member who must not see API keys."""
    return MembershipFactory(account=account, manager=True, user__email="manager@acme.test").user


@pytest.fixture
def other_account(db):
    """Another customer's account."""
    return AccountFactory(name="Other Co")


@pytest.fixture
def outsider(other_account):
    """Owns another account: every object of ours must be 404 to them."""
    return MembershipFactory(account=other_account, owner=True, user__email="outsider@other.test").user


@pytest.fixture
def member_of(account, owner):
    """Make a user with the given role in the account."""

    def make(role: str):
        if role == Role.OWNER:
            return owner
        return MembershipFactory(account=account, role=role).user

    return make
