"""While the database cannot be reached, the API answers 503 in its JSON shape and the pages a 503 page.

Here every query fails the way an unreachable server makes it fail (psycopg's OperationalError, wrapped by
Django); tests/faults/test_app_servers.py takes a real server's database away and brings it back.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from tests.api.helpers import assert_error, call, issue
from tests.security.inline import assert_strict_csp

pytestmark = pytest.mark.django_db


def unreachable(error=OperationalError):
    """Make every query raise ``error``, as when the server refuses or drops connections."""
    message = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    return mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=error(message))


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_it_answers_503_in_the_apis_shape_with_retry_after(client, account, owner, error):
    _, secret = issue(account, owner)
    with unreachable(error):
        response = call(client, "GET", "/api/key/", secret)
    found = assert_error(response, 503, "service_unavailable")
    assert response["Retry-After"] == "5"
    assert "Retry in a few seconds" in found["detail"]


def test_it_answers_a_friendly_503_page(client, owner):
    client.force_login(owner)
    with unreachable():
        response = client.get("/settings/api-keys/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Keyward is briefly unavailable" in response.text
    assert "Traceback" not in response.text and "OperationalError" not in response.text
    assert_strict_csp(response)


def test_it_keeps_the_user_logged_in_through_the_outage(client, owner):
    client.force_login(owner)
    with unreachable():
        assert client.get("/settings/api-keys/").status_code == 503
    assert client.get("/settings/api-keys/").status_code == 200


def test_it_answers_503_when_a_middleware_meets_the_database_down(db, owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    # The session is saved by SessionMiddleware after the view: outside any view's exception handling.
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save", side_effect=OperationalError("gone")
    ):
        response = client.get("/login/")
    assert response.status_code == 503
    assert "Keyward is briefly unavailable" in response.text


def test_it_answers_again_as_soon_as_the_database_is_back(client, account, owner):
    _, secret = issue(account, owner)
    with unreachable():
        assert call(client, "GET", "/api/key/", secret).status_code == 503
    assert call(client, "GET", "/api/key/", secret).status_code == 200


def test_it_still_answers_500_for_any_other_error(db):
    client = Client(raise_request_exception=False)
    with mock.patch("apikeys.auth.authenticate", side_effect=RuntimeError("bug")):
        response = call(client, "GET", "/api/key/", "pk_x")
    assert_error(response, 500, "server_error")
