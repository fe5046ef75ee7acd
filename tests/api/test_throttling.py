"""Failed authentication is throttled per client address through the cache, before any query."""

from unittest import mock

import pytest
from django.test import override_settings

from apikeys import secrets
from tests.api.helpers import assert_error, call

pytestmark = pytest.mark.django_db


def fail(client, ip="198.51.100.1"):
    return call(client, "GET", "/api/key/", secrets.generate(), REMOTE_ADDR=ip)


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_answers_429_after_the_limit_without_a_query(client, full_key, django_assert_num_queries):
    _, secret = full_key
    for _ in range(3):
        assert_error(fail(client), 401)
    with django_assert_num_queries(0):
        response = fail(client)
        good = call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1")
    for refused in (response, good):
        error = assert_error(refused, 429, "throttled")
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert refused["Retry-After"] in error["detail"]


@override_settings(API_AUTH_FAILURE_LIMIT=3)
def test_it_still_lets_a_good_key_in_from_another_address(client, full_key):
    _, secret = full_key
    for _ in range(5):
        fail(client, ip="198.51.100.1")
    assert assert_error(fail(client, ip="198.51.100.1"), 429)
    assert call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.2").status_code == 200


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
def test_it_forgets_failures_once_the_minute_is_over(client, full_key):
    _, secret = full_key
    with mock.patch("apikeys.auth.time.time", return_value=6_000_000.0):
        for _ in range(4):
            fail(client)
        assert int(fail(client)["Retry-After"]) == 60
    with mock.patch("apikeys.auth.time.time", return_value=6_000_060.0):
        assert call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1").status_code == 200


@override_settings(API_AUTH_FAILURE_LIMIT=3, TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_counts_the_forwarded_address_behind_a_proxy(client, full_key):
    _, secret = full_key
    for _ in range(4):
        call(client, "GET", "/api/key/", "nope", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    refused = call(
        client, "GET", "/api/key/", secret, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert_error(refused, 429)
    other = call(
        client, "GET", "/api/key/", secret, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.10"
    )
    assert other.status_code == 200
