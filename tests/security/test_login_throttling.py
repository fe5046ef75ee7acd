"""Login throttling: repeated failures for an email or from an address are slowed, then refused."""

from __future__ import annotations

import time

import pytest

from accounts.throttling import delay_after
from tests.factories import PASSWORD


@pytest.fixture
def clock(monkeypatch):
    """Control time.time (the throttle's and the local-memory cache's clock)."""

    class Clock:
        now = time.time()

        def advance(self, seconds):
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(time, "time", lambda: clock.now)
    return clock


def attempt(client, email, password="wrong-password", ip="10.0.0.1", path="/login/"):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client, email, times, clock, ip="10.0.0.1"):
    """Fail ``times`` log-ins, waiting out each slow-down in between (but not the lockout)."""
    for _ in range(times):
        response = attempt(client, email, ip=ip)
        assert response.status_code == 200, response.content
        clock.advance(61)


def test_it_slows_down_repeated_failures(client, owner, clock):
    attempt(client, owner.email)
    attempt(client, owner.email)
    response = attempt(client, owner.email, password=PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts. Please wait 1 second and try again." in response.text
    assert "_auth_user_id" not in client.session
    clock.advance(1)
    assert attempt(client, owner.email, password=PASSWORD).status_code == 302


def test_it_waits_longer_after_each_failure():
    assert [delay_after(n, limit=5) for n in range(1, 5)] == [0, 1, 2, 4]
    assert [delay_after(n, limit=20) for n in (9, 10, 11, 19)] == [0, 1, 2, 60]


def test_it_refuses_an_email_after_the_limit_even_with_the_right_password(client, owner, clock):
    fail(client, owner.email, 5, clock)
    response = attempt(client, owner.email, password=PASSWORD)
    assert response.status_code == 429
    assert "Please wait 14 minutes and try again." in response.text
    assert "_auth_user_id" not in client.session


def test_it_lets_the_user_in_after_the_lockout(client, owner, clock):
    fail(client, owner.email, 5, clock)
    clock.advance(15 * 60)
    response = attempt(client, owner.email, password=PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_it_counts_an_email_whatever_its_case_or_address(client, owner, clock):
    for number in range(5):
        attempt(client, owner.email.upper(), ip=f"10.0.1.{number}")
        clock.advance(61)
    assert attempt(client, owner.email, password=PASSWORD, ip="10.0.2.1").status_code == 429


def test_it_treats_unknown_emails_like_known_ones(client, db, clock):
    fail(client, "nobody@example.test", 5, clock)
    response = attempt(client, "nobody@example.test")
    assert response.status_code == 429
    assert "Please wait" in response.text


def test_it_does_not_lock_out_other_emails(client, owner, admin, clock):
    fail(client, owner.email, 5, clock)
    assert attempt(client, admin.email, password=PASSWORD, ip="10.0.0.9").status_code == 302


def test_it_refuses_an_address_after_its_limit(client, owner, clock, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 20
    for number in range(1, 21):
        assert attempt(client, f"guess{number}@example.test").status_code == 200
        clock.advance(delay_after(number, limit=20))  # only the address's slow-down applies
    assert attempt(client, owner.email, password=PASSWORD).status_code == 429
    assert attempt(client, owner.email, password=PASSWORD, ip="10.0.0.2").status_code == 302


def test_it_forgets_an_emails_failures_after_a_success(client, owner, clock):
    fail(client, owner.email, 4, clock)
    assert attempt(client, owner.email, password=PASSWORD).status_code == 302
    client.logout()
    fail(client, owner.email, 4, clock)
    assert attempt(client, owner.email, password=PASSWORD).status_code == 302


def test_it_does_not_forget_failures_for_a_missing_password(client, owner, clock):
    fail(client, owner.email, 5, clock)
    attempt(client, owner.email, password="")
    assert attempt(client, owner.email, password=PASSWORD).status_code == 429


def test_it_sends_the_admin_login_to_the_throttled_one(client, db):
    # The admin has no password form of its own to guard: it logs in through /login/.
    url = "/admin/login/?next=/admin/apikeys/"
    for response in (client.get(url), client.post(url, {"username": "x", "password": "y"})):
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/admin/apikeys/"


def test_it_counts_failures_per_forwarded_address(client, owner, clock, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the test client's REMOTE_ADDR: our proxy
    settings.LOGIN_IP_FAILURE_LIMIT = 5
    for number in range(5):
        client.post(
            "/login/",
            {"username": f"guess{number}@example.test", "password": "x"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
        clock.advance(61)
    response = client.post(
        "/login/", {"username": owner.email, "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert response.status_code == 429
    response = client.post(
        "/login/", {"username": owner.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 302


def test_it_keeps_password_validators_on(settings):
    names = [validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS]
    assert "MinimumLengthValidator" in names
    assert "CommonPasswordValidator" in names
