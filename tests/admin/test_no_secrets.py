"""No admin page shows a key's secret, its digest or its pepper id, to support staff or superusers."""

import pytest

from apikeys import secrets
from apikeys.models import KeyEvent

REASON = "Customer says it was pasted in a public gist"


@pytest.fixture
def keys(key_and_secret, owner):
    """The active key and an active clone of it, each with its secret (known only to the test)."""
    key, secret = key_and_secret
    clone, clone_secret = key.clone(by=owner)
    return (key, secret), (clone, clone_secret)


def deactivate_through_the_action(client, key):
    """Deactivate the key as staff do: the changelist action, confirmed with a reason."""
    response = client.post(
        "/admin/apikeys/privatekey/",
        {"action": "deactivate_selected", "_selected_action": [key.pk], "post": "yes", "reason": REASON},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert not key.is_active and key.deactivation_reason == REASON


def urls(key, clone, account, owner):
    event = KeyEvent.objects.filter(key=clone, action=KeyEvent.Action.DEACTIVATED).get()
    return [
        "/admin/",
        "/admin/apikeys/privatekey/",
        f"/admin/apikeys/privatekey/?q={key.hint}",
        "/admin/apikeys/privatekey/?status=inactive",
        f"/admin/apikeys/privatekey/{key.pk}/change/",
        f"/admin/apikeys/privatekey/{clone.pk}/change/",
        f"/admin/apikeys/privatekey/{key.pk}/history/",
        f"/admin/apikeys/privatekey/{clone.pk}/history/",
        f"/admin/apikeys/privatekey/{key.pk}/deactivate/",
        "/admin/apikeys/keyevent/",
        f"/admin/apikeys/keyevent/{event.pk}/change/",
        f"/admin/apikeys/keyevent/{event.pk}/history/",
        "/admin/accounts/account/",
        f"/admin/accounts/account/{account.pk}/change/",
        f"/admin/accounts/account/{account.pk}/history/",
        "/admin/accounts/membership/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{owner.pk}/change/",
    ]


@pytest.mark.parametrize("who", ["support_client", "superuser_client"])
def test_it_never_shows_a_secret_digest_or_pepper(request, who, keys, account, owner):
    client = request.getfixturevalue(who)
    (key, secret), (clone, clone_secret) = keys
    deactivate_through_the_action(client, clone)
    forbidden = {secret, clone_secret, key.digest, clone.digest, key.pepper_id, secrets.current_pepper_id()}
    forbidden |= {pepper for _, pepper in secrets.peppers()}
    for url in urls(key, clone, account, owner):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Zapier" in html or not url.startswith("/admin/apikeys/"), url  # the page shows the key
        for value in forbidden:
            assert value not in html, (url, value)
        assert "digest" not in html.lower(), url
    history = client.get(f"/admin/apikeys/privatekey/{clone.pk}/history/").content.decode()
    assert f"Deactivated. Reason: {REASON}" in history  # the scan saw the real deactivation's entry
