"""The log-in's second step: after the password, a code from the app or a recovery code (once)."""

from __future__ import annotations

import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import RecoveryCode
from tests.factories import PASSWORD, TOTPDeviceFactory, totp_now


@pytest.fixture
def device(owner):
    """The owner's authenticator app."""
    return TOTPDeviceFactory(user=owner)


def log_in(client, user, next_url=""):
    url = f"/login/?next={next_url}" if next_url else "/login/"
    return client.post(url, {"username": user.email, "password": PASSWORD})


def test_it_asks_for_a_code_after_the_password(client, owner, device):
    response = log_in(client, owner)
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session  # not logged in yet
    assert client.get("/settings/").status_code == 302


def test_it_logs_in_with_the_apps_code(client, owner, device):
    log_in(client, owner, next_url="/settings/users/")
    response = client.post("/login/verify/", {"code": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == "/settings/users/"
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert client.session["otp_device_id"] == device.persistent_id


def test_it_refuses_a_code_used_once_already(client, owner, device):
    code = totp_now(device)
    log_in(client, owner)
    client.post("/login/verify/", {"code": code})
    client.logout()
    log_in(client, owner)
    response = client.post("/login/verify/", {"code": code})
    assert response.status_code == 200 and "That code is not right, or was already used." in response.text
    assert "_auth_user_id" not in client.session


def test_it_takes_a_recovery_code_once(client, owner, device):
    codes = RecoveryCode.objects.replace_for(owner)
    log_in(client, owner)
    assert client.post("/login/verify/", {"code": codes[3].upper()}).status_code == 302
    client.logout()
    log_in(client, owner)
    response = client.post("/login/verify/", {"code": codes[3]})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert RecoveryCode.objects.unused().filter(user=owner).count() == 9


def test_it_sends_a_visitor_without_the_password_step_back_to_log_in(client, owner, device):
    response = client.post("/login/verify/", {"code": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_it_forgets_a_password_step_after_five_minutes(client, owner, device, monkeypatch):
    log_in(client, owner)
    later = time.time() + twofactor.PENDING_SECONDS + 1
    monkeypatch.setattr(twofactor.time, "time", lambda: later)
    response = client.post("/login/verify/", {"code": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_it_throttles_code_guesses_like_passwords(client, owner, device, settings, monkeypatch):
    settings.LOGIN_FAILURE_LIMIT = 3
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    log_in(client, owner)
    for _ in range(3):
        wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
        assert client.post("/login/verify/", {"code": wrong}).status_code == 200
        now[0] += 61  # past each slow-down, not past the lockout
    response = client.post("/login/verify/", {"code": totp_now(device)})
    assert response.status_code == 429
    assert "Too many failed log-in attempts." in response.text
    assert "_auth_user_id" not in client.session


def test_it_logs_in_without_a_second_step_when_two_factor_is_off(client, owner):
    response = log_in(client, owner)
    assert response.status_code == 302 and response["Location"] == "/settings/"
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert not TOTPDevice.objects.exists()
