"""Two gunicorn app servers sharing one PostgreSQL database and one Redis agree, and a database that drops
a connection or goes away for a while costs no 500.

Each server is a real gunicorn process (config.settings, DEBUG off) on a port of its own, pointed at this
test run's database and at a redis-server the module starts for itself. The tests commit
(``transaction=True``) so the servers see what they write. PostgreSQL only (marked ``postgres``): SQLite's
in-memory test database cannot be shared with another process.
"""

from __future__ import annotations

import os
import time

import httpx
import pytest
import redis
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from apikeys.models import KeyUsage
from tests.api.helpers import issue
from tests.ci import skip_unless_ci
from tests.factories import PASSWORD
from tests.faults.services import REDIS_SERVER, AppServer, RedisServer, Tab, TcpProxy, server_environment

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FAILURE_LIMIT = 4


def database_url(port: int | None = None) -> str:
    """This test run's database (test_<name>), optionally reached through another port."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture(scope="module")
def redis_server():
    if not os.access(REDIS_SERVER, os.X_OK):
        skip_unless_ci(f"redis-server is not installed ({REDIS_SERVER}): apt-get install redis-server.")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(django_db_setup, redis_server):
    """Two app servers, A and B, sharing the database and the Redis."""
    environment = server_environment(
        database_url(),
        redis_server.url,
        API_AUTH_FAILURE_LIMIT=str(FAILURE_LIMIT),
        KEY_USAGE_FLUSH_SECONDS="0.2",
    )
    started = []
    try:
        for _ in range(2):
            started.append(AppServer(environment).start())
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture(autouse=True)
def _empty_redis(redis_server):
    """Throttling counters must not carry over between tests."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()


@pytest.fixture
def owner_tab(servers, owner):
    """The owner logged in to server A's tab (the servers hash passwords with Argon2)."""
    hasher = Argon2PasswordHasher()
    owner.password = hasher.encode(PASSWORD, hasher.salt())
    owner.save(update_fields=["password"])
    tab = Tab(servers[0].url, owner.email, PASSWORD)
    yield tab
    tab.close()


def api(server: AppServer, secret: str) -> httpx.Response:
    return httpx.get(server.url + "/api/key/", headers={"Authorization": f"Bearer {secret}"}, timeout=10)


def test_it_refuses_a_key_deactivated_through_the_other_server_on_its_next_request(
    servers, owner_tab, account, owner
):
    a, b = servers
    key, secret = issue(account, owner)
    assert api(b, secret).status_code == 200
    assert (
        owner_tab.post(f"/settings/api-keys/{key.public_id}/deactivate/", {"reason": "Leaked"}).status_code
        == 302
    )
    assert api(b, secret).status_code == 401


def test_it_refuses_a_key_rolled_now_through_the_other_server_on_its_next_request(
    servers, owner_tab, account, owner
):
    a, b = servers
    key, secret = issue(account, owner)
    assert api(b, secret).status_code == 200
    assert owner_tab.post(f"/settings/api-keys/{key.public_id}/roll/", {"grace": "now"}).status_code == 302
    assert api(b, secret).status_code == 401


def test_it_refuses_a_key_deleted_through_the_other_server(servers, owner_tab, account, owner):
    a, b = servers
    key, secret = issue(account, owner)
    key.deactivate(by=owner)
    assert owner_tab.post(f"/settings/api-keys/{key.public_id}/delete/").status_code == 302
    assert not type(key).objects.filter(pk=key.pk).exists()
    assert (api(a, secret).status_code, api(b, secret).status_code) == (401, 401)


def test_it_adds_up_the_usage_counted_by_both_servers_on_the_keys_page(servers, owner_tab, account, owner):
    a, b = servers
    key, secret = issue(account, owner)
    for server, calls in ((a, 7), (b, 5)):
        for _ in range(calls):
            assert api(server, secret).status_code == 200
    deadline = time.monotonic() + 5
    while KeyUsage.objects.filter(key=key).values_list("requests", flat=True).first() != 12:
        assert time.monotonic() < deadline, "the servers did not flush their counts within 5 seconds"
        time.sleep(0.1)
    page = owner_tab.http.get(f"/settings/api-keys/{key.public_id}/")
    assert "12 requests in all" in page.text


def test_it_writes_the_usage_counts_when_a_server_stops(django_db_setup, redis_server, account, owner):
    key, secret = issue(account, owner)
    environment = server_environment(database_url(), redis_server.url, KEY_USAGE_FLUSH_SECONDS="3600")
    server = AppServer(environment, workers=2).start()
    try:
        for _ in range(9):
            assert api(server, secret).status_code == 200
        assert not KeyUsage.objects.filter(key=key).exists()  # an hour until the next flush
    finally:
        server.stop()  # SIGTERM: each worker exits, and writes what it counted
    assert KeyUsage.objects.get(key=key).requests == 9


def test_it_counts_failed_authentications_across_both_servers(servers):
    a, b = servers
    for server in (a, b, a, b):
        assert api(server, "pk_not_a_key").status_code == 401
    assert (api(a, "pk_not_a_key").status_code, api(b, "pk_not_a_key").status_code) == (429, 429)


def test_it_loses_no_request_when_postgresql_terminates_the_servers_connections(
    servers, owner_tab, account, owner
):
    a, b = servers
    _, secret = issue(account, owner)
    assert api(b, secret).status_code == 200
    assert owner_tab.http.get("/settings/api-keys/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 2  # at least each server's connection
    assert api(b, secret).status_code == 200  # CONN_HEALTH_CHECKS: a new connection, no error
    assert owner_tab.http.get("/settings/api-keys/").status_code == 200


def test_it_answers_503_while_the_database_is_unreachable_and_recovers_by_itself(
    django_db_setup, redis_server, account, owner
):
    _, secret = issue(account, owner)
    proxy = TcpProxy(int(connection.settings_dict["PORT"] or 5432)).start()
    server = AppServer(server_environment(database_url(proxy.port), redis_server.url))
    try:
        server.start()
        assert api(server, secret).status_code == 200
        proxy.stop()
        refused = api(server, secret)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert refused.json()["errors"][0]["code"] == "service_unavailable"
        page = httpx.get(server.url + "/login/", timeout=10, follow_redirects=False)
        assert page.status_code in (200, 503)  # the log-in page needs no database until it is posted
        settings_page = httpx.get(
            server.url + "/settings/api-keys/", cookies={"sessionid": "x" * 32}, timeout=10
        )
        assert settings_page.status_code == 503
        assert "Keyward is briefly unavailable" in settings_page.text
        proxy.start()
        assert api(server, secret).status_code == 200
        assert "Traceback" not in server.output()
    finally:
        server.stop()
        proxy.stop()
