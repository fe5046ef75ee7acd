"""A key's state is decided once (PrivateKey.status, the *_refusal properties, the usable/expired querysets);
the pages offer a verb exactly when it would succeed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys import scopes
from apikeys.models import PrivateKey
from tests.apikeys.helpers import url


@pytest.fixture
def keys_in_every_state(account, owner):
    """One key of each status, by name."""

    def issue(name, **kwargs):
        return PrivateKey.objects.issue(account, name, scopes.READ_ONLY, owner, **kwargs)[0]

    keys = {"active": issue("active"), "soon": issue("soon", expires_at=timezone.now() + timedelta(days=1))}
    keys["expired"] = issue("expired")
    PrivateKey.objects.filter(pk=keys["expired"].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    keys["rolled"] = issue("rolled")
    keys["rolled"].roll(by=owner, grace=timedelta(0))
    keys["grace"] = issue("grace")
    keys["grace"].roll(by=owner, grace=timedelta(hours=1))
    keys["inactive"] = issue("inactive")
    keys["inactive"].deactivate(by=owner)
    keys["leaked"] = issue("leaked")
    keys["leaked"].mark_leaked("https://example.com/gist")
    return {name: PrivateKey.objects.get(pk=key.pk) for name, key in keys.items()}


def test_it_names_each_status(keys_in_every_state):
    statuses = {name: key.status for name, key in keys_in_every_state.items()}
    assert statuses == {
        "active": PrivateKey.Status.ACTIVE,
        "soon": PrivateKey.Status.ACTIVE,
        "expired": PrivateKey.Status.EXPIRED,
        "rolled": PrivateKey.Status.ROLLED,
        "grace": PrivateKey.Status.GRACE,
        "inactive": PrivateKey.Status.INACTIVE,
        "leaked": PrivateKey.Status.LEAKED,
    }


def test_its_querysets_agree_with_the_instances(keys_in_every_state):
    names = {key.pk: name for name, key in keys_in_every_state.items()}
    usable = {names[key.pk] for key in PrivateKey.objects.usable() if key.pk in names}
    expired = {names[key.pk] for key in PrivateKey.objects.expired() if key.pk in names}
    assert usable == {"active", "soon", "grace"}
    assert expired == {"expired", "rolled"}


@pytest.mark.parametrize(
    ("name", "roll", "reactivate", "remove"),
    [
        ("active", "", "This key is already active.", "Deactivate the key before deleting it."),
        ("expired", "This key has expired; clone it instead.", "This key is already active.", ""),
        ("rolled", "This key has already been rolled.", "This key is already active.", ""),
        (
            "grace",
            "This key has already been rolled.",
            "This key is already active.",
            "Deactivate the key before deleting it.",
        ),
        ("inactive", "Only an active key can be rolled; clone an inactive key instead.", "", ""),
    ],
)
def test_it_says_why_a_verb_is_refused(keys_in_every_state, name, roll, reactivate, remove):
    key = keys_in_every_state[name]
    assert (key.roll_refusal, key.reactivate_refusal, key.remove_refusal) == (roll, reactivate, remove)


@pytest.mark.parametrize(
    ("name", "refusal"), [("expired", ""), ("inactive", "This key is already inactive.")]
)
def test_it_deactivates_any_key_not_yet_inactive(keys_in_every_state, owner, name, refusal):
    key = keys_in_every_state[name]
    assert key.deactivate_refusal == refusal
    assert key.deactivate(by=owner) is (refusal == "")


def test_it_offers_no_reactivate_button_for_a_key_whose_pepper_is_gone(owner_client, inactive_key, settings):
    page = url("reactivate", inactive_key)
    assert f'href="{page}"' in owner_client.get(inactive_key.get_absolute_url()).content.decode()
    settings.API_KEY_PEPPERS = ["a-newer-pepper"]
    assert f'href="{page}"' not in owner_client.get(inactive_key.get_absolute_url()).content.decode()
    assert "made with a pepper this server no longer has" in owner_client.get(page).content.decode()


@pytest.mark.parametrize("name", ["active", "expired", "grace", "inactive", "leaked"])
def test_it_offers_each_button_exactly_when_its_verb_would_succeed(owner_client, keys_in_every_state, name):
    key = keys_in_every_state[name]
    html = owner_client.get(key.get_absolute_url()).content.decode()
    for verb, refusal in [
        ("roll", key.roll_refusal),
        ("deactivate", key.deactivate_refusal),
        ("reactivate", key.reactivate_refusal),
        ("delete", key.remove_refusal),
    ]:
        assert (f'href="{url(verb, key)}"' in html) == (refusal == ""), verb
