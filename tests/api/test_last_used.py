"""last_used_at, last_used_ip and last_used_user_agent: written at most once a minute per key."""

from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.helpers import call


def updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("UPDATE")]


def test_it_records_the_first_use_with_address_and_user_agent(client, full_key):
    key, secret = full_key
    assert key.last_used_at is None
    call(client, "GET", "/api/key/", secret, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="curl/8.5")
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert (key.last_used_ip, key.last_used_user_agent) == ("203.0.113.7", "curl/8.5")


def test_it_writes_once_for_many_requests_within_a_minute(client, full_key):
    key, secret = full_key
    with CaptureQueriesContext(connection) as queries:
        for n in range(20):
            response = call(client, "GET", "/api/key/", secret, HTTP_USER_AGENT=f"client/{n}")
            assert response.status_code == 200
    assert len(updates(queries)) == 1
    # One look-up per request and one write of the last use; usage waits in memory for its flush.
    assert len(queries.captured_queries) == 20 + 1
    key.refresh_from_db()
    assert key.last_used_user_agent == "client/0"


def test_it_writes_again_once_the_minute_is_over(client, full_key):
    key, secret = full_key
    start = timezone.now()
    call(client, "GET", "/api/key/", secret, HTTP_USER_AGENT="first")
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(seconds=59)):
        call(client, "GET", "/api/key/", secret, HTTP_USER_AGENT="too soon")
    key.refresh_from_db()
    assert key.last_used_user_agent == "first"
    later = start + timedelta(seconds=61)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        CaptureQueriesContext(connection) as queries,
    ):
        for _ in range(5):
            call(client, "GET", "/api/key/", secret, HTTP_USER_AGENT="a minute later")
    assert len(updates(queries)) == 1
    key.refresh_from_db()
    assert (key.last_used_at, key.last_used_user_agent) == (later, "a minute later")


def test_it_stores_no_address_it_cannot_parse_and_no_nul(client, full_key):
    key, secret = full_key
    response = call(
        client, "GET", "/api/key/", secret, REMOTE_ADDR="", HTTP_USER_AGENT="bad\x00agent" + "x" * 500
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_ip is None
    assert key.last_used_user_agent.startswith("badagent") and len(key.last_used_user_agent) == 255


def test_it_lets_one_of_two_stale_copies_write(full_key):
    key, _ = full_key
    first, second = type(key).objects.get(pk=key.pk), type(key).objects.get(pk=key.pk)
    assert first.record_use("192.0.2.1", "one") is True
    assert second.record_use("192.0.2.2", "two") is False  # its stale copy said "never used"
    key.refresh_from_db()
    assert key.last_used_user_agent == "one"
