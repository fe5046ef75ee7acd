"""The API's edges: unknown paths, CSRF and CORS."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.helpers import assert_error, call


@pytest.mark.parametrize("path", ["/api/", "/api/nope/", "/api/key/extra/", "/api/lists/a/b/"])
def test_it_answers_unknown_api_paths_in_json(client, db, path):
    for method in ("GET", "POST", "DELETE"):
        assert_error(client.generic(method, path), 404, "not_found")


def test_it_points_at_the_missing_trailing_slash(client, db):
    error = assert_error(client.get("/api/lists"), 404, "not_found")
    assert "/api/lists/" in error["detail"]


def test_it_works_without_csrf_token_on_the_api(full_key):
    _, secret = full_key
    strict = Client(enforce_csrf_checks=True)
    assert call(strict, "POST", "/api/lists/", secret, body={"name": "CSRF-free"}).status_code == 201
    assert call(strict, "POST", "/client/nope/").status_code == 404


def test_it_opens_no_cors_on_the_api(client, full_key):
    _, secret = full_key
    assert "Access-Control-Allow-Origin" not in call(client, "GET", "/api/key/", secret)
    assert "Access-Control-Allow-Origin" not in client.get("/api/key/")
    assert "Access-Control-Allow-Origin" not in client.get("/api/nope/")


def walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_it_exempts_exactly_the_api_and_client_views_from_csrf():
    routes = list(walk(get_resolver()))
    bearer = [(route, view) for route, view in routes if route.startswith(("api/", "client/"))]
    assert len(bearer) >= 6
    assert all(getattr(view, "csrf_exempt", False) for _, view in bearer)
    others = [
        route for route, view in routes if getattr(view, "csrf_exempt", False) and (route, view) not in bearer
    ]
    assert others == []
