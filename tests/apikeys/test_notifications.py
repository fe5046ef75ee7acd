"""Emails to owners and admins: created, cloned, rolled, deactivated, expiring, leaked; never a secret.

The verbs queue them on commit, so the tests drive views or verbs and run the captured callbacks.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.adapter import KeysAdapter
from apikeys import notifications, scopes
from apikeys.models import KeyStateError, PrivateKey
from tests.apikeys.helpers import url
from tests.factories import UserFactory, login_with_two_factor


@pytest.fixture
def team(owner, admin, manager, outsider):
    """Who is on which account: owner and admin get the emails; the manager and the outsider never do."""
    return ["admin@acme.test", "owner@acme.test"]


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def sent_text() -> str:
    return "\n".join(message.subject + "\n" + message.body for message in mail.outbox)


def reveal(client, response) -> str:
    """Follow the redirect to the reveal page and return the secret shown there, once."""
    return client.get(response["Location"]).context["secret"]


def test_it_emails_owners_and_admins_when_a_key_is_created(
    owner_client, owner, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url("create"), {"name": "Zapier", "access": scopes.ACCESS_READ_ONLY})
    assert response.status_code == 302
    key = PrivateKey.objects.get()
    assert recipients() == team
    message = mail.outbox[0]
    assert message.subject == f"New API key “Zapier” (pk_…{key.hint}) in Acme"
    assert f"A new private API key was created by {owner.name} (owner@acme.test)." in message.body
    assert f"Key:     Zapier (pk_…{key.hint})" in message.body
    assert f"http://testserver{key.get_absolute_url()}" in message.body
    assert "You get this email as an owner or admin of Acme on Keyward." in message.body
    secret = reveal(owner_client, response)
    assert secret and secret not in sent_text() and secret[3:-4] not in sent_text()


def test_it_sends_each_person_their_own_email(owner_client, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url("create"), {"name": "Zapier", "access": scopes.ACCESS_FULL})
    assert [message.to for message in mail.outbox] == [[address] for address in team]


def test_it_emails_when_a_key_is_cloned(owner_client, key, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url("clone", key), {"name": "Zapier (copy)"})
    clone = PrivateKey.objects.exclude(pk=key.pk).get()
    assert recipients() == team
    message = mail.outbox[0]
    assert message.subject == f"API key “Zapier (copy)” (pk_…{clone.hint}) was cloned in Acme"
    assert f"cloned from pk_…{key.hint}" in message.body and f"(pk_…{clone.hint})" in message.body
    assert f"http://testserver{clone.get_absolute_url()}" in message.body
    secret = reveal(owner_client, response)
    assert secret not in sent_text()


def test_it_emails_when_a_key_is_deactivated(owner_client, key, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url("deactivate", key), {"reason": "Contractor left"})
        owner_client.post(url("deactivate", key), {"reason": "again"})  # already inactive: no email
    assert recipients() == team
    message = mail.outbox[0]
    assert message.subject == f"API key “Zapier” (pk_…{key.hint}) was deactivated in Acme"
    assert "deactivated by " in message.body and "owner@acme.test" in message.body
    assert "Reason:  Contractor left" in message.body


def test_it_emails_when_support_deactivates_a_key_in_the_admin(
    client, key, team, django_capture_on_commit_callbacks
):
    staff = UserFactory(email="root@keyward.test", is_staff=True, is_superuser=True)
    login_with_two_factor(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/apikeys/privatekey/{key.pk}/deactivate/", {"reason": "Reported by the customer"}
        )
    assert response.status_code == 302
    assert recipients() == team
    assert "by Support staff (root@keyward.test)" in mail.outbox[0].body
    assert "Reason:  Reported by the customer" in mail.outbox[0].body


def test_it_emails_when_a_key_is_rolled(owner_client, key, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url("roll", key), {"grace": "24h"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert recipients() == team
    message = mail.outbox[0]
    assert message.subject == f"API key “Zapier” (pk_…{key.hint}) was rolled in Acme"
    assert f"New key: pk_…{key.rolled_to.hint}" in message.body
    assert f"The old key stops working at {key.expires_at:%-d %b %Y, %H:%M} UTC." in message.body
    assert f"http://testserver{key.get_absolute_url()}" in message.body
    assert reveal(owner_client, response) not in sent_text()


def test_it_describes_a_roll_with_the_new_key_and_the_end_of_the_grace(
    key, owner, team, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://keys.example.com"
    ends = datetime(2099, 1, 2, 3, 4, tzinfo=UTC)
    PrivateKey.objects.filter(pk=key.pk).update(expires_at=ends)
    key.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        new_key, secret = key.roll(by=owner, grace=timedelta(days=365 * 100))
    assert recipients() == team
    message = mail.outbox[0]
    assert message.subject == f"API key “Zapier” (pk_…{key.hint}) was rolled in Acme"
    assert f"New key: pk_…{new_key.hint}" in message.body
    assert "The old key stops working at 2 Jan 2099, 03:04 UTC." in message.body
    assert message.body.count(f"https://keys.example.com{key.get_absolute_url()}") == 1
    assert secret not in sent_text()


# What each verb's email says in its subject, and the verb, called with the key and who acts.
VERB_EMAILS = {
    "created": (
        "New API key “Other”",
        lambda key, owner: PrivateKey.objects.issue(key.account, "Other", scopes.READ_ONLY, owner),
    ),
    "cloned": ("was cloned in Acme", lambda key, owner: key.clone(by=owner, name="Other")),
    "rolled": ("was rolled in Acme", lambda key, owner: key.roll(by=owner, grace=timedelta(hours=1))),
    "deactivated": ("was deactivated in Acme", lambda key, owner: key.deactivate(by=owner)),
    "leaked": ("was found in public", lambda key, owner: key.mark_leaked("https://github.com/x")),
    "expiring": ("expires on", lambda key, owner: key.announce_expiry()),
}


@pytest.mark.parametrize("expires_in", [None, timedelta(days=30), timedelta(seconds=-1)])
def test_it_announces_no_expiry_that_is_not_due(key, team, expires_in, django_capture_on_commit_callbacks):
    expires_at = timezone.now() + expires_in if expires_in else None
    PrivateKey.objects.filter(pk=key.pk).update(expires_at=expires_at)
    key.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert key.announce_expiry() is False
    key.refresh_from_db()
    assert mail.outbox == [] and key.expiry_notified_at is None


@pytest.mark.parametrize("action", VERB_EMAILS)
def test_it_queues_each_verbs_email_until_the_commit(
    key, owner, team, action, django_capture_on_commit_callbacks
):
    PrivateKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() + timedelta(days=2))
    key.refresh_from_db()
    subject, verb = VERB_EMAILS[action]
    with django_capture_on_commit_callbacks() as callbacks:
        verb(key, owner)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert recipients() == team and all(subject in message.subject for message in mail.outbox)


def test_it_sends_nothing_when_the_change_is_rolled_back(
    key, owner, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        key.deactivate(by=owner, reason="Contractor left")
        raise RuntimeError("the change failed")
    key.refresh_from_db()
    assert key.is_active and mail.outbox == []


def test_it_sends_nothing_when_a_verb_refuses(inactive_key, owner, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(KeyStateError):
        inactive_key.roll(by=owner, grace=timedelta(hours=1))
    assert mail.outbox == []


def test_it_names_support_staff_from_what_the_deactivation_recorded(
    key, team, django_capture_on_commit_callbacks
):
    staff = UserFactory(email="root@keyward.test", name="Rita Root", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        key.deactivate(by=staff, reason="Reported", by_support=True)
    assert key.events.get(action="deactivated").details == {"reason": "Reported", "by_support": True}
    assert "deactivated by Support staff (root@keyward.test)." in mail.outbox[0].body


def test_it_names_a_member_through_the_adapter(key, team, django_capture_on_commit_callbacks):
    staff = UserFactory(email="root@keyward.test", name="Rita Root", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        key.deactivate(by=staff, reason="Reported")
    assert "deactivated by Rita Root (root@keyward.test)." in mail.outbox[0].body


@pytest.mark.parametrize(
    ("site_url", "link"),
    [
        ("https://keys.example.com", "https://keys.example.com/settings/api-keys/"),
        ("https://keys.example.com/", "https://keys.example.com/settings/api-keys/"),
        ("", "\n/settings/api-keys/"),  # no address to give: the path alone, and check --deploy warns
    ],
)
def test_it_links_to_the_key_at_site_url(
    key, owner, team, settings, site_url, link, django_capture_on_commit_callbacks
):
    settings.SITE_URL = site_url
    with django_capture_on_commit_callbacks(execute=True):
        key.deactivate(by=owner)
    assert f"{link}{key.public_id}/\n" in mail.outbox[0].body


class SubdomainAdapter(KeysAdapter):
    def absolute_url(self, path):
        return f"https://acme.example.com{path}"


class BrokenAdapter(KeysAdapter):
    def absolute_url(self, path):
        raise RuntimeError("a bug in the host's adapter")


def test_it_keeps_the_change_when_the_email_cannot_be_made(
    key, owner, team, settings, caplog, django_capture_on_commit_callbacks
):
    settings.APIKEYS_ADAPTER = "tests.apikeys.test_notifications.BrokenAdapter"
    with django_capture_on_commit_callbacks(execute=True):
        assert key.deactivate(by=owner)
    key.refresh_from_db()
    assert not key.is_active and mail.outbox == []
    assert "a bug in the host's adapter" in caplog.text


def test_it_links_where_the_host_adapter_says(key, owner, team, settings, django_capture_on_commit_callbacks):
    settings.APIKEYS_ADAPTER = "tests.apikeys.test_notifications.SubdomainAdapter"
    with django_capture_on_commit_callbacks(execute=True):
        key.deactivate(by=owner)
    assert f"https://acme.example.com{key.get_absolute_url()}" in mail.outbox[0].body


def test_it_never_fails_the_change_when_email_fails(
    owner_client, team, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("apikeys.mail.send_mail", refuse)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url("create"), {"name": "Zapier", "access": scopes.ACCESS_FULL})
    assert response.status_code == 302 and PrivateKey.objects.count() == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "apikeys.mail"]
    assert len(warnings) == 2 and "apikeys/email/created" in warnings[0].getMessage()


def test_it_skips_deactivated_users(key, owner, admin, django_capture_on_commit_callbacks):
    admin.is_active = False
    admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        key.deactivate(by=owner)
    assert recipients() == ["owner@acme.test"]


def test_it_refuses_an_unknown_notification(key):
    with pytest.raises(ValueError, match="Unknown key notification"):
        notifications.key_changed(key, "renamed")


# notify_expiring -----------------------------------------------------------------------------------------


def expiring_key(account, owner, name, expires_in, **fields):
    key, _ = PrivateKey.objects.issue(account, name, scopes.READ_ONLY, owner)
    PrivateKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() + expires_in, **fields)
    key.refresh_from_db()
    return key


@pytest.fixture
def notify_expiring(django_capture_on_commit_callbacks):
    """Run the daily command, sending what it sends after its commits; return what it printed."""

    def run() -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("notify_expiring", stdout=out)
        return out.getvalue()

    return run


def test_it_announces_keys_expiring_within_seven_days_once(account, owner, team, settings, notify_expiring):
    settings.SITE_URL = "https://keys.example.com"
    soon = expiring_key(account, owner, "Soon", timedelta(days=3))
    expiring_key(account, owner, "Later", timedelta(days=8))
    expiring_key(account, owner, "Expired", -timedelta(minutes=1))
    inactive = expiring_key(account, owner, "Inactive", timedelta(days=2))
    inactive.deactivate(by=owner)
    assert "Announced 1 key expiring" in notify_expiring()
    assert recipients() == team
    message = mail.outbox[0]
    soon.refresh_from_db()
    expected = f"API key “Soon” (pk_…{soon.hint}) in Acme expires on {soon.expires_at:%-d %b %Y}"
    assert message.subject == expected
    assert f"https://keys.example.com{soon.get_absolute_url()}" in message.body
    assert soon.expiry_notified_at is not None
    assert "Announced 0 keys" in notify_expiring()  # idempotent: a second run (or a retry) sends nothing
    assert len(mail.outbox) == 2


def test_it_marks_a_key_announced_even_if_sending_fails(account, owner, team, monkeypatch, notify_expiring):
    soon = expiring_key(account, owner, "Soon", timedelta(days=1))
    monkeypatch.setattr("apikeys.mail.send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    assert "Announced 1 key" in notify_expiring()
    soon.refresh_from_db()
    assert soon.expiry_notified_at is not None


def test_it_never_puts_a_secret_in_any_email(
    owner_client, team, notify_expiring, django_capture_on_commit_callbacks
):
    shown = []
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url("create"), {"name": "Zapier", "access": scopes.ACCESS_FULL})
        shown.append(reveal(owner_client, response))
        key = PrivateKey.objects.get()
        response = owner_client.post(url("clone", key), {"name": "Zapier (copy)"})
        shown.append(reveal(owner_client, response))
        owner_client.post(url("deactivate", key), {"reason": "Done"})
    clone = PrivateKey.objects.exclude(pk=key.pk).get()
    PrivateKey.objects.filter(pk=clone.pk).update(expires_at=timezone.now() + timedelta(days=1))
    notify_expiring()
    with django_capture_on_commit_callbacks(execute=True):
        clone.mark_leaked("https://github.com/octocat/Hello-World/blob/main/.env", found_by="GitHub")
    subjects = {
        message.subject.split(" ")[0] + " " + message.subject.split(" ")[-1] for message in mail.outbox
    }
    assert len(mail.outbox) == 5 * 2, subjects
    text = sent_text()
    for secret in shown:
        assert secret not in text and secret[3:] not in text and secret[3:-4] not in text


def test_it_reminds_of_a_rolled_key_before_its_grace_ends(account, owner, team, notify_expiring):
    replacement, _ = PrivateKey.objects.issue(account, "Rolled", scopes.READ_ONLY, owner)
    expiring_key(account, owner, "Rolled", timedelta(hours=1), rolled_to=replacement)
    assert "Announced 1 key expiring" in notify_expiring()
    assert recipients() == team
    body = mail.outbox[0].body
    assert f"This key was rolled: its replacement, “Rolled” (pk_…{replacement.hint}), is ready." in body
    assert "clone or roll the key" not in body
