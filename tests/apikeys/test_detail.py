import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.apikeys.helpers import (
    url,
)


def test_it_shows_the_key_without_its_secret(owner_client, issued, owner):
    key, secret = issued
    html = owner_client.get(url("detail", key)).content.decode()
    assert "Zapier" in html and f"<code>{key.masked}</code>" in html
    assert secret not in html and secret[3:-4] not in html
    assert '<span class="badge badge-active">Active</span>' in html
    assert f"by {owner.email}" in html  # as in the activity and "Stopped by": who, by login
    assert "Read-only" in html and "Never" in html


def test_it_shows_every_resource_with_its_level(owner_client, account, owner):
    key, _ = PrivateKey.objects.issue(
        account, "Mixed", ["lists:read", "lists:write", "accounts:read", "data-privacy:write"], owner
    )
    html = re.sub(r"\s+", " ", owner_client.get(url("detail", key)).content.decode())
    assert html.count('data-label="Resource"') == len(scopes.CATALOGUE)
    granted, folded = html.split('<details class="scopes-none">')
    assert '<td data-label="Resource">Lists</td> <td data-label="Access">Full</td>' in granted
    assert '<td data-label="Resource">Accounts</td> <td data-label="Access">Read</td>' in granted
    assert '<td data-label="Resource">Data privacy</td> <td data-label="Access">Full</td>' in granted
    assert f"<summary>No access to {len(scopes.CATALOGUE) - 3} other resources</summary>" in folded
    assert '<td data-label="Resource">Flows</td> <td data-label="Access">No access</td>' in folded


def test_it_offers_clone_and_deactivate_for_an_active_key(owner_client, key):
    html = owner_client.get(url("detail", key)).content.decode()
    assert f'href="{url("clone", key)}">Clone</a>' in html
    assert f'<a class="button button-danger" href="{url("deactivate", key)}">Deactivate</a>' in html
    assert url("delete", key) not in html and url("reactivate", key) not in html


def test_it_offers_reactivate_clone_and_delete_for_an_inactive_key(owner_client, inactive_key):
    html = owner_client.get(url("detail", inactive_key)).content.decode()
    assert '<span class="badge badge-inactive">Inactive</span>' in html
    assert f'href="{url("reactivate", inactive_key)}">Reactivate</a>' in html
    assert f'href="{url("clone", inactive_key)}">Clone</a>' in html
    assert f'<a class="button button-danger" href="{url("delete", inactive_key)}">Delete</a>' in html
    assert url("deactivate", inactive_key) not in html
    assert "Leaked in a public gist" in html


def test_it_shows_the_activity_with_actor_ip_and_reason(owner_client, key, admin):
    key.deactivate(by=admin, reason="Rotating", ip="198.51.100.7")
    response = owner_client.get(url("detail", key))
    assert [event.action for event in response.context["events"]] == ["deactivated", "created"]
    activity = response.content.decode().split("<h2>Activity</h2>")[1]
    assert "Deactivated" in activity and "admin@acme.test" in activity
    assert "198.51.100.7" in activity and "Reason: Rotating" in activity


def test_it_links_to_the_key_it_was_cloned_from_while_it_exists(owner_client, inactive_key, owner):
    clone, _ = inactive_key.clone(by=owner)
    html = owner_client.get(url("detail", clone)).content.decode()
    assert f'<a href="{url("detail", inactive_key)}">Old warehouse sync</a>' in html
    inactive_key.remove(by=owner)
    html = owner_client.get(url("detail", clone)).content.decode()
    assert "Cloned from" not in html and url("detail", inactive_key) not in html


def test_it_costs_the_same_queries_however_long_the_activity(
    owner_client, key, owner, django_assert_num_queries
):
    owner_client.get(url("detail", key))
    with CaptureQueriesContext(connection) as short:
        owner_client.get(url("detail", key))
    for _ in range(10):
        key.deactivate(by=owner, reason="again")
        key.reactivate(by=owner)
    with django_assert_num_queries(len(short)):
        owner_client.get(url("detail", key))


def test_it_shows_the_last_use_in_full(owner_client, issued):
    key, secret = issued
    api = Client()
    api.get(
        "/api/key/",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        REMOTE_ADDR="2001:db8::7",
        HTTP_USER_AGENT="curl/8.5",
    )
    html = owner_client.get(url("detail", key)).content.decode()
    last_use = html.split("<dt>Last used</dt>")[1].split("</dd>")[0]
    assert "just now" in last_use and "<code>2001:db8::7</code>" in last_use and "by curl/8.5" in last_use


def test_it_escapes_the_last_user_agent(owner_client, issued):
    key, secret = issued
    Client().get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_USER_AGENT="<script>x</script>")
    html = owner_client.get(url("detail", key)).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
