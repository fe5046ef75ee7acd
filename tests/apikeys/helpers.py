"""Checks shared by the API keys tab's view tests."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from apikeys.models import KeyEvent, PrivateKey


def url(name: str, key: PrivateKey | None = None) -> str:
    return reverse(f"apikeys:{name}", args=[key.public_id] if key else [])


def state() -> tuple[list, int]:
    """Return the keys (identity and status) and the number of events: what a refused request keeps."""
    keys = list(PrivateKey.objects.order_by("id").values_list("public_id", "deactivated_at", "digest"))
    return keys, KeyEvent.objects.count()


def assert_get_confirms(client, user, path: str, text: str) -> None:
    """GET shows a confirmation page that posts back to ``path``, and changes nothing."""
    client.force_login(user)
    before = state()
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert text in html
    assert f'method="post" action="{path}"' in html and "csrfmiddlewaretoken" in html
    assert state() == before


def dump_database() -> str:
    """Return every row of every table as text, with session data decoded."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from the schema)
            lines.append(f"{table}: {cursor.fetchall()!r}")
    lines += [repr(SessionStore().decode(session.session_data)) for session in Session.objects.all()]
    return "\n".join(lines)
