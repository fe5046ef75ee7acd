"""Sessions: a new one at log-in, an idle timeout, and a password change logs out the other sessions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase-42"


def log_in(client, user, password=PASSWORD):
    response = client.post("/login/", {"username": user.email, "password": password})
    assert response.status_code == 302
    return response


def test_it_rotates_the_session_on_login(client, owner):
    session = client.session
    session["before-login"] = True
    session.save()
    before = session.session_key
    log_in(client, owner)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_it_expires_after_the_idle_timeout(client, owner):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    log_in(client, owner)
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_moves_the_expiry_forward_on_every_request(client, owner):
    log_in(client, owner)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    response = client.get("/settings/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_it_logs_out_other_sessions_when_the_password_changes(client, owner):
    elsewhere = Client()
    log_in(elsewhere, owner)
    log_in(client, owner)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/settings/").status_code == 200  # the session that changed it stays
    response = elsewhere.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
