"""APIKEYS_SCOPES: the host declares its resources; a key's stored scopes outlive a change of catalogue."""

import pytest
from django.urls import reverse

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.api.helpers import assert_error, call

SMALL = ["lists", {"name": "reports", "label": "Monthly reports", "levels": ["read"]}]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (["lists", "lists"], "'lists' is declared twice"),
        ([{"name": "lists"}, {"name": "lists", "levels": ["read"]}], "'lists' is declared twice"),
        (["lists:read"], "not a valid resource name"),
        ([{"name": "lists", "levels": ["admin"]}], "use 'read', 'write' or both"),
        ([{"label": "Lists"}], "neither a resource name nor a dict"),
        ([], "declares no resource"),
        ("lists", "must be a list"),
    ],
)
def test_it_names_what_is_wrong_with_a_catalogue(value, problem):
    _, problems = scopes.parse(value)
    assert any(problem in found for found in problems), problems


def test_it_reads_labels_and_levels_from_the_setting(settings):
    settings.APIKEYS_SCOPES = SMALL
    assert [(r.name, r.label, r.levels) for r in scopes.CATALOGUE] == [
        ("lists", "Lists", ("read", "write")),
        ("reports", "Monthly reports", ("read",)),
    ]
    assert {"lists:read", "lists:write", "reports:read"} == scopes.FULL_ACCESS
    assert {"lists:read", "reports:read"} == scopes.READ_ONLY


def test_a_dropped_scope_stays_stored_and_grants_nothing(settings, account, owner, client):
    key, secret = PrivateKey.objects.issue(account, "Lists", ["lists:read", "lists:write"], owner)
    settings.APIKEYS_SCOPES = [{"name": "lists", "levels": ["write"]}, "reports"]
    key.refresh_from_db()
    assert key.scopes == ["lists:read", "lists:write"]
    assert key.unknown_scopes == ["lists:read"]
    assert not key.has_scope("lists:read") and key.has_scope("lists:write")
    assert_error(call(client, "GET", reverse("api:lists"), secret), 403, "insufficient_scope")


def test_the_key_page_shows_a_dropped_scope_as_such(settings, account, owner, client):
    key, _ = PrivateKey.objects.issue(account, "Lists", ["lists:read"], owner)
    settings.APIKEYS_SCOPES = ["reports"]
    client.force_login(owner)
    html = client.get(key.get_absolute_url()).content.decode()
    assert "No longer offered, so granting nothing: <code>lists:read</code>" in html
