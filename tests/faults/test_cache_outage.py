"""Redis stopped and started again under a running app: the API and log-in keep answering.

The test starts a redis-server of its own on a free port (never the machine's), points the default cache
at it, stops it in the middle and starts it again, empty, on the same port.
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches

from apikeys import secrets, usage
from tests.api.helpers import assert_error, call, issue
from tests.ci import skip_unless_ci
from tests.factories import PASSWORD
from tests.faults.services import REDIS_SERVER, RedisServer

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

LIMIT = 3
ADDRESS = "198.51.100.7"


@pytest.fixture
def redis_server(settings):
    """A redis-server of this test's own as the default cache; stopped by pid at the end."""
    import os

    if not os.access(REDIS_SERVER, os.X_OK):
        skip_unless_ci(f"redis-server is not installed ({REDIS_SERVER}): apt-get install redis-server.")
    server = RedisServer().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.API_AUTH_FAILURE_LIMIT = LIMIT
    yield server
    server.stop()
    caches["default"].close()


def guess(client):
    return call(client, "GET", "/api/key/", secrets.generate(), REMOTE_ADDR=ADDRESS)


def log_in(client, user, password=PASSWORD):
    return client.post("/login/", {"username": user.email, "password": password}, REMOTE_ADDR=ADDRESS)


def test_it_keeps_answering_while_redis_is_down_and_throttles_again_when_it_is_back(
    client, account, owner, redis_server, caplog, django_assert_num_queries
):
    key, secret = issue(account, owner)
    call(client, "GET", "/api/key/", secret, REMOTE_ADDR=ADDRESS)  # writes last use
    for _ in range(LIMIT):
        assert_error(guess(client), 401)
    assert_error(guess(client), 429)  # throttled through Redis

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="apikeys.cache"):
        with django_assert_num_queries(1):
            assert call(client, "GET", "/api/key/", secret, REMOTE_ADDR=ADDRESS).status_code == 200
        for _ in range(LIMIT + 2):
            assert_error(guess(client), 401)  # the throttle fails open: nothing to count with
        client.post("/login/", {"username": owner.email, "password": "wrong"}, REMOTE_ADDR=ADDRESS)
        assert log_in(client, owner).status_code == 302  # log-in works, unthrottled
        assert client.get("/settings/api-keys/").status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "apikeys.cache"]
    # One warning per kind of failure, not one per request.
    assert len(warnings) == len(set(warnings)) and len(warnings) <= 4
    assert any(w.startswith("Cache unavailable (api throttle: ConnectionError") for w in warnings)
    assert any(w.startswith("Cache unavailable (login throttle: ConnectionError") for w in warnings)
    counted = usage.pending([key.pk], [usage.today()])
    assert counted == {(key.pk, usage.today()): (2, 0)}  # counting never stopped

    redis_server.start()  # empty, same port: no restart of the app
    for _ in range(LIMIT):
        assert_error(guess(client), 401)
    assert_error(guess(client), 429)
    assert call(client, "GET", "/api/key/", secret, REMOTE_ADDR=ADDRESS).status_code == 200


def test_it_throttles_log_in_through_redis_again_once_it_is_back(client, owner, redis_server, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    redis_server.stop()
    for _ in range(3):
        assert log_in(client, owner, password="wrong").status_code == 200
    redis_server.start()
    log_in(client, owner, password="wrong")
    log_in(client, owner, password="wrong")
    assert log_in(client, owner).status_code == 429
