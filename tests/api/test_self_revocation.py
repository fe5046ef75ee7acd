"""DELETE /api/key/: a program that knows its key leaked switches that key off itself."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from apikeys.models import KeyEvent, PrivateKey
from tests.api.helpers import assert_error, call


@pytest.mark.parametrize("fixture", ["full_key", "read_key", "custom_key"])
def test_it_deactivates_the_calling_key_whatever_its_scopes(client, request, fixture):
    key, secret = request.getfixturevalue(fixture)
    response = call(client, "DELETE", "/api/key/", secret)
    assert response.status_code == 204 and response.content == b""
    key.refresh_from_db()
    assert not key.is_active


def test_it_refuses_the_key_on_its_next_request(client, full_key):
    _, secret = full_key
    call(client, "DELETE", "/api/key/", secret)
    assert_error(call(client, "GET", "/api/key/", secret), 401, "not_authenticated")
    assert_error(call(client, "DELETE", "/api/key/", secret), 401, "not_authenticated")


def test_it_records_who_and_why(client, full_key):
    key, secret = full_key
    call(client, "DELETE", "/api/key/", secret, REMOTE_ADDR="198.51.100.23")
    key.refresh_from_db()
    assert key.deactivation_reason == "Revoked through the API"
    assert key.deactivated_by is None and key.deactivated_by_label == "the key itself"
    event = key.events.get(action=KeyEvent.Action.DEACTIVATED)
    assert (event.actor, event.actor_label, event.ip_address) == (None, "the key itself", "198.51.100.23")
    assert event.details == {"reason": "Revoked through the API"}


def test_it_leaves_the_accounts_other_keys_alone(client, full_key, read_key):
    _, secret = full_key
    other, other_secret = read_key
    call(client, "DELETE", "/api/key/", secret)
    assert PrivateKey.objects.get(pk=other.pk).is_active
    assert call(client, "GET", "/api/key/", other_secret).status_code == 200


def test_it_needs_the_key_itself(client, full_key):
    key, _ = full_key
    assert_error(call(client, "DELETE", "/api/key/"), 401, "not_authenticated")
    assert_error(call(client, "DELETE", "/api/key/", "pk_" + "A" * 34), 401, "not_authenticated")
    key.refresh_from_db()
    assert key.is_active and not key.events.filter(action="deactivated").exists()


def test_it_respects_the_ip_allowlist(client, account, owner):
    key, secret = PrivateKey.objects.issue(account, "Z", ["lists:read"], owner, allowed_ips=["192.0.2.0/24"])
    assert_error(
        call(client, "DELETE", "/api/key/", secret, REMOTE_ADDR="203.0.113.9"), 403, "ip_not_allowed"
    )
    assert PrivateKey.objects.get(pk=key.pk).is_active


def test_it_shows_the_owners_why_the_key_stopped(client, full_key, owner):
    key, secret = full_key
    call(client, "DELETE", "/api/key/", secret)
    client.force_login(owner)
    html = client.get(reverse("apikeys:detail", args=[key.public_id])).content.decode()
    assert "Revoked through the API" in html and "by the key itself" in html


def test_it_lets_owners_reactivate_it(client, full_key, owner):
    key, secret = full_key
    call(client, "DELETE", "/api/key/", secret)
    key.reactivate(by=owner)
    assert call(client, "GET", "/api/key/", secret).status_code == 200


def test_it_emails_the_owners_and_admins_once(
    client, full_key, owner, admin, manager, django_capture_on_commit_callbacks
):
    key, secret = full_key
    with django_capture_on_commit_callbacks(execute=True):
        call(client, "DELETE", "/api/key/", secret)
        call(client, "DELETE", "/api/key/", secret)  # refused: the key is already off, no second email
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "admin@acme.test",
        "owner@acme.test",
    ]
    message = mail.outbox[0]
    assert message.subject == f"API key “Full” (pk_…{key.hint}) was deactivated in Acme"
    assert "A private API key was deactivated by the key itself." in message.body
    assert f"Key:     Full ({key.masked})" in message.body
    assert "Reason:  Revoked through the API" in message.body
    assert f"http://testserver{key.get_absolute_url()}" in message.body
    for message in mail.outbox:
        text = message.subject + message.body
        assert secret not in text and secret[3:-4] not in text
