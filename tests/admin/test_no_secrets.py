"""No admin page shows a key's secret, its digest or its pepper id, to support staff or superusers."""

import pytest
from django.contrib.admin.models import LogEntry

from apikeys import secrets
from apikeys.models import KeyEvent


@pytest.fixture
def pages(key_and_secret, account, owner, support):
    key, _ = key_and_secret
    clone, _ = key.clone(by=owner)
    clone.deactivate(by=owner, reason="test")
    LogEntry.objects.log_actions(support.pk, [key], 2, change_message="looked")
    event = KeyEvent.objects.filter(key=key).first()
    return (
        [
            "/admin/",
            "/admin/apikeys/privatekey/",
            f"/admin/apikeys/privatekey/?q={key.hint}",
            "/admin/apikeys/privatekey/?status=inactive",
            f"/admin/apikeys/privatekey/{key.pk}/change/",
            f"/admin/apikeys/privatekey/{clone.pk}/change/",
            f"/admin/apikeys/privatekey/{key.pk}/history/",
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
        ],
        key_and_secret,
        clone,
    )


@pytest.mark.parametrize("who", ["support_client", "superuser_client"])
def test_it_never_shows_a_secret_digest_or_pepper(request, who, pages):
    client = request.getfixturevalue(who)
    urls, (key, secret), clone = pages
    forbidden = {secret, key.digest, clone.digest, key.pepper_id, secrets.current_pepper_id()}
    forbidden |= {pepper for _, pepper in secrets.peppers()}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Zapier" in html or not url.startswith("/admin/apikeys/"), url  # the page shows the key
        for value in forbidden:
            assert value not in html, (url, value)
        assert "digest" not in html.lower(), url
