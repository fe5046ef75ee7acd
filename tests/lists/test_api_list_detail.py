"""/api/lists/<id>/: one list of the key's account; another account's list is 404."""

import uuid

import pytest

from lists.models import List, Subscription
from tests.api.helpers import assert_error, call


def path(lst) -> str:
    return f"/api/lists/{lst.public_id}/"


def test_it_shows_a_list(client, read_key, newsletter):
    _, secret = read_key
    response = call(client, "GET", path(newsletter), secret)
    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(newsletter.public_id)
    assert response.json()["data"]["name"] == "Newsletter"


def test_it_renames_a_list(client, full_key, newsletter):
    _, secret = full_key
    response = call(client, "PATCH", path(newsletter), secret, body={"name": " Weekly "})
    assert response.status_code == 200 and response.json()["data"]["name"] == "Weekly"
    newsletter.refresh_from_db()
    assert newsletter.name == "Weekly"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid"),
        ({"name": ""}, "required"),
        ({"name": 1}, "invalid"),
        ({"name": "Weekly\r\nBcc: someone@evil.test"}, "control_characters"),
    ],
)
def test_it_refuses_a_bad_rename_and_changes_nothing(client, full_key, newsletter, body, code):
    _, secret = full_key
    assert_error(call(client, "PATCH", path(newsletter), secret, body=body), 400, code)
    newsletter.refresh_from_db()
    assert newsletter.name == "Newsletter"


def test_it_deletes_a_list_and_its_subscriptions(client, full_key, newsletter):
    _, secret = full_key
    newsletter.subscribe("a@example.test")
    response = call(client, "DELETE", path(newsletter), secret)
    assert response.status_code == 204 and response.content == b""
    assert not List.objects.exists() and not Subscription.objects.exists()
    assert_error(call(client, "GET", path(newsletter), secret), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("PATCH", {"name": "Mine now"}), ("DELETE", None)]
)
def test_it_checks_access(client, full_key, their_list, method, body):
    _, secret = full_key
    assert_error(call(client, method, path(their_list), secret, body=body), 404, "not_found")
    their_list.refresh_from_db()
    assert their_list.name == "Their list"


@pytest.mark.parametrize("list_id", ["1", "not-a-uuid", str(uuid.uuid4()), "%00", "ü" * 40])
def test_it_answers_404_for_ids_that_are_not_lists(client, full_key, list_id):
    _, secret = full_key
    assert_error(call(client, "GET", f"/api/lists/{list_id}/", secret), 404, "not_found")


def test_it_rejects_other_methods(client, full_key, newsletter):
    _, secret = full_key
    response = call(client, "POST", path(newsletter), secret, body={"name": "x"})
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "DELETE, GET, PATCH"


def test_it_requires_a_key(client, newsletter):
    assert_error(call(client, "DELETE", path(newsletter)), 401, "not_authenticated")
    assert List.objects.filter(pk=newsletter.pk).exists()
