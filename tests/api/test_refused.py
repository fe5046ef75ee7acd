"""Refused requests count against the key whose own secret they carry (401, 403, 429), never unknown ones."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone

from apikeys import scopes, secrets, usage
from apikeys.auth import Refusal, authenticate
from apikeys.models import PrivateKey
from tests.api.helpers import assert_error, call

Refused = PrivateKey.Refused


def counted(key) -> tuple[int, int]:
    """Return ``(requests, refused)`` counted for the key today, written or waiting in memory."""
    series = usage.per_day([key], 1)[key.pk]
    return series.total, series.refused


def last_refusal(key) -> tuple[bool, str]:
    key.refresh_from_db()
    return key.last_refused_at is not None, key.last_refused_reason


def test_it_counts_a_deactivated_keys_own_secret_as_refused(client, full_key, owner, caplog):
    key, secret = full_key
    key.deactivate(by=owner)
    with caplog.at_level(logging.DEBUG):
        assert_error(call(client, "GET", "/api/key/", secret), 401, "not_authenticated")
    assert counted(key) == (1, 1)
    assert last_refusal(key) == (True, Refused.INACTIVE)
    assert secret not in caplog.text and secret[3:-4] not in caplog.text


def test_it_counts_an_expired_or_rolled_out_keys_own_secret_as_refused(client, full_key, owner):
    key, secret = full_key
    key.roll(by=owner, grace=timedelta(0))
    assert_error(call(client, "GET", "/api/key/", secret), 401, "not_authenticated")
    assert counted(key) == (1, 1)
    assert last_refusal(key) == (True, Refused.EXPIRED)


def test_it_counts_a_request_from_outside_the_allowlist_as_refused(client, account, owner):
    key, secret = PrivateKey.objects.issue(
        account, "Fenced", scopes.FULL_ACCESS, owner, allowed_ips=["192.0.2.1"]
    )
    assert_error(call(client, "GET", "/api/key/", secret, REMOTE_ADDR="203.0.113.9"), 403, "ip_not_allowed")
    assert counted(key) == (1, 1)
    assert last_refusal(key) == (True, Refused.IP_NOT_ALLOWED)
    assert key.last_used_at is None


def test_it_counts_a_missing_scope_as_refused_once(client, read_key):
    key, secret = read_key
    response = call(client, "POST", "/api/lists/", secret, body={"name": "Newsletter"})
    assert assert_error(response, 403, "insufficient_scope")["detail"] == (
        "This API key lacks the lists:write scope; create a key with it."
    )
    assert response["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="lists:write"'
    assert counted(key) == (1, 1)  # one request, refused: not also one served
    assert last_refusal(key) == (True, Refused.INSUFFICIENT_SCOPE)


@override_settings(API_AUTH_FAILURE_LIMIT=2)
def test_it_counts_a_throttled_request_that_carries_a_keys_own_secret(client, full_key, owner):
    key, secret = full_key
    key.deactivate(by=owner)
    for _ in range(2):
        assert_error(call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1"), 401)
    PrivateKey.objects.filter(pk=key.pk).update(last_refused_at=timezone.now() - timedelta(minutes=2))
    response = call(client, "GET", "/api/key/", secret, REMOTE_ADDR="198.51.100.1")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1
    assert counted(key) == (3, 3)
    assert last_refusal(key) == (True, Refused.THROTTLED)


@override_settings(API_AUTH_FAILURE_LIMIT=1)
def test_it_counts_a_throttled_unknown_secret_nowhere(client, full_key):
    key, _ = full_key
    for _ in range(3):
        call(client, "GET", "/api/key/", secrets.generate(), REMOTE_ADDR="198.51.100.1")
    assert usage.pending([key.pk], [usage.today()]) == {}


def test_it_counts_an_unknown_or_deleted_secret_nowhere(client, full_key, owner):
    key, secret = full_key
    other, other_secret = PrivateKey.objects.issue(key.account, "Gone", scopes.FULL_ACCESS, owner)
    other.deactivate(by=owner)
    other.remove(by=owner)
    for candidate in (secrets.generate(), other_secret, secret[:-1] + ("A" if secret[-1] != "A" else "B")):
        assert_error(call(client, "GET", "/api/key/", candidate), 401, "not_authenticated")
    with usage._lock:
        assert not usage._requests and not usage._refused
    assert counted(key) == (0, 0)


def test_it_counts_a_good_request_as_served(client, full_key):
    key, secret = full_key
    assert call(client, "GET", "/api/key/", secret).status_code == 200
    assert counted(key) == (1, 0)
    assert last_refusal(key) == (False, "")


def test_it_costs_a_good_key_one_query_and_no_cache_call_still(client, full_key, django_assert_num_queries):
    key, secret = full_key
    call(client, "GET", "/api/key/", secret)  # writes last use
    with (
        django_assert_num_queries(1),
        mock.patch("apikeys.auth.cache", side_effect=AssertionError("no cache call")) as cache,
    ):
        assert call(client, "GET", "/api/key/", secret).status_code == 200
    assert cache.mock_calls == []
    assert counted(key) == (2, 0)


def test_it_notes_the_last_refusal_at_most_once_a_minute(client, full_key, owner, django_assert_num_queries):
    key, secret = full_key
    key.deactivate(by=owner)
    with django_assert_num_queries(2):  # the look-up, and the last refusal written
        call(client, "GET", "/api/key/", secret)
    first = PrivateKey.objects.get(pk=key.pk).last_refused_at
    with django_assert_num_queries(1):  # the look-up reads a recent last refusal: no write
        call(client, "GET", "/api/key/", secret)
    assert PrivateKey.objects.get(pk=key.pk).last_refused_at == first
    assert counted(key) == (2, 2)


def test_it_writes_the_last_refusal_again_after_a_minute(full_key):
    key, _ = full_key
    now = timezone.now()
    assert key.record_refusal(Refused.IP_NOT_ALLOWED, now=now) is True
    assert key.record_refusal(Refused.INSUFFICIENT_SCOPE, now=now + timedelta(seconds=59)) is False
    assert key.record_refusal(Refused.INSUFFICIENT_SCOPE, now=now + timedelta(seconds=61)) is True
    key.refresh_from_db()
    assert (key.last_refused_at, key.last_refused_reason) == (
        now + timedelta(seconds=61),
        Refused.INSUFFICIENT_SCOPE,
    )


def test_it_lets_one_of_two_stale_copies_write_the_last_refusal(full_key):
    key, _ = full_key
    twin = PrivateKey.objects.get(pk=key.pk)
    assert key.record_refusal(Refused.EXPIRED) is True
    assert twin.record_refusal(Refused.THROTTLED) is False  # its copy was stale; the row was not
    key.refresh_from_db()
    assert key.last_refused_reason == Refused.EXPIRED


@pytest.mark.parametrize(
    ("status", "code", "headers"),
    [(401, "not_authenticated", {"WWW-Authenticate": "Bearer"}), (429, "throttled", {"Retry-After": "7"})],
)
def test_it_answers_a_refusal_in_the_apis_one_error_shape(status, code, headers):
    response = Refusal(status, code, "Why.", headers).response()
    assert response.status_code == status
    assert json.loads(response.content) == {
        "errors": [{"status": str(status), "code": code, "detail": "Why."}]
    }
    assert all(response[name] == value for name, value in headers.items())


def test_it_returns_a_refusal_not_a_response(rf, db):
    refusal = authenticate(rf.get("/api/key/"))
    assert isinstance(refusal, Refusal) and (refusal.status, refusal.code) == (401, "not_authenticated")
