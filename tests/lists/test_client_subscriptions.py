"""/client/subscriptions/: the one thing a public key may do."""

import json
import time
import uuid
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lists.models import Subscription
from tests.api.helpers import assert_error, call


def subscribe(client, company_id, body, **extra):
    query = "" if company_id is None else f"?company_id={company_id}"
    return call(client, "POST", f"/client/subscriptions/{query}", body=body, **extra)


def body(lst, email="ada@example.test"):
    return {"email": email, "list_id": str(lst.public_id)}


def test_it_subscribes_and_reads_nothing_back(client, account, newsletter):
    response = subscribe(client, account.public_key, body(newsletter, "Ada@Example.test"))
    assert response.status_code == 202 and response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert list(Subscription.objects.values_list("list", "email")) == [(newsletter.pk, "ada@example.test")]


def test_it_answers_a_repeat_the_same_way(client, account, newsletter):
    first = subscribe(client, account.public_key, body(newsletter))
    again = subscribe(client, account.public_key, body(newsletter))
    assert (first.status_code, first.content) == (again.status_code, again.content) == (202, b"")
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "pointer", "code"),
    [
        ({"email": "not an email", "list_id": None}, "/email", "invalid"),
        ({"email": "", "list_id": None}, "/email", "required"),
        ({"list_id": None}, "/email", "required"),
        ({"email": "a@example.test", "list_id": "nope"}, "/list_id", "invalid"),
        ({"email": "a@example.test"}, "/list_id", "required"),
        ({"email": ["a@example.test"], "list_id": None}, "/email", "invalid"),
        ({"email": "a@example.test", "list_id": None, "name": "Ada"}, "/name", "unknown_field"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(client, account, newsletter, payload, pointer, code):
    payload = {k: (str(newsletter.public_id) if v is None else v) for k, v in payload.items()}
    error = assert_error(subscribe(client, account.public_key, payload), 400, code)
    assert error["source"] == {"pointer": pointer}
    assert not Subscription.objects.exists()


def long_email(length: int, domain: str) -> str:
    """Return an address of ``length`` characters at ``domain`` (its local part of 'a's)."""
    return "a" * (length - 1 - len(domain)) + "@" + domain


# 'İ' lower-cases to 'i̇' (two code points): an address of these grows by one character per 'İ'.
DOTTED_DOMAIN = "İ" * 20 + "." + "b" * 60 + "." + "c" * 60 + ".test"


def test_it_takes_an_email_as_long_as_the_column(client, account, newsletter):
    email = long_email(254, "B" * 60 + ".example.test")
    assert subscribe(client, account.public_key, body(newsletter, email)).status_code == 202
    assert list(Subscription.objects.values_list("email", flat=True)) == [email.lower()]


def test_it_refuses_an_email_that_lower_casing_makes_too_long(client, account, newsletter):
    email = long_email(254, DOTTED_DOMAIN)
    assert len(email.lower()) == 274
    error = assert_error(subscribe(client, account.public_key, body(newsletter, email)), 400, "max_length")
    assert error["source"] == {"pointer": "/email"}
    assert "at most 254 characters once lower-cased (it has 274)" in error["detail"]
    assert not Subscription.objects.exists()


def test_it_stores_an_email_that_still_fits_once_lower_cased(client, account, newsletter):
    email = long_email(234, DOTTED_DOMAIN)
    assert subscribe(client, account.public_key, body(newsletter, email)).status_code == 202
    assert list(Subscription.objects.values_list("email", flat=True)) == [email.lower()]
    assert len(email.lower()) == 254


def test_it_refuses_a_body_that_is_not_json(client, account):
    assert_error(subscribe(client, account.public_key, "email=a@example.test"), 400, "invalid_json")


def test_it_answers_404_for_an_unknown_list(client, account, newsletter):
    error = assert_error(
        subscribe(client, account.public_key, {"email": "a@b.test", "list_id": str(uuid.uuid4())}), 404
    )
    assert error["source"] == {"pointer": "/list_id"}
    assert not Subscription.objects.exists()


def test_it_checks_access(client, account, their_list):
    """Another account's list is unknown to this public key."""
    error = assert_error(subscribe(client, account.public_key, body(their_list)), 404, "not_found")
    assert error["source"] == {"pointer": "/list_id"}
    assert not Subscription.objects.exists()


def test_it_answers_404_for_an_unknown_company_id(client, account, newsletter):
    error = assert_error(subscribe(client, "Zz9Zz9", body(newsletter)), 404, "not_found")
    assert error["source"] == {"parameter": "company_id"}
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("company_id", [None, "", "abc", "abcdefg", "ab%20cd1", "%C3%BC" * 6])
def test_it_refuses_a_missing_or_malformed_company_id(client, newsletter, company_id):
    error = assert_error(subscribe(client, company_id, body(newsletter)), 400, "invalid_company_id")
    assert error["source"] == {"parameter": "company_id"}
    assert not Subscription.objects.exists()


def test_it_refuses_a_private_key_as_company_id(client, newsletter, full_key):
    _, secret = full_key
    error = assert_error(subscribe(client, secret, body(newsletter)), 400, "invalid_company_id")
    assert "private key" in error["detail"]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("scheme", ["Bearer", "Basic", "Token"])
def test_it_refuses_any_authorization_header(client, account, newsletter, full_key, scheme):
    _, secret = full_key
    response = subscribe(
        client, account.public_key, body(newsletter), HTTP_AUTHORIZATION=f"{scheme} {secret}"
    )
    error = assert_error(response, 400, "authorization_not_accepted")
    assert "private key" in error["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not Subscription.objects.exists()


def test_it_answers_a_cors_preflight(client, db):
    response = client.options(
        "/client/subscriptions/?company_id=AbC123",
        HTTP_ORIGIN="https://shop.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "Content-Type"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_it_rejects_other_methods(client, account, method):
    response = call(client, method, f"/client/subscriptions/?company_id={account.public_key}")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST" and response["Access-Control-Allow-Origin"] == "*"


def test_it_answers_unknown_client_paths_in_json_with_cors(client, db):
    response = client.get("/client/nope/")
    assert_error(response, 404, "not_found")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_it_takes_no_public_key_on_the_private_api(client, account, newsletter):
    """The public key opens nothing but this endpoint."""
    for path in ("/api/key/", "/api/lists/", f"/api/lists/{newsletter.public_id}/"):
        assert_error(call(client, "GET", path, account.public_key), 401, "not_authenticated")
        assert_error(client.get(f"{path}?company_id={account.public_key}"), 401, "not_authenticated")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    company_id=st.text(max_size=12),
    payload=st.one_of(
        st.fixed_dictionaries({"email": json_values, "list_id": json_values}),
        json_values,
        st.binary(max_size=60),
    ),
)
def test_it_never_answers_500_to_fuzzed_input(client, account, newsletter, company_id, payload):
    cache.clear()  # each example starts below the rate limits, as each test does
    raw = payload if isinstance(payload, bytes) else None
    response = client.post(
        "/client/subscriptions/",
        raw if raw is not None else json.dumps(payload),
        content_type="application/json",
        QUERY_STRING=f"company_id={quote(company_id)}",  # as a browser would send it
    )
    assert response.status_code in (202, 400, 404)
    if response.status_code != 202:
        assert_error(response, response.status_code)


# Rate limits ------------------------------------------------------------------------------------------------


def assert_throttled(response) -> None:
    error = assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60 and response["Retry-After"] in error["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "Retry-After"


@override_settings(SUBSCRIPTION_IP_LIMIT=3, SUBSCRIPTION_LIMIT=100)
def test_it_limits_subscriptions_per_client_address(client, account, newsletter):
    for i in range(3):
        response = subscribe(
            client, account.public_key, body(newsletter, f"{i}@x.test"), REMOTE_ADDR="198.51.100.1"
        )
        assert response.status_code == 202
    assert_throttled(
        subscribe(client, account.public_key, body(newsletter, "4@x.test"), REMOTE_ADDR="198.51.100.1")
    )
    # Even with a site ID that is no site ID: the address is counted first.
    assert_throttled(subscribe(client, "pk_nope", body(newsletter), REMOTE_ADDR="198.51.100.1"))
    assert Subscription.objects.count() == 3
    other = subscribe(client, account.public_key, body(newsletter, "5@x.test"), REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 202


@override_settings(SUBSCRIPTION_IP_LIMIT=100, SUBSCRIPTION_LIMIT=3)
def test_it_limits_subscriptions_per_site_id_from_any_address(client, account, newsletter, their_list):
    for i in range(3):
        response = subscribe(
            client, account.public_key, body(newsletter, f"{i}@x.test"), REMOTE_ADDR=f"198.51.100.{i}"
        )
        assert response.status_code == 202
    assert_throttled(
        subscribe(client, account.public_key, body(newsletter, "4@x.test"), REMOTE_ADDR="203.0.113.9")
    )
    assert Subscription.objects.filter(list=newsletter).count() == 3
    elsewhere = subscribe(client, their_list.account.public_key, body(their_list), REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == 202


@override_settings(SUBSCRIPTION_IP_LIMIT=1, SUBSCRIPTION_LIMIT=100)
def test_it_does_not_put_every_client_of_unknown_address_in_one_bucket(client, account, newsletter, settings):
    settings.TRUSTED_PROXIES = []
    for i in range(3):
        response = subscribe(client, account.public_key, body(newsletter, f"{i}@x.test"), REMOTE_ADDR="")
        assert response.status_code == 202


@override_settings(SUBSCRIPTION_IP_LIMIT=2, SUBSCRIPTION_LIMIT=100)
def test_it_opens_a_new_minute(client, account, newsletter, monkeypatch):
    now = 1_000_000_040.0  # 20 seconds into a minute
    monkeypatch.setattr(time, "time", lambda: now)
    for i in range(2):
        subscribe(client, account.public_key, body(newsletter, f"{i}@x.test"))
    response = subscribe(client, account.public_key, body(newsletter, "2@x.test"))
    assert_throttled(response)
    assert response["Retry-After"] == "40"
    now += 40
    assert subscribe(client, account.public_key, body(newsletter, "3@x.test")).status_code == 202


@override_settings(SUBSCRIPTION_IP_LIMIT=2, SUBSCRIPTION_LIMIT=100)
def test_it_limits_subscriptions_through_redis_too(client, account, newsletter, redis_cache):
    for i in range(2):
        response = subscribe(client, account.public_key, body(newsletter, f"{i}@x.test"))
        assert response.status_code == 202
    assert_throttled(subscribe(client, account.public_key, body(newsletter, "2@x.test")))
    redis_cache.flushdb()  # the counters lived in Redis: without them the address starts again
    assert subscribe(client, account.public_key, body(newsletter, "3@x.test")).status_code == 202
