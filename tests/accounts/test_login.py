import pytest
from django.test import Client

from tests.factories import PASSWORD


@pytest.fixture
def csrf_client():
    """A client that checks CSRF tokens, as a browser posting the real form is checked."""
    return Client(enforce_csrf_checks=True)


def log_in(csrf_client, email, password=PASSWORD, next_url=""):
    form = csrf_client.get("/login/", {"next": next_url} if next_url else {})
    assert form.status_code == 200
    data = {"username": email, "password": password, "next": next_url}
    return csrf_client.post(
        "/login/", {**data, "csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value}
    )


def test_it_shows_our_form(client, db):
    response = client.get("/login/")
    html = response.content.decode()
    assert "Log in to Keyward" in html
    assert '<label for="id_username">Email address</label>' in html
    assert '<label for="id_password">Password</label>' in html


@pytest.mark.parametrize("email", ["owner@acme.test", "OWNER@ACME.TEST", "Owner@Acme.Test"])
def test_it_logs_in_with_any_capitalisation_of_the_email(csrf_client, owner, email):
    response = log_in(csrf_client, email)
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert csrf_client.session["_auth_user_id"] == str(owner.pk)
    assert csrf_client.get("/settings/").status_code == 200


def test_it_refuses_a_wrong_password(csrf_client, owner):
    response = log_in(csrf_client, "owner@acme.test", password="wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()
    assert "_auth_user_id" not in csrf_client.session


def test_it_refuses_an_unknown_email(csrf_client, owner):
    response = log_in(csrf_client, "nobody@acme.test")
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()


def test_it_refuses_a_post_without_csrf_token(csrf_client, owner):
    response = csrf_client.post("/login/", {"username": "owner@acme.test", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_it_returns_to_a_safe_next(csrf_client, owner):
    response = log_in(csrf_client, "owner@acme.test", next_url="/settings/users/")
    assert response["Location"] == "/settings/users/"


def test_it_ignores_an_unsafe_next(csrf_client, owner):
    response = log_in(csrf_client, "owner@acme.test", next_url="https://evil.test/")
    assert response["Location"] == "/settings/"


def test_it_sends_a_logged_in_user_on(client, owner):
    client.force_login(owner)
    response = client.get("/login/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
