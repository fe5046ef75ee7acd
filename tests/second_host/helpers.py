"""Driving Orbit as its people do: the tab for keys, a bare client for the API."""

from __future__ import annotations

from django.urls import reverse

from apikeys.models import PrivateKey
from apikeys.secrets import SHAPE


def create_key(client, name: str = "CI", **levels: str) -> tuple[PrivateKey, str]:
    """Create a key in the tab with ``scope-<resource>`` levels (custom access); return it and its secret."""
    data = {"name": name, "access": "custom", "expires": "never"}
    data.update({f"scope-{resource}": level for resource, level in levels.items()})
    response = client.post(reverse("apikeys:create"), data)
    assert response.status_code == 302, response.content.decode()
    return reveal(client, response["Location"])


def reveal(client, location: str) -> tuple[PrivateKey, str]:
    """Open a reveal page once; return its key and the secret it shows."""
    page = client.get(location)
    assert page.status_code == 200
    return page.context["key"], SHAPE.search(page.content.decode()).group()


def call(api, path: str, secret: str | None = None, method: str = "get", **data):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return getattr(api, method)(path, data, content_type="application/json", headers=headers)


def error(response) -> tuple[int, str]:
    """Return a JSON error's status and code, in the app's one error shape."""
    first = response.json()["errors"][0]
    assert first["status"] == str(response.status_code)
    return response.status_code, first["code"]
