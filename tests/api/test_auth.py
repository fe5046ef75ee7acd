"""The authentication decorator, exercised through GET /api/key/."""

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apikeys import secrets
from apikeys.auth import INVALID_DETAIL, PUBLIC_KEY_DETAIL
from apikeys.models import PrivateKey
from tests.api.helpers import assert_error, call


def get_key(client, authorization=None, **extra):
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization
    return client.get("/api/key/", **extra)


def unknown_secret() -> str:
    """A well-formed secret with a good checksum that no key has."""
    return secrets.generate()


def bad_checksum(secret: str) -> str:
    last = secret[-1]
    return secret[:-1] + ("A" if last != "A" else "B")


def test_it_refuses_a_missing_header_without_a_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = get_key(client)
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in error["detail"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", "Bearer   ", "", "   "])
def test_it_refuses_other_schemes_and_empty_credentials(client, db, header):
    response = get_key(client, header)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_bad_checksum_without_a_query(client, full_key, django_assert_num_queries):
    _, secret = full_key
    with django_assert_num_queries(0):
        response = call(client, "GET", "/api/key/", bad_checksum(secret))
    assert assert_error(response, 401, "not_authenticated")["detail"] == INVALID_DETAIL


def test_it_refuses_an_unknown_key_with_one_query(client, full_key, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = call(client, "GET", "/api/key/", unknown_secret())
    assert assert_error(response, 401, "not_authenticated")["detail"] == INVALID_DETAIL


def test_it_answers_unknown_inactive_and_malformed_keys_alike(client, full_key, owner):
    key, secret = full_key
    key.deactivate(by=owner)
    answers = [
        call(client, "GET", "/api/key/", candidate)
        for candidate in (secret, unknown_secret(), bad_checksum(secret), "pk_short", secret + "x")
    ]
    assert {(r.status_code, r.content, r["WWW-Authenticate"]) for r in answers} == {
        (401, answers[0].content, "Bearer")
    }


def test_it_refuses_a_deactivated_key_on_the_next_request(client, full_key, owner):
    key, secret = full_key
    assert call(client, "GET", "/api/key/", secret).status_code == 200
    key.deactivate(by=owner, reason="leaked")
    assert_error(call(client, "GET", "/api/key/", secret), 401, "not_authenticated")
    key.reactivate(by=owner)
    assert call(client, "GET", "/api/key/", secret).status_code == 200


def test_it_refuses_a_deleted_key(client, full_key, owner):
    key, secret = full_key
    key.deactivate(by=owner)
    key.remove(by=owner)
    assert_error(call(client, "GET", "/api/key/", secret), 401, "not_authenticated")


def test_it_tells_a_public_key_is_no_private_key_without_a_query(client, account, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = call(client, "GET", "/api/key/", account.public_key)
    error = assert_error(response, 401, "not_authenticated")
    assert error["detail"] == PUBLIC_KEY_DETAIL and "private" in error["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_accepts_the_scheme_in_any_case_and_surrounding_spaces(client, full_key):
    _, secret = full_key
    assert get_key(client, f"bearer {secret}").status_code == 200
    assert get_key(client, f"  BEARER   {secret}  ").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer " + "A" * 10_000,
        "Bearer pk_ünïcödé€",
        "Bearer pk_\x00\x01\x02",
        "Bearer \u202epk_",
        "Bearer 🔑🔑🔑🔑🔑🔑",
        "Bearer ÄÖÜäöü",  # six characters, not a public key's alphabet
        "Bearer pk_" + "é" * 34,
        "\xff\xfe\xfd",
    ],
)
def test_it_refuses_odd_headers_in_json(client, db, header):
    response = get_key(client, header)
    assert_error(response, 401, "not_authenticated")


def test_it_never_puts_the_secret_in_the_answer(client, full_key, owner):
    key, secret = full_key
    key.deactivate(by=owner)
    assert secret not in call(client, "GET", "/api/key/", secret).content.decode()


@override_settings(API_KEY_PEPPERS=["new-pepper", "test-pepper-current"])
def test_it_rehashes_a_key_found_under_an_old_pepper(client, db, account, owner):
    with override_settings(API_KEY_PEPPERS=["test-pepper-current"]):
        key, secret = PrivateKey.objects.issue(account, "Old", ["lists:read"], owner)
    old_pepper_id = key.pepper_id
    assert call(client, "GET", "/api/key/", secret).status_code == 200
    key.refresh_from_db()
    assert key.pepper_id == secrets.pepper_id("new-pepper") != old_pepper_id
    assert key.digest == secrets.digest(secret, "new-pepper")
    assert call(client, "GET", "/api/key/", secret).status_code == 200


@override_settings(API_KEY_PEPPERS=["only-a-new-pepper"])
def test_it_refuses_a_key_whose_pepper_was_dropped(client, db, account, owner):
    with override_settings(API_KEY_PEPPERS=["test-pepper-current"]):
        _, secret = PrivateKey.objects.issue(account, "Old", ["lists:read"], owner)
    assert_error(call(client, "GET", "/api/key/", secret), 401, "not_authenticated")


# Text of any kind and length, and things shaped like the credentials the API knows.
headers = st.one_of(
    st.text(max_size=300),
    st.text(max_size=12_000).map(lambda s: "Bearer " + s),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.text(alphabet=secrets.BASE62, min_size=34, max_size=34).map(lambda s: "Bearer pk_" + s),
    st.text(alphabet=secrets.BASE62, min_size=28, max_size=28).map(
        lambda s: "Bearer " + "pk_" + s + secrets.checksum("pk_" + s)
    ),
    st.sampled_from(["Bearer", "Basic", "Token", "bearer", "BEARER"]).flatmap(
        lambda scheme: st.text(max_size=80).map(lambda rest: f"{scheme} {rest}")
    ),
)


@override_settings(API_AUTH_FAILURE_LIMIT=10**9)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=headers)
def test_it_never_answers_500_to_fuzzed_headers(client, db, header):
    response = get_key(client, header)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
