"""Failed authentication is throttled per client address through the cache, read only when a credential fails.

The tests run on the local-memory cache; one runs against Redis too (``CACHE_URL=redis://`` in
production), through the ``redis_cache`` fixture (tests/conftest.py).
"""

from unittest import mock

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from apikeys import secrets
from tests.api.helpers import assert_error, call

pytestmark = pytest.mark.django_db


def fail(client, ip="198.51.100.1"):
    return call(client, "GET", "/api/key/", secrets.generate(), REMOTE_ADDR=ip)


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_answers_429_after_the_limit(client, django_assert_num_queries):
    for _ in range(3):
        assert_error(fail(client), 401)
    with django_assert_num_queries(0):  # a mistyped key is refused without a look-up, throttled or not
        refused = call(client, "GET", "/api/key/", "pk_mistyped", REMOTE_ADDR="198.51.100.1")
    for response in (refused, fail(client)):
        error = assert_error(response, 429, "throttled")
        assert 1 <= int(response["Retry-After"]) <= 60
        assert response["Retry-After"] in error["detail"]


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_lets_a_good_key_in_from_a_throttled_address(client, full_key, django_assert_num_queries):
    _, secret = full_key
    call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1")  # writes last use
    for _ in range(5):
        fail(client, ip="198.51.100.1")
    assert_error(fail(client, ip="198.51.100.1"), 429)
    with (
        django_assert_num_queries(1),
        mock.patch("apikeys.auth.cache", side_effect=AssertionError("no cache call")) as cache,
    ):
        assert call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert cache.mock_calls == []  # a good key's request never reads the throttle


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_counts_every_kind_of_failure(client, account):
    for header in ("", "Basic abc", f"Bearer {account.public_key}"):
        assert_error(client.get("/api/key/", HTTP_AUTHORIZATION=header), 401)
    assert_error(client.get("/api/key/"), 429)


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_does_not_count_successes(client, full_key):
    _, secret = full_key
    for _ in range(2):
        fail(client)
    for _ in range(10):
        assert call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert_error(fail(client), 401)
    assert_error(fail(client), 429)


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_forgets_failures_once_the_minute_is_over(client):
    with mock.patch("apikeys.auth.time.time", return_value=6_000_000.0):
        for _ in range(4):
            fail(client)
        assert int(fail(client)["Retry-After"]) == 60
    with mock.patch("apikeys.auth.time.time", return_value=6_000_060.0):
        assert_error(fail(client), 401)


@override_settings(API_AUTH_FAILURE_LIMIT=3, TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_counts_the_forwarded_address_behind_a_proxy(client):
    def guess(client_address):
        return call(
            client, "GET", "/api/key/", "nope", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=client_address
        )

    for _ in range(3):
        guess("198.51.100.9")
    assert_error(guess("198.51.100.9"), 429)
    assert_error(guess("198.51.100.10"), 401)


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_throttles_through_redis_too(client, full_key, redis_cache):
    _, secret = full_key
    assert isinstance(caches["default"], RedisCache)
    for _ in range(3):
        assert_error(fail(client), 401)
    error = assert_error(fail(client), 429, "throttled")
    assert error["detail"].endswith("seconds.")
    assert call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1").status_code == 200
    redis_cache.flushdb()  # the counters lived in Redis: without them the address starts again
    assert_error(fail(client), 401)
