"""Our own 400, 403, 404 and 500 pages, which never echo request data; oversized bodies are refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.views.defaults import server_error

from tests.security.inline import assert_strict_csp

SCRIPT_PATH = "/settings/<script>alert('owned')</script>/"


@pytest.mark.parametrize("logged_in", [False, True])
def test_it_shows_our_404_without_echoing_the_path(client, owner, logged_in):
    if logged_in:
        client.force_login(owner)
    response = client.get(SCRIPT_PATH)
    assert response.status_code == 404
    assert "Page not found" in response.text
    for echo in ("alert", "owned", "%3Cscript", "&lt;script", SCRIPT_PATH):
        assert echo not in response.text
    assert_strict_csp(response)


def test_it_refuses_an_oversized_body_with_our_400(client, db):
    response = client.post(
        "/login/", data="username=" + "x" * 1024 * 1024, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "Bad request" in response.text
    assert_strict_csp(response)


def test_it_refuses_an_unknown_host_with_our_400(client, db):
    response = client.get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Bad request" in response.text
    assert "evil.example" not in response.text


def test_it_shows_our_403_on_a_csrf_failure(db):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a@example.test"})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "CSRF cookie" not in response.text
    assert "a@example.test" not in response.text
    assert_strict_csp(response)


@pytest.mark.urls("tests.security.urls")
def test_it_shows_our_403_without_the_reason(client, db):
    response = client.get("/test/403/")
    assert response.status_code == 403
    assert "You don't have access to this page" in response.text
    assert "internal reason" not in response.text
    assert_strict_csp(response)


@pytest.mark.urls("tests.security.urls")
def test_it_shows_our_500_without_the_error(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test/500/?q=<script>")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "boom" not in response.text
    assert "<script" not in response.text
    assert_strict_csp(response)


def test_it_renders_the_500_page_without_the_database(rf):
    response = server_error(rf.get("/"))  # no db fixture: any query would raise
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_it_keeps_the_header_and_switcher_on_a_404_for_a_member(client, owner):
    client.force_login(owner)
    response = client.get("/settings/api-keys/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert 'id="account-switcher"' in response.text
    assert '<input type="hidden" name="next" value="/settings/">' in response.text
    assert_strict_csp(response)
