"""Django's own errors (config/errors.py) answer in the API's JSON shape under /api/ and /client/."""

from __future__ import annotations

import pytest
from django.test import Client

from config import errors
from tests.api.helpers import assert_error

BAD_HOST = "evil.example"
MANY_PARAMETERS = "&".join(f"a{i}=1" for i in range(1001))  # one more than DATA_UPLOAD_MAX_NUMBER_FIELDS


@pytest.mark.parametrize("path", ["/api/key/", "/api/nope/", "/client/subscriptions/"])
def test_it_answers_an_unknown_host_in_json(client, db, path):
    response = client.get(path, HTTP_HOST=BAD_HOST, HTTP_AUTHORIZATION="Bearer x")
    error = assert_error(response, 400, "bad_request")
    assert "host name" in error["detail"]
    assert BAD_HOST not in response.text


def test_it_answers_too_many_parameters_in_json_with_cors(client, db):
    response = client.post(f"/client/subscriptions/?{MANY_PARAMETERS}", "{}", content_type="application/json")
    assert "at most 1000" in assert_error(response, 400, "bad_request")["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.urls("tests.security.urls")
@pytest.mark.parametrize(("path", "cors"), [("/api/test/500/", False), ("/client/test/500/", True)])
def test_it_answers_a_server_error_in_json(db, path, cors):
    response = Client(raise_request_exception=False).get(path)
    error = assert_error(response, 500, "server_error")
    assert "boom" not in response.text and "pk_" not in error["detail"]
    assert ("Access-Control-Allow-Origin" in response) is cors


@pytest.mark.urls("tests.security.urls")
def test_it_answers_a_permission_error_and_a_missing_object_in_json(client, db):
    assert "internal reason" not in assert_error(client.get("/api/test/403/"), 403, "forbidden")["detail"]
    assert "internal reason" not in assert_error(client.get("/api/test/404/"), 404, "not_found")["detail"]


@pytest.mark.urls("tests.security.urls")
def test_it_keeps_the_html_pages_elsewhere(client, db):
    assert "Bad request" in client.get("/login/", HTTP_HOST=BAD_HOST).text
    assert "Page not found" in client.get("/nope/").text
    assert "You don't have access to this page" in client.get("/test/403/").text
    assert "Something went wrong" in Client(raise_request_exception=False).get("/test/500/").text
    assert "Page not found" in client.get("/apiary/").text  # only the /api/ folder itself answers JSON


@pytest.mark.parametrize("path", ["/api/key/", "/settings/"])
def test_it_answers_a_server_error_without_the_database(rf, path):
    response = errors.server_error(rf.get(path))  # no db fixture: any query would raise
    assert response.status_code == 500
