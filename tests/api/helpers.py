"""Calling the JSON API from tests, and checking its one error shape."""

from __future__ import annotations

import json

from apikeys import scopes
from apikeys.models import PrivateKey

# A custom key that opens other resources but not lists.
NO_LISTS_SCOPES = ["campaigns:read", "campaigns:write", "profiles:read"]


def issue(account, by, scope_set=scopes.FULL_ACCESS, name="Zapier") -> tuple[PrivateKey, str]:
    return PrivateKey.objects.issue(account, name, scope_set, by)


def call(client, method: str, path: str, secret: str | None = None, body=None, **extra):
    """Send ``body`` as JSON (a str is sent as is) with the secret as a bearer token."""
    if secret is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    if body is not None and not isinstance(body, str | bytes):
        body = json.dumps(body)
    return client.generic(method, path, body or "", content_type="application/json", **extra)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Assert the API's error shape and return the first error."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert isinstance(errors, list) and errors
    for error in errors:
        assert error["status"] == str(status)
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["detail"], str) and error["detail"]
    if code is not None:
        assert errors[0]["code"] == code
    return errors[0]
