"""/api/lists/: the account's lists, and creating one."""

import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzzing
from hypothesis import strategies as st

from lists.models import List
from tests.api.helpers import assert_error, call


def test_it_lists_only_the_accounts_lists(client, full_key, newsletter, their_list):
    _, secret = full_key
    second = List.objects.create(account=newsletter.account, name="Customers")
    response = call(client, "GET", "/api/lists/", secret)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [item["id"] for item in data] == [str(newsletter.public_id), str(second.public_id)]
    assert data[0]["name"] == "Newsletter" and set(data[0]) == {"id", "name", "created_at", "updated_at"}


def test_it_lists_in_two_queries_whatever_the_count(client, full_key, account, django_assert_num_queries):
    key, secret = full_key
    key.record_use("127.0.0.1", "")  # used just now: no write due
    List.objects.bulk_create([List(account=account, name=f"List {n}") for n in range(50)])
    with django_assert_num_queries(2):  # the key, the lists
        response = call(client, "GET", "/api/lists/", secret)
    assert len(response.json()["data"]) == 50


def test_it_creates_a_list(client, full_key, account):
    _, secret = full_key
    response = call(client, "POST", "/api/lists/", secret, body={"name": "  Nouveautés  "})
    assert response.status_code == 201
    lst = List.objects.get()
    assert (lst.account, lst.name) == (account, "Nouveautés")
    assert response.json()["data"]["id"] == str(lst.public_id)
    assert response["Location"] == f"/api/lists/{lst.public_id}/"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/name"),
        ({"name": ""}, "/name"),
        ({"name": "   "}, "/name"),
        ({"name": "x" * 101}, "/name"),
        ({"name": "a\x00b"}, "/name"),
        ({"name": "News\nletter"}, "/name"),
        ({"name": "News\u202eletter"}, "/name"),
        ({"name": 42}, "/name"),
        ({"name": None}, "/name"),
        ({"name": ["a"]}, "/name"),
        ({"name": "ok", "colour": "red"}, "/colour"),
        ({"name": "ok", "a/b~": 1}, "/a~1b~0"),
    ],
)
def test_it_refuses_a_bad_name_naming_the_field(client, full_key, body, pointer):
    _, secret = full_key
    error = assert_error(call(client, "POST", "/api/lists/", secret, body=body), 400)
    assert error["source"] == {"pointer": pointer}
    assert pointer.strip("/").split("~")[0] in error["detail"]
    assert not List.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "{",
        "not json",
        "[]",
        '"name"',
        "null",
        "1e999999",
        "[" * 50_000,
        b"\xff\xfe{",
        '{"name": "x"} trailing',
    ],
)
def test_it_refuses_a_body_that_is_not_a_json_object(client, full_key, raw):
    _, secret = full_key
    assert_error(call(client, "POST", "/api/lists/", secret, body=raw), 400, "invalid_json")
    assert not List.objects.exists()


def test_it_refuses_a_body_too_large(client, full_key, settings):
    _, secret = full_key
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = call(client, "POST", "/api/lists/", secret, body={"name": "x" * 2000})
    assert_error(response, 413, "too_large")
    assert not List.objects.exists()


def test_it_rejects_other_methods(client, full_key):
    _, secret = full_key
    response = call(client, "PUT", "/api/lists/", secret, body={"name": "x"})
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, POST"


def test_it_requires_a_key(client, db):
    assert_error(call(client, "GET", "/api/lists/"), 401, "not_authenticated")
    assert_error(call(client, "POST", "/api/lists/", body={"name": "x"}), 401, "not_authenticated")
    assert not List.objects.exists()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=120),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@fuzzing(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.fixed_dictionaries({"name": json_values}), json_values, st.binary(max_size=80)))
def test_it_never_answers_500_to_fuzzed_bodies(client, full_key, body):
    _, secret = full_key
    raw = body if isinstance(body, bytes) else json.dumps(body)
    response = call(client, "POST", "/api/lists/", secret, body=raw)
    assert response.status_code in (201, 400)
    if response.status_code == 400:
        assert_error(response, 400)
    else:
        assert List.objects.filter(public_id=response.json()["data"]["id"]).exists()
