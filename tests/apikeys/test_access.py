"""Who gets what from every URL of the tab: one table instead of a copy per view."""

import pytest

from tests.apikeys.helpers import state, url

CREATE_DATA = {"name": "Zapier", "access": "read_only"}

# view name, which key its URL names, answer to an owner's or admin's GET and POST
VIEWS = [
    ("list", None, 200, 405),
    ("create", None, 200, 302),
    ("detail", "key", 200, 405),
    ("reveal", "key", 200, 405),
    ("clone", "key", 200, 302),
    ("rename", "key", 200, 302),
    ("deactivate", "key", 200, 302),
    ("reactivate", "inactive_key", 200, 302),
    ("delete", "inactive_key", 200, 302),
]
KEY_VIEWS = [view for view in VIEWS if view[1]]


def _path(request, name, key_fixture):
    return url(name, request.getfixturevalue(key_fixture) if key_fixture else None)


DATA = {"create": CREATE_DATA, "clone": {"name": "Zapier (copy)"}, "rename": {"name": "Zapier sync"}}


def _data(name):
    return DATA.get(name, {})


@pytest.mark.parametrize("persona", ["owner", "admin"])
@pytest.mark.parametrize(("name", "key_fixture", "get_status", "post_status"), VIEWS)
def test_it_lets_owner_and_admin_in(request, client, persona, name, key_fixture, get_status, post_status):
    client.force_login(request.getfixturevalue(persona))
    path = _path(request, name, key_fixture)
    assert client.get(path).status_code == get_status
    assert client.post(path, _data(name)).status_code == post_status


@pytest.mark.parametrize(("name", "key_fixture", "get_status", "post_status"), VIEWS)
def test_it_sends_anonymous_visitors_to_login(
    request, client, db, name, key_fixture, get_status, post_status
):
    path = _path(request, name, key_fixture)
    before = state()
    for response in (client.get(path), client.post(path, _data(name))):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    assert state() == before


@pytest.mark.parametrize(("name", "key_fixture", "get_status", "post_status"), VIEWS)
def test_it_forbids_managers(request, client, manager, name, key_fixture, get_status, post_status):
    client.force_login(manager)
    path = _path(request, name, key_fixture)
    before = state()
    assert client.get(path).status_code == 403
    assert client.post(path, _data(name)).status_code == 403
    assert state() == before


@pytest.mark.parametrize(("name", "key_fixture", "get_status", "post_status"), KEY_VIEWS)
def test_it_hides_our_keys_from_another_account(
    request, client, outsider, name, key_fixture, get_status, post_status
):
    client.force_login(outsider)
    path = _path(request, name, key_fixture)
    before = state()
    assert client.get(path).status_code == 404
    # Pages that only read refuse POST before looking the key up; verbs look it up first.
    assert client.post(path).status_code == (404 if post_status == 302 else 405)
    assert state() == before


@pytest.mark.parametrize(("name", "key_fixture", "get_status", "post_status"), KEY_VIEWS)
def test_it_hides_keys_of_another_account(
    owner_client, foreign_key, name, key_fixture, get_status, post_status
):
    path = url(name, foreign_key)
    before = state()
    assert owner_client.get(path).status_code == 404
    assert owner_client.post(path).status_code == (404 if post_status == 302 else 405)
    assert state() == before


@pytest.mark.parametrize("name", [view[0] for view in KEY_VIEWS])
@pytest.mark.parametrize("bad_id", ["42", "not-a-uuid", "8bb4d6dc-b50d-426f-9fd7", "%00", "..%2F"])
def test_it_answers_404_to_ids_that_are_not_uuids(owner_client, key, name, bad_id):
    path = url(name, key).replace(str(key.public_id), bad_id)
    before = state()
    assert owner_client.get(path).status_code == 404
    assert owner_client.post(path).status_code == 404
    assert state() == before


def test_it_answers_404_to_an_unknown_uuid(owner_client, key):
    path = url("detail", key).replace(str(key.public_id), "00000000-0000-4000-8000-000000000000")
    assert owner_client.get(path).status_code == 404
