"""Roll: a clone that replaces a key, and the old key stops after a grace period, checked at verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from apikeys import scopes, secrets
from apikeys.models import KeyEvent, KeyStateError, PrivateKey
from apikeys.verification import verify
from tests.apikeys.helpers import (
    assert_get_confirms,
    state,
    url,
)

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def frozen(at: datetime):
    """Freeze Django's clock (``timezone.now``) for the code under test.

    Only around model calls and API requests: a logged-in page would find its session expired.
    """
    return mock.patch("django.utils.timezone.now", return_value=at)


def shift(key, **fields):
    """Move a key's times (``expires_at=…``) as if the clock had moved, for pages behind a login."""
    PrivateKey.objects.filter(pk=key.pk).update(**fields)


def api(client, secret, **extra):
    return client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


# The view ----------------------------------------------------------------------------------------------


def test_it_asks_for_confirmation_on_get(client, owner, key):
    assert_get_confirms(client, owner, url("roll", key), "Roll “Zapier”?")


def test_it_offers_the_four_grace_periods(owner_client, key):
    html = owner_client.get(url("roll", key)).content.decode()
    for value, label in [("now", "Now"), ("1h", "In 1 hour"), ("24h", "In 24 hours"), ("7d", "In 7 days")]:
        assert f'value="{value}"' in html and label in html
    assert "the same name, the same scopes and the same IP allowlist" in html


def test_it_is_offered_on_the_key_page(owner_client, key):
    html = owner_client.get(url("detail", key)).content.decode()
    assert f'href="{url("roll", key)}">Roll key</a>' in html


def test_it_rolls_and_reveals_the_new_secret_once(owner_client, issued, owner):
    key, secret = issued
    before = timezone.now()
    response = owner_client.post(url("roll", key), {"grace": "24h"}, REMOTE_ADDR="192.0.2.4")
    new = PrivateKey.objects.exclude(pk=key.pk).get()
    assert response.status_code == 302 and response["Location"] == url("reveal", new)
    new_secret = owner_client.get(url("reveal", new)).context["secret"]
    assert new_secret != secret and new.digest == secrets.digest(new_secret)
    assert (new.name, new.scopes, new.cloned_from, new.created_by, new.expires_at) == (
        "Zapier",
        key.scopes,
        key,
        owner,
        None,
    )
    key.refresh_from_db()
    assert key.rolled_to == new and before <= key.rolled_at <= timezone.now()
    assert key.expires_at == key.rolled_at + timedelta(hours=24)
    assert key.is_active
    old_event, new_event = key.events.get(action="rolled"), new.events.get()
    assert (new_event.action, new_event.details) == ("rolled", {"rolled_from": str(key.public_id)})
    assert old_event.details["rolled_to"] == str(new.public_id)
    assert old_event.ip_address == new_event.ip_address == "192.0.2.4"
    assert old_event.actor == new_event.actor == owner


@pytest.mark.parametrize(
    ("grace", "length"),
    [
        ("now", timedelta(0)),
        ("1h", timedelta(hours=1)),
        ("24h", timedelta(days=1)),
        ("7d", timedelta(days=7)),
    ],
)
def test_it_sets_the_grace_period_chosen(owner_client, key, grace, length):
    owner_client.post(url("roll", key), {"grace": grace})
    key.refresh_from_db()
    assert key.expires_at == key.rolled_at + length


@pytest.mark.parametrize("grace", ["", "forever", "-1h", "0", "1h" * 1000])
def test_it_refuses_an_unknown_grace_period_and_changes_nothing(owner_client, key, grace):
    before = state()
    response = owner_client.post(url("roll", key), {"grace": grace})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode() or "This field is required." in (
        response.content.decode()
    )
    assert state() == before


def test_it_refuses_an_already_rolled_key_and_changes_nothing(owner_client, key, owner):
    new, _ = key.roll(by=owner, grace=timedelta(hours=1))
    assert "cannot be rolled" in owner_client.get(url("roll", key)).content.decode()
    before = state()
    response = owner_client.post(url("roll", key), {"grace": "now"}, follow=True)
    assert "This key has already been rolled." in response.content.decode()
    assert state() == before
    key.refresh_from_db()
    assert key.rolled_to == new


def test_it_refuses_an_inactive_key(owner_client, inactive_key):
    before = state()
    response = owner_client.post(url("roll", inactive_key), {"grace": "now"}, follow=True)
    assert "Only an active key can be rolled" in response.content.decode()
    assert state() == before


def test_it_refuses_an_expired_key(owner_client, key):
    shift(key, expires_at=timezone.now() - timedelta(seconds=1))
    assert "This key has expired; clone it instead." in owner_client.get(url("roll", key)).content.decode()
    before = state()
    response = owner_client.post(url("roll", key), {"grace": "now"}, follow=True)
    assert "This key has expired; clone it instead." in response.content.decode()
    assert state() == before


def test_it_links_both_pages_to_each_other_with_the_time_left(owner_client, key, owner):
    new, _ = key.roll(by=owner, grace=timedelta(days=7))
    ends = timezone.now().replace(microsecond=0) + timedelta(days=3, hours=1)
    shift(key, expires_at=ends)  # four days later
    old_html = owner_client.get(url("detail", key)).content.decode()
    new_html = owner_client.get(url("detail", new)).content.decode()
    assert f'replaced by <a href="{new.get_absolute_url()}">Zapier</a>' in old_html
    assert "(in 3\xa0days)" in old_html  # the time left
    assert f'<time datetime="{ends.isoformat()}" data-local-time>' in old_html
    assert f'<a href="{key.get_absolute_url()}">Zapier</a> <code>{key.masked}</code>, rolled' in new_html
    assert "it keeps working until" in new_html and "(in 3\xa0days)" in new_html
    assert f'href="{url("roll", key)}"' not in old_html  # a rolled key is not rolled again
    assert f'href="{url("roll", new)}">Roll key</a>' in new_html


