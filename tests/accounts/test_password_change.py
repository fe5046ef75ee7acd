import time

from django.test import Client

from tests.factories import PASSWORD

NEW_PASSWORD = "a-much-better-passphrase-42"


def test_it_shows_our_form(client, owner):
    client.force_login(owner)
    response = client.get("/password/")
    html = response.content.decode()
    assert "Change your password" in html
    assert '<label for="id_old_password">Old password</label>' in html


def test_it_changes_the_password(client, owner):
    client.force_login(owner)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/password/done/", 302)]
    assert "Your password was changed" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert client.get("/settings/").status_code == 200  # still logged in here


def test_it_lets_the_user_log_in_with_the_new_password(client, owner):
    client.force_login(owner)
    client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert Client().login(username="owner@acme.test", password=NEW_PASSWORD)
    assert not Client().login(username="owner@acme.test", password=PASSWORD)


def test_it_refuses_a_wrong_old_password(client, owner):
    client.force_login(owner)
    response = client.post(
        "/password/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_it_refuses_a_weak_new_password(client, owner):
    client.force_login(owner)
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_it_emails_the_user_when_the_password_changes(client, owner, mailoutbox):
    client.force_login(owner)
    client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert [(message.subject, message.to) for message in mailoutbox] == [
        ("Your Keyward password was changed", [owner.email])
    ]


def test_it_refuses_old_password_guesses_past_the_limit_even_the_right_one(
    client, owner, settings, monkeypatch
):
    settings.LOGIN_FAILURE_LIMIT = 2
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    client.force_login(owner)
    wrong = {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(2):
        assert client.post("/password/", wrong).status_code == 200
        now[0] += 61  # past the slow-down, not the lockout
    response = client.post("/password/", {**wrong, "old_password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts." in response.text
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
