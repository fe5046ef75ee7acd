"""Every Lists endpoint against a full-access, a read-only and a custom key without lists scopes."""

import pytest

from lists.models import List
from tests.api.helpers import assert_error, call

ENDPOINTS = [
    # (method, path to the collection or to the list, body, needed scope, status on success)
    ("GET", "collection", None, "lists:read", 200),
    ("POST", "collection", {"name": "New"}, "lists:write", 201),
    ("GET", "detail", None, "lists:read", 200),
    ("PATCH", "detail", {"name": "Renamed"}, "lists:write", 200),
    ("DELETE", "detail", None, "lists:write", 204),
]
KEYS = {
    "full": {"lists:read", "lists:write"},
    "read": {"lists:read"},
    "custom": set(),
}


@pytest.mark.parametrize("kind", KEYS)
@pytest.mark.parametrize(("method", "target", "body", "scope", "success"), ENDPOINTS)
def test_it_enforces_scopes(request, client, newsletter, kind, method, target, body, scope, success):
    _, secret = request.getfixturevalue(f"{kind}_key")
    path = "/api/lists/" if target == "collection" else f"/api/lists/{newsletter.public_id}/"
    before = list(List.objects.values_list("name", flat=True))
    response = call(client, method, path, secret, body=body)
    if scope in KEYS[kind]:
        assert response.status_code == success, response.content
    else:
        error = assert_error(response, 403, "insufficient_scope")
        assert scope in error["detail"]
        assert scope in response["WWW-Authenticate"]
        assert list(List.objects.values_list("name", flat=True)) == before