def test_it_reads_expired_rolled_once_the_grace_ends(owner_client, key, owner):
    new, _ = key.roll(by=owner, grace=timedelta(hours=1))
    shift(key, expires_at=timezone.now() - timedelta(hours=1))  # two hours later
    detail = owner_client.get(url("detail", key)).content.decode()
    listing = owner_client.get(url("list")).content.decode()
    new_html = owner_client.get(url("detail", new)).content.decode()
    assert '<span class="badge badge-inactive">Expired (rolled)</span>' in detail
    inactive_section = listing[listing.index("<h2>Inactive keys</h2>") :]
    assert "Expired (rolled)" in inactive_section and "Rolled: its grace period ended" in inactive_section
    assert "it stopped working" in new_html


def test_it_lists_a_key_in_its_grace_period_as_active_with_a_warning(owner_client, key, owner):
    key.roll(by=owner, grace=timedelta(hours=24))
    html = owner_client.get(url("list")).content.decode()
    active_section = html[html.index("<h2>Private keys</h2>") : html.index("<h2>Recent activity</h2>")]
    assert "Inactive keys" not in active_section
    assert active_section.count(">Zapier</a>") == 2
    assert '<span class="badge badge-warning">Rolled, expires in 24\xa0hours</span>' in active_section


# The model ---------------------------------------------------------------------------------------------


def test_it_copies_the_ip_allowlist_to_the_new_key(account, owner):
    key, _ = PrivateKey.objects.issue(
        account, "Warehouse", scopes.FULL_ACCESS, owner, allowed_ips=["192.0.2.0/24", "2001:db8::/32"]
    )
    new, _ = key.roll(by=owner, grace=timedelta(hours=1))
    assert new.allowed_ips == ["192.0.2.0/24", "2001:db8::/32"]


def test_it_keeps_an_earlier_expiry(account, owner):
    with frozen(T0):
        key, _ = PrivateKey.objects.issue(
            account, "Short", scopes.READ_ONLY, owner, expires_at=T0 + timedelta(hours=2)
        )
        key.roll(by=owner, grace=timedelta(days=7))
    key.refresh_from_db()
    assert key.expires_at == T0 + timedelta(hours=2)


def test_it_shortens_a_later_expiry(account, owner):
    with frozen(T0):
        key, _ = PrivateKey.objects.issue(
            account, "Long", scopes.READ_ONLY, owner, expires_at=T0 + timedelta(days=30)
        )
        key.roll(by=owner, grace=timedelta(hours=1))
    assert key.expires_at == T0 + timedelta(hours=1)  # the instance is refreshed too


def test_it_refuses_a_negative_grace_period(key, owner):
    with pytest.raises(ValueError):
        key.roll(by=owner, grace=timedelta(seconds=-1))
    assert PrivateKey.objects.count() == 1


@pytest.mark.parametrize("setup", ["deactivated", "rolled", "expired"])
def test_it_refuses_to_roll_a_key_that_cannot_be(key, owner, setup):
    if setup == "deactivated":
        key.deactivate(by=owner)
    elif setup == "rolled":
        key.roll(by=owner, grace=timedelta(hours=1))
    else:
        PrivateKey.objects.filter(pk=key.pk).update(expires_at=T0)
    keys, events = PrivateKey.objects.count(), KeyEvent.objects.count()
    with frozen(T0), pytest.raises(KeyStateError):
        key.roll(by=owner, grace=timedelta(hours=1))
    assert (PrivateKey.objects.count(), KeyEvent.objects.count()) == (keys, events)


def test_it_rolls_a_stale_instance_only_once(key, owner):
    """Two requests with the same key loaded: the row lock and re-read make the second one fail."""
    stale = PrivateKey.objects.get(pk=key.pk)
    key.roll(by=owner, grace=timedelta(hours=1))
    with pytest.raises(KeyStateError):
        stale.roll(by=owner, grace=timedelta(hours=1))
    assert PrivateKey.objects.count() == 2


# The grace period, at verification time ----------------------------------------------------------------


def test_it_lets_the_old_key_work_until_the_last_second_of_its_grace(client, issued, owner):
    key, secret = issued
    with frozen(T0):
        new, new_secret = key.roll(by=owner, grace=timedelta(hours=1))
    end = T0 + timedelta(hours=1)
    with frozen(end - timedelta(seconds=1)):
        assert api(client, secret).status_code == 200
    with frozen(end - timedelta(microseconds=1)):
        assert verify(secret) is not None
    with frozen(end):
        refused = api(client, secret)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["code"] == "not_authenticated"
        assert api(client, new_secret).status_code == 200
    with frozen(end + timedelta(days=1)):
        assert api(client, secret).status_code == 401


def test_it_stops_the_old_key_on_its_next_request_when_rolled_now(client, issued, owner):
    key, secret = issued
    assert api(client, secret).status_code == 200
    key.roll(by=owner, grace=timedelta(0))
    assert api(client, secret).status_code == 401


def test_it_refuses_the_old_key_in_one_query(client, issued, owner, django_assert_num_queries):
    key, secret = issued
    key.roll(by=owner, grace=timedelta(0))
    api(client, secret)  # notes the key's last refusal, once a minute
    with django_assert_num_queries(1):
        assert api(client, secret).status_code == 401
