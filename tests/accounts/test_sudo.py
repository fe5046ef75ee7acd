"""Sudo mode: outside the window a protected POST gets the password prompt, which carries it on.

The permission matrix checks that every protected action asks (tests/security/test_permission_matrix.py);
these tests follow one action through the prompt, and the window's start and end.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from accounts import sudo
from apikeys import scopes
from apikeys.models import PrivateKey
from tests.factories import PASSWORD, TOTPDeviceFactory, totp_now

CREATE = {
    "name": "Zapier",
    "access": scopes.ACCESS_CUSTOM,
    "scope-lists": scopes.FULL_LEVEL,
    "scope-metrics": scopes.READ_LEVEL,
    "expires": "never",
}


@pytest.fixture
def expired(client, owner):
    """The owner, logged in longer ago than the sudo window."""
    client.force_login(owner)
    session = client.session
    session[sudo.SESSION_KEY] = time.time() - sudo.settings.SUDO_MODE_SECONDS - 1
    session.save()
    return client


def test_it_starts_the_window_at_log_in(client, owner):
    client.post("/login/", {"username": owner.email, "password": PASSWORD})
    assert 0 <= time.time() - client.session[sudo.SESSION_KEY] < 5
    assert client.post("/settings/api-keys/new/", CREATE).status_code == 302


def test_it_asks_for_the_password_outside_the_window(expired):
    response = expired.post("/settings/api-keys/new/", CREATE)
    assert response.status_code == 200
    assert "Confirm it's you" in response.text
    assert not PrivateKey.objects.exists()


def test_it_keeps_the_interrupted_form_in_the_session_for_its_url(expired):
    html = expired.post("/settings/api-keys/new/", {**CREATE, "csrfmiddlewaretoken": "old-token"}).text
    assert 'action="/settings/api-keys/new/"' in html
    assert "Zapier" not in html  # kept on the server, not carried through the page
    pending = expired.session[sudo.PENDING_KEY]
    assert pending["path"] == "/settings/api-keys/new/"
    assert ["name", "Zapier"] in pending["post"] and ["scope-lists", "full"] in pending["post"]
    assert not any(name == "csrfmiddlewaretoken" for name, _ in pending["post"])


def test_it_acts_with_the_original_data_once_the_password_checks_out(expired):
    expired.post("/settings/api-keys/new/", CREATE)
    response = expired.post("/settings/api-keys/new/", {"sudo-password": PASSWORD})
    assert response.status_code == 302
    key = PrivateKey.objects.get()
    assert key.name == "Zapier"
    assert key.scopes == ["lists:read", "lists:write", "metrics:read"]
    assert sudo.PENDING_KEY not in expired.session  # resumed once
    assert expired.post("/settings/api-keys/new/", {**CREATE, "name": "Second"}).status_code == 302


def test_it_never_keeps_the_password(expired):
    expired.post("/settings/api-keys/new/", CREATE)
    expired.post("/settings/api-keys/new/", {"sudo-password": "not-it"})
    assert "not-it" not in str(dict(expired.session))


def test_it_resumes_only_the_action_of_its_own_url(expired, owner):
    key, _ = PrivateKey.objects.issue(owner.memberships.get().account, "Old", scopes.READ_ONLY, owner)
    expired.post("/settings/api-keys/new/", CREATE)
    response = expired.post(f"/settings/api-keys/{key.public_id}/clone/", {"sudo-password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/settings/"
    assert PrivateKey.objects.count() == 1  # neither the create nor a clone happened


def test_it_forgets_an_interrupted_action_after_ten_minutes(expired, monkeypatch):
    expired.post("/settings/api-keys/new/", CREATE)
    later = time.time() + sudo.PENDING_SECONDS + 1
    monkeypatch.setattr(sudo.time, "time", lambda: later)
    response = expired.post("/settings/api-keys/new/", {"sudo-password": PASSWORD})
    assert response.status_code == 302 and not PrivateKey.objects.exists()


def test_it_takes_a_code_from_the_app_instead(expired, owner):
    device = TOTPDeviceFactory(user=owner)
    expired.post("/settings/api-keys/new/", CREATE)
    response = expired.post("/settings/api-keys/new/", {"sudo-code": totp_now(device)})
    assert response.status_code == 302 and PrivateKey.objects.count() == 1


def test_it_refuses_a_wrong_password_and_changes_nothing(expired):
    expired.post("/settings/api-keys/new/", CREATE)
    response = expired.post("/settings/api-keys/new/", {"sudo-password": "not-it"})
    assert response.status_code == 200 and "That password is not right." in response.text
    assert not PrivateKey.objects.exists()
    assert "not-it" not in response.text  # the password is never echoed back


def test_it_throttles_the_prompt_like_the_log_in(expired, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    expired.post("/settings/api-keys/new/", CREATE)
    expired.post("/settings/api-keys/new/", {"sudo-password": "not-it"})
    response = expired.post("/settings/api-keys/new/", {"sudo-password": PASSWORD})
    assert response.status_code == 429 and "Too many failed log-in attempts." in response.text
    assert not PrivateKey.objects.exists()


def test_it_ends_the_window_after_sudo_mode_seconds(client, owner, settings, monkeypatch):
    settings.SUDO_MODE_SECONDS = 60
    client.force_login(owner)
    started = client.session[sudo.SESSION_KEY]
    monkeypatch.setattr(sudo.time, "time", lambda: started + 59)
    assert client.post("/settings/api-keys/new/", CREATE).status_code == 302
    monkeypatch.setattr(sudo.time, "time", lambda: started + 60)
    assert "Confirm it's you" in client.post("/settings/api-keys/new/", CREATE).text


def test_it_shows_confirmation_pages_without_asking(expired):
    assert expired.get("/settings/api-keys/new/").status_code == 200


def test_it_does_not_ask_for_a_role_change_below_admin(expired, account, member_of):
    from accounts.models import Membership
    from accounts.roles import Role

    member = Membership.objects.get(user=member_of(Role.ANALYST))
    url = f"/settings/users/{member.public_id}/role/"
    assert expired.post(url, {"role": Role.MANAGER}).status_code == 302
    assert "Confirm it's you" in expired.post(url, {"role": Role.ADMIN}).text
    member.refresh_from_db()
    assert member.role == Role.MANAGER
    assert expired.post(url, {"sudo-password": PASSWORD}).status_code == 302
    member.refresh_from_db()
    assert member.role == Role.ADMIN


def test_it_lets_a_new_session_act_without_asking(owner):
    client = Client()
    client.force_login(owner)
    assert client.post("/settings/api-keys/new/", CREATE).status_code == 302
