import time

import pytest
from django.utils.html import escape

from apikeys import reveal, secrets
from apikeys.models import PrivateKey, RevealShare
from tests.apikeys.helpers import (
    url,
)

GONE = "This key can no longer be shown"


@pytest.fixture
def created(owner_client):
    """POST the create form; return the redirect response and the new key (its secret not yet seen)."""
    response = owner_client.post(url("create"), {"name": "Zapier", "access": "read_only"})
    return response, PrivateKey.objects.get()


def _secret_on(response) -> str:
    return response.context["secret"]


def test_it_shows_the_secret_once_with_a_copy_button_and_a_warning(owner_client, created):
    response, key = created
    page = owner_client.get(url("reveal", key))
    secret = _secret_on(page)
    html = page.content.decode()
    assert secrets.is_well_formed(secret) and key.digest == secrets.digest(secret)
    assert html.count(secret) == 1
    assert f'<code id="secret" class="copy-value">{secret}</code>' in html
    assert 'data-copy-target="#secret"' in html
    assert "This is the only time the key will be shown." in html
    assert "js/reveal.js" in html


def test_it_hides_the_secret_after_the_first_view(owner_client, created):
    _, key = created
    secret = _secret_on(owner_client.get(url("reveal", key)))
    again = owner_client.get(url("reveal", key))
    assert again.status_code == 200
    html = again.content.decode()
    assert secret not in html and again.context["secret"] is None
    assert GONE in html
    assert f'href="{url("roll", key)}">Roll now</a>' in html  # it still works: replace it
    assert "js/reveal.js" not in html


def test_it_offers_a_clone_when_a_key_seen_again_no_longer_works(owner_client, created, owner):
    _, key = created
    owner_client.get(url("reveal", key))
    key.deactivate(by=owner)
    html = owner_client.get(url("reveal", key)).content.decode()
    assert f'href="{url("clone", key)}">Clone this key</a>' in html and "Roll now" not in html


def test_it_shows_a_ready_to_run_curl_call_of_the_keys_own_endpoint(owner_client, created):
    _, key = created
    html = owner_client.get(url("reveal", key)).content.decode()
    assert escape('curl -H "Authorization: Bearer $KEYWARD_API_KEY" http://testserver/api/key/') in html


@pytest.mark.parametrize("visit", ["first", "second"])
def test_it_forbids_caching(owner_client, created, visit):
    _, key = created
    page = owner_client.get(url("reveal", key))
    if visit == "second":
        page = owner_client.get(url("reveal", key))
    assert "no-store" in page["Cache-Control"]


def test_it_redirects_from_post_to_get_without_the_secret_in_the_url(created):
    response, key = created
    assert response.status_code == 302
    assert response["Location"] == url("reveal", key)
    assert secrets.PREFIX not in response["Location"]


