"""The list's search box and status filter (a GET form) and each key's lineage."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.apikeys.helpers import url


def names(response) -> list[str]:
    return sorted(key.name for key in response.context["active_keys"] + response.context["inactive_keys"])


def test_it_finds_keys_by_a_part_of_their_name_in_any_case(owner_client, key, inactive_key):
    assert names(owner_client.get(url("list"), {"q": "zap"})) == ["Zapier"]


def test_it_finds_a_key_by_its_last_characters_with_or_without_the_prefix(owner_client, key, inactive_key):
    for q in (key.hint, f"…{key.hint}", key.masked):
        assert names(owner_client.get(url("list"), {"q": q})) == ["Zapier"], q


def test_it_filters_by_status(owner_client, account, owner, key, inactive_key):
    soon, _ = PrivateKey.objects.issue(
        account, "Soon", scopes.READ_ONLY, owner, expires_at=timezone.now() + timedelta(days=2)
    )
    rolling, _ = PrivateKey.objects.issue(account, "Rolling", scopes.READ_ONLY, owner)
    replacement, _ = rolling.roll(by=owner, grace=timedelta(hours=1))  # both work for an hour
    PrivateKey.objects.filter(pk=replacement.pk).update(name="Replacement")
    assert names(owner_client.get(url("list"), {"status": "active"})) == [
        "Replacement",
        "Rolling",
        "Soon",
        "Zapier",
    ]
    assert names(owner_client.get(url("list"), {"status": "expiring"})) == ["Rolling", "Soon"]
    assert names(owner_client.get(url("list"), {"status": "expired"})) == []
    assert names(owner_client.get(url("list"), {"status": "inactive"})) == ["Old warehouse sync"]


def test_it_says_when_nothing_matches_and_offers_all_keys(owner_client, key):
    html = owner_client.get(url("list"), {"q": "nothing like it"}).content.decode()
    assert "No key matches this search." in html and "Show all keys" in html
    assert "No private keys yet" not in html


def test_it_works_as_a_plain_get_form(owner_client, key):
    html = owner_client.get(url("list")).content.decode()
    assert f'<form method="get" action="{url("list")}" class="key-search" role="search"' in html
    assert '<select name="status"' in html and 'type="search" name="q"' in html


def test_it_refuses_a_whole_secret_without_echoing_it(owner_client, issued):
    key, secret = issued
    response = owner_client.get(url("list"), {"q": secret})
    html = response.content.decode()
    assert "That is a whole secret, so it was not searched for" in html
    assert secret not in html


def test_it_refuses_an_unknown_status_and_shows_every_key(owner_client, key, inactive_key):
    assert len(names(owner_client.get(url("list"), {"status": "bogus"}))) == 2


def test_it_shows_the_key_a_clone_comes_from(owner_client, key, owner):
    clone, _ = key.clone(by=owner, name="Zapier (copy)")
    html = owner_client.get(url("list")).content.decode()
    assert f'<span class="muted lineage">clone of <code>…{key.hint}</code></span>' in html


def test_it_shows_the_key_a_roll_replaces(owner_client, key, owner):
    key.roll(by=owner, grace=timedelta(hours=1))
    html = owner_client.get(url("list")).content.decode()
    assert f'<span class="muted lineage">replaces <code>…{key.hint}</code></span>' in html
    assert "clone of" not in html


def test_it_refuses_an_overlong_search_with_its_error_and_shows_every_key(owner_client, key, inactive_key):
    response = owner_client.get(url("list"), {"q": "x" * 101, "status": "\x00"})
    assert response.status_code == 200 and len(names(response)) == 2
    assert "Ensure this value has at most 100 characters (it has 101)." in response.content.decode()
