"""Rename: a key's name changes, and nothing else; the activity says so."""

from __future__ import annotations

from apikeys.models import KeyEvent
from tests.apikeys.helpers import assert_get_confirms, state, url


def test_it_shows_the_current_name_in_a_form(client, owner, key):
    assert_get_confirms(client, owner, url("rename", key), 'value="Zapier"')


def test_it_renames_the_key_and_nothing_else(owner_client, key, owner):
    before = (key.digest, key.scopes, key.allowed_ips, key.expires_at)
    response = owner_client.post(url("rename", key), {"name": "Zapier EU"}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302 and response["Location"] == url("detail", key)
    key.refresh_from_db()
    assert key.name == "Zapier EU"
    assert (key.digest, key.scopes, key.allowed_ips, key.expires_at) == before


def test_it_records_the_rename_in_the_activity(owner_client, key, owner):
    owner_client.post(url("rename", key), {"name": "Zapier EU"}, REMOTE_ADDR="192.0.2.9")
    event = key.events.get(action=KeyEvent.Action.RENAMED)
    assert (event.actor, event.ip_address, event.details) == (owner, "192.0.2.9", {"previous_name": "Zapier"})
    assert event.key_name == "Zapier EU"
    assert "Renamed from “Zapier”" in owner_client.get(url("detail", key)).content.decode()


def test_it_names_both_names_and_the_last_characters_in_the_message(owner_client, key):
    response = owner_client.post(url("rename", key), {"name": "Zapier EU"}, follow=True)
    assert f"Renamed “Zapier” (pk_…{key.hint}) to “Zapier EU”." in response.content.decode()


def test_it_records_nothing_when_the_name_is_the_same(owner_client, key):
    before = state()
    owner_client.post(url("rename", key), {"name": "  Zapier "})
    assert state() == before


def test_it_refuses_an_empty_name_with_an_error_summary(owner_client, key):
    before = state()
    response = owner_client.post(url("rename", key), {"name": "  "})
    html = response.content.decode()
    assert response.status_code == 200 and state() == before
    assert '<li><a href="#id_name">Name: This field is required.</a></li>' in html


def test_it_renames_an_inactive_key_too(owner_client, inactive_key):
    owner_client.post(url("rename", inactive_key), {"name": "Retired sync"})
    inactive_key.refresh_from_db()
    assert inactive_key.name == "Retired sync" and not inactive_key.is_active