@pytest.mark.parametrize("https", [False, True])
def test_it_sends_the_pad_in_a_short_lived_strict_cookie_for_that_url_only(owner_client, https):
    response = owner_client.post(url("create"), {"name": "Zapier", "access": "full"}, secure=https)
    key = PrivateKey.objects.get()
    cookie = response.cookies[f"kw_reveal_{key.public_id.hex}"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == url("reveal", key)
    assert 0 < int(cookie["max-age"]) <= 600
    assert bool(cookie["secure"]) is https


def test_it_splits_the_secret_so_that_neither_store_alone_holds_it(owner_client, created):
    response, key = created
    pad = bytes.fromhex(response.cookies[f"kw_reveal_{key.public_id.hex}"].value)
    share_id = owner_client.session[f"apikeys.reveal.{key.public_id}"]
    ciphertext_hex = RevealShare.objects.get(pk=share_id, key_public_id=key.public_id).share
    secret = _secret_on(owner_client.get(url("reveal", key)))
    assert len(pad) == len(secret)
    assert secret not in ciphertext_hex and secret not in pad.hex()
    assert bytes(a ^ b for a, b in zip(bytes.fromhex(ciphertext_hex), pad)) == secret.encode()


def test_it_discards_both_shares_on_reveal(owner_client, created):
    _, key = created
    page = owner_client.get(url("reveal", key))
    assert f"apikeys.reveal.{key.public_id}" not in owner_client.session
    assert not RevealShare.objects.exists()
    deleted = page.cookies[f"kw_reveal_{key.public_id.hex}"]
    assert deleted.value == "" and deleted["max-age"] == 0
    assert deleted["path"] == url("reveal", key)


def test_it_shows_nothing_without_the_cookie(owner_client, created):
    """Another browser (or one that lost the cookie) cannot see it, and the session share is gone too."""
    _, key = created
    owner_client.cookies.pop(f"kw_reveal_{key.public_id.hex}")
    assert GONE in owner_client.get(url("reveal", key)).content.decode()
    assert f"apikeys.reveal.{key.public_id}" not in owner_client.session


def test_it_shows_nothing_to_another_session_with_the_cookie(client, created, admin):
    response, key = created
    client.force_login(admin)
    client.cookies[f"kw_reveal_{key.public_id.hex}"] = response.cookies[
        f"kw_reveal_{key.public_id.hex}"
    ].value
    assert GONE in client.get(url("reveal", key)).content.decode()


def test_it_shows_nothing_when_a_racing_request_writes_the_old_session_back(owner_client, created):
    """A page load that read the session before the reveal saves it whole afterwards: the id comes back,
    the share does not."""
    _, key = created
    entry = f"apikeys.reveal.{key.public_id}"
    share_id = owner_client.session[entry]
    assert _secret_on(owner_client.get(url("reveal", key))) is not None
    session = owner_client.session
    session[entry] = share_id
    session.save()
    page = owner_client.get(url("reveal", key))
    assert page.context["secret"] is None and GONE in page.content.decode()


def test_it_removes_shares_never_revealed_once_they_are_ten_minutes_old(owner_client, monkeypatch):
    owner_client.post(url("create"), {"name": "Never looked at", "access": "full"})
    later = time.time() + reveal.MAX_AGE + 1
    monkeypatch.setattr(reveal.time, "time", lambda: later)
    owner_client.post(url("create"), {"name": "Next", "access": "full"})
    assert list(RevealShare.objects.values_list("key_public_id", flat=True)) == [
        PrivateKey.objects.get(name="Next").public_id
    ]


def test_it_shows_nothing_after_ten_minutes(owner_client, created, monkeypatch):
    _, key = created
    later = time.time() + reveal.MAX_AGE + 1
    monkeypatch.setattr(reveal.time, "time", lambda: later)
    assert GONE in owner_client.get(url("reveal", key)).content.decode()


@pytest.mark.parametrize("pad", ["", "zz", "00" * 37, "00" * 36, "ff" * 37])
def test_it_shows_nothing_for_a_tampered_cookie(owner_client, created, pad):
    _, key = created
    owner_client.cookies[f"kw_reveal_{key.public_id.hex}"] = pad
    page = owner_client.get(url("reveal", key))
    assert page.status_code == 200 and page.context["secret"] is None


def test_it_does_not_reveal_one_key_on_the_page_of_another(owner_client, created, account, owner):
    """Shares moved to another key's reveal URL do not match that key's digest."""
    _, key = created
    other, _ = PrivateKey.objects.issue(account, "Other", ["lists:read"], owner)
    session = owner_client.session
    session[f"apikeys.reveal.{other.public_id}"] = session[f"apikeys.reveal.{key.public_id}"]
    session.save()
    owner_client.cookies[f"kw_reveal_{other.public_id.hex}"] = owner_client.cookies[
        f"kw_reveal_{key.public_id.hex}"
    ].value
    assert owner_client.get(url("reveal", other)).context["secret"] is None


def test_it_keeps_two_new_keys_apart(owner_client):
    owner_client.post(url("create"), {"name": "First", "access": "full"})
    owner_client.post(url("create"), {"name": "Second", "access": "full"})
    first, second = PrivateKey.objects.order_by("id")
    assert first.digest == secrets.digest(_secret_on(owner_client.get(url("reveal", first))))
    assert second.digest == secrets.digest(_secret_on(owner_client.get(url("reveal", second))))


def test_it_does_not_consume_the_secret_on_head_or_post(owner_client, created):
    _, key = created
    assert owner_client.head(url("reveal", key)).status_code == 405
    assert owner_client.post(url("reveal", key)).status_code == 405
    assert _secret_on(owner_client.get(url("reveal", key))) is not None


def test_it_says_which_key_a_rolled_key_replaces_and_until_when_that_one_works(owner_client, key):
    owner_client.post(url("roll", key), {"grace": "24h"})
    new_key = PrivateKey.objects.get(cloned_from=key)
    html = owner_client.get(url("reveal", new_key)).content.decode()
    assert "Replaces" in html and key.masked in html
    assert f'href="{key.get_absolute_url()}"' in html
    assert "it keeps working until" in html
    assert "deactivate it</a>" not in html  # the roll already stops it


def test_it_offers_to_deactivate_the_original_of_a_clone_that_still_works(owner_client, key):
    owner_client.post(url("clone", key), {"name": "Zapier (copy)"})
    clone = PrivateKey.objects.get(cloned_from=key)
    html = owner_client.get(url("reveal", clone)).content.decode()
    assert "Cloned from" in html and key.masked in html
    assert f'<a href="{url("deactivate", key)}">deactivate it</a> once your integrations use this key' in html


def test_it_does_not_offer_to_deactivate_an_original_already_inactive(owner_client, inactive_key):
    owner_client.post(url("clone", inactive_key), {"name": "Old warehouse sync (copy)"})
    clone = PrivateKey.objects.get(cloned_from=inactive_key)
    html = owner_client.get(url("reveal", clone)).content.decode()
    assert "Cloned from" in html and "deactivate it</a>" not in html
