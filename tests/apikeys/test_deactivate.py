from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apikeys.models import KeyEvent, PrivateKey
from tests.apikeys.helpers import (
    assert_get_confirms,
    state,
    url,
)

RECENT_WARNING = "This key was used"


def test_it_asks_for_confirmation_on_get(client, owner, key):
    assert_get_confirms(client, owner, url("deactivate", key), "Deactivate key")


def test_it_deactivates_with_a_reason_and_says_so(owner_client, key, owner):
    response = owner_client.post(
        url("deactivate", key), {"reason": "  Leaked in CI logs "}, REMOTE_ADDR="192.0.2.8", follow=True
    )
    assert response.redirect_chain == [(url("list"), 302)]
    key.refresh_from_db()
    assert not key.is_active and key.deactivated_by == owner
    assert key.deactivation_reason == "Leaked in CI logs"
    event = key.events.get(action="deactivated")
    assert (event.actor, event.ip_address, event.details) == (
        owner,
        "192.0.2.8",
        {"reason": "Leaked in CI logs"},
    )
    html = response.content.decode()
    assert "Deactivated “Zapier”" in html
    assert '<tr class="is-inactive">' in html


def test_it_deactivates_without_a_reason(owner_client, key):
    owner_client.post(url("deactivate", key))
    key.refresh_from_db()
    assert not key.is_active and key.deactivation_reason == ""


def test_it_is_idempotent(owner_client, inactive_key):
    before = state()
    response = owner_client.post(url("deactivate", inactive_key), {"reason": "again"}, follow=True)
    assert "was already inactive" in response.content.decode()
    assert state() == before
    inactive_key.refresh_from_db()
    assert inactive_key.deactivation_reason == "Leaked in a public gist"
    assert inactive_key.events.filter(action="deactivated").count() == 1


def test_it_says_on_get_that_an_inactive_key_is_already_inactive(owner_client, inactive_key):
    html = owner_client.get(url("deactivate", inactive_key)).content.decode()
    assert "is already inactive" in html and 'method="post"' not in html.split("settings-body")[1]


def test_it_refuses_a_reason_over_500_characters(owner_client, key):
    before = state()
    response = owner_client.post(url("deactivate", key), {"reason": "x" * 501})
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    ("used_ago", "warned"), [(timedelta(hours=2), True), (timedelta(days=8), False), (None, False)]
)
def test_it_warns_when_the_key_was_used_in_the_last_7_days(owner_client, key, used_ago, warned):
    PrivateKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - used_ago if used_ago else None)
    html = owner_client.get(url("deactivate", key)).content.decode()
    assert (RECENT_WARNING in html) is warned


def test_it_refuses_a_post_without_csrf_token(owner, key):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(url("deactivate", key)).status_code == 403
    key.refresh_from_db()
    assert key.is_active and not KeyEvent.objects.filter(action="deactivated").exists()
