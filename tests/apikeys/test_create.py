import re

import pytest
from django.test import Client

from apikeys import scopes
from apikeys.models import KeyEvent, PrivateKey
from tests.apikeys.helpers import state, url


def test_it_shows_the_form_and_creates_nothing_on_get(owner_client):
    """GET shows the form and creates nothing."""
    response = owner_client.get(url("create"))
    assert response.status_code == 200
    assert b'method="post" action="/settings/api-keys/new/"' in response.content
    assert PrivateKey.objects.count() == 0


def test_it_shows_a_radio_group_per_resource_with_the_levels_it_offers(owner_client):
    html = owner_client.get(url("create")).content.decode()
    for resource in scopes.CATALOGUE:
        offered = [f'name="scope-{resource.name}" value="{level}"' for level in ("none", "read", "full")]
        assert [snippet in html for snippet in offered] == [
            level in resource.ui_levels for level in ("none", "read", "full")
        ]
    assert 'name="scope-accounts" value="full"' not in html  # accounts is read only
    assert 'name="scope-data-privacy" value="read"' not in html  # data-privacy is write only
    for access in ("full", "read_only", "custom"):
        assert f'name="access" value="{access}"' in html


def test_it_creates_a_key_and_redirects_to_its_reveal_page(owner_client, account, owner):
    response = owner_client.post(
        url("create"), {"name": "  Zapier  ", "access": "read_only"}, REMOTE_ADDR="203.0.113.9"
    )
    key = PrivateKey.objects.get()
    assert response.status_code == 302 and response["Location"] == url("reveal", key)
    assert (key.account, key.name, key.created_by) == (account, "Zapier", owner)
    assert key.scopes == sorted(scopes.READ_ONLY)
    event = KeyEvent.objects.get()
    assert (event.action, event.actor, event.ip_address) == ("created", owner, "203.0.113.9")


def test_it_lets_admins_create_keys(client, admin):
    client.force_login(admin)
    client.post(url("create"), {"name": "Admin's key", "access": "full"})
    assert PrivateKey.objects.get().created_by == admin


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"access": "full"}, sorted(scopes.FULL_ACCESS)),
        ({"access": "read_only"}, sorted(scopes.READ_ONLY)),
        (
            {
                "access": "custom",
                "scope-lists": "full",
                "scope-accounts": "read",
                "scope-data-privacy": "full",
                "scope-flows": "none",
            },
            ["accounts:read", "data-privacy:write", "lists:read", "lists:write"],
        ),
        ({"access": "custom", "scope-profiles": "read"}, ["profiles:read"]),
    ],
)
def test_it_gives_the_chosen_scopes(owner_client, data, expected):
    owner_client.post(url("create"), {"name": "Scoped", **data})
    assert PrivateKey.objects.get().scopes == expected


def test_it_ignores_the_matrix_unless_access_is_custom(owner_client):
    owner_client.post(url("create"), {"name": "Preset", "access": "read_only", "scope-lists": "full"})
    assert PrivateKey.objects.get().scopes == sorted(scopes.READ_ONLY)


@pytest.mark.parametrize(
    "name", ["Интеграция CRM", "倉庫の同期", "مزامنة المتجر", "Zapier 🔑", "x", "n" * 100]
)
def test_it_accepts_names_in_any_language_up_to_100_characters(owner_client, name):
    owner_client.post(url("create"), {"name": name, "access": "read_only"})
    assert PrivateKey.objects.get().name == name


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "", "access": "full"}, "This field is required."),
        ({"name": "   \t ", "access": "full"}, "This field is required."),
        ({"name": "\u3000", "access": "full"}, "This field is required."),
        ({"name": "n" * 101, "access": "full"}, "at most 100 characters"),
        ({"name": "n" * 10_000, "access": "full"}, "at most 100 characters (it has 10000)"),
        ({"name": "nul\x00byte", "access": "full"}, "Null characters are not allowed."),
        ({"name": "Zapier"}, "This field is required."),
        (
            {"name": "Zapier", "access": "admin"},
            "Select a valid choice. admin is not one of the available choices.",
        ),
        (
            {"name": "Zapier", "access": "custom"},
            "With custom access, give at least one resource read or full access.",
        ),
        (
            {"name": "Zapier", "access": "custom", "scope-lists": "none"},
            "With custom access, give at least one",
        ),
        ({"name": "Zapier", "access": "custom", "scope-billing": "full"}, "Unknown resource: billing."),
        ({"name": "Zapier", "access": "full", "scope-billing": "read"}, "Unknown resource: billing."),
        (
            {"name": "Zapier", "access": "custom", "scope-lists": "delete"},
            "Select a valid choice. delete is not one",
        ),
        (
            {"name": "Zapier", "access": "custom", "scope-accounts": "full"},
            "Select a valid choice. full is not one",
        ),
        (
            {"name": "Zapier", "access": "custom", "scope-data-privacy": "read"},
            "Select a valid choice. read is not one",
        ),
        (
            {"name": "Zapier", "access": "read_only", "scope-lists": "write"},
            "Select a valid choice. write is not one",
        ),
    ],
)
def test_it_shows_a_clear_error_for_bad_input_and_creates_nothing(owner_client, key, data, error):
    before = state()
    response = owner_client.post(url("create"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["form"].errors
    assert state() == before


def _radio(html, name, value):
    return re.search(rf'<input type="radio" name="{name}" value="{value}"[^>]*>', html).group()


def test_it_keeps_what_was_typed_after_an_error(owner_client):
    data = {"name": "Warehouse", "access": "custom", "scope-lists": "read", "scope-billing": "read"}
    html = owner_client.post(url("create"), data).content.decode()
    assert 'value="Warehouse"' in html
    assert " checked" in _radio(html, "scope-lists", "read")
    assert " checked" in _radio(html, "access", "custom")
    assert " checked" not in _radio(html, "access", "read_only")


def test_it_refuses_a_post_without_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(url("create"), {"name": "Zapier", "access": "full"})
    assert response.status_code == 403
    assert PrivateKey.objects.count() == 0


def test_it_creates_keys_in_the_current_account_only(client, outsider, other_account, account):
    client.force_login(outsider)
    client.post(url("create"), {"name": "Theirs", "access": "full"})
    assert PrivateKey.objects.get().account == other_account
    assert not account.private_keys.exists()


def test_it_keeps_the_create_page_out_of_the_browser_cache_so_back_shows_an_empty_form(owner_client):
    response = owner_client.get(url("create"))
    assert "no-store" in response["Cache-Control"]
    assert 'class="form" autocomplete="off" novalidate' in response.content.decode()
