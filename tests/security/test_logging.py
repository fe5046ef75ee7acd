"""No secret reaches the logs: not from the Authorization header, a cookie, a form body or a URL."""

from __future__ import annotations

import io
import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Invitation
from accounts.roles import Role
from apikeys.models import PrivateKey
from config.logging import REDACTED, SECRET_PATTERN, ScrubSecrets, redact
from tests.factories import MembershipFactory


@pytest.fixture
def log_output(caplog):
    """Log everything at DEBUG and return the text our configured handler writes."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, ScrubSecrets) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def everything_logged(caplog, stream) -> str:
    """Return all a handler could print: the output, and each record's fields and request."""
    parts = [stream.getvalue(), caplog.text]
    for record in caplog.records:
        parts.append(repr(vars(record)))
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            parts += [repr(request.META), repr(request.COOKIES), repr(request.POST), repr(request.GET)]
            parts += [request.get_full_path(), repr(request.body)]
    return "\n".join(parts)


def test_it_keeps_secrets_out_of_the_logs(owner, account, caplog, log_output):
    with CaptureQueriesContext(connection):  # log SQL too
        key, secret = PrivateKey.objects.issue(account, "Checkout", ["lists:read"], by=owner)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = secret
    client.get(f"/nope/{secret}/?key={secret}", headers={"authorization": f"Bearer {secret}"})
    client.post("/nope/", {"secret": secret}, headers={"authorization": f"Bearer {secret}"})
    Client(enforce_csrf_checks=True).post("/login/", {"password": secret}, HTTP_AUTHORIZATION=secret)
    logging.getLogger("apikeys").info("issued %s", secret)
    try:
        raise ValueError(f"bad key {secret}")
    except ValueError:
        logging.getLogger("apikeys").exception("failed")

    logged = everything_logged(caplog, log_output)
    assert "Not Found" in log_output.getvalue()
    assert "Forbidden (CSRF cookie not set.)" in log_output.getvalue()
    assert "INSERT INTO" in logged  # the SQL was captured, and holds the digest, not the secret
    assert REDACTED in logged
    assert secret not in logged
    assert secret[3:] not in logged


def revealed(response) -> str:
    """Return the one secret the reveal page shows."""
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/reveal/")
    shown = set(SECRET_PATTERN.findall(response.text))
    assert len(shown) == 1
    return shown.pop()


def test_it_keeps_the_tabs_secrets_and_form_bodies_out_of_the_logs(client, owner, caplog, log_output):
    client.force_login(owner)
    with CaptureQueriesContext(connection):  # log SQL too
        created = client.post("/settings/api-keys/new/", {"name": "Checkout", "access": "full"}, follow=True)
        secret = revealed(created)
        key = PrivateKey.objects.get(name="Checkout")
        cloned = client.post(
            f"/settings/api-keys/{key.public_id}/clone/", {"name": "Checkout 2"}, follow=True
        )
        cloned = revealed(cloned)
        rolled = client.post(f"/settings/api-keys/{key.public_id}/roll/", {"grace": "now"}, follow=True)
        rolled = revealed(rolled)
        gone = client.get(created.redirect_chain[-1][0])  # a second reveal: nothing left to show
    assert gone.status_code == 200 and not SECRET_PATTERN.search(gone.text)

    logged = everything_logged(caplog, log_output)
    assert "INSERT INTO" in logged and "apikeys_privatekey" in logged
    assert "Checkout" in logged  # the create form's body reached the SQL, so the capture saw the POSTs
    for shown in (secret, cloned, rolled):
        assert shown not in logged
        assert shown[3:31] not in logged  # the random part alone is as good as the secret


def test_it_keeps_invitation_tokens_out_of_the_logs(client, account, owner, manager, caplog, log_output):
    """A refused invitation link (403, 409) is logged by django.request; the token in it would still work."""
    invitation, token = Invitation.objects.issue(
        account, "late@new.test", Role.ANALYST, by=owner.memberships.get()
    )
    link = f"/invitations/{token}/"
    client.force_login(manager)  # logged in as someone else: 403
    assert client.get(link, HTTP_REFERER=f"https://testserver{link}").status_code == 403
    late = MembershipFactory(account=account, user__email="late@new.test", analyst=True).user
    client.force_login(late)  # already a member: 409
    assert client.post(link).status_code == 409
    logging.getLogger("accounts").warning("opened %s", f"/login/?next=%2Finvitations%2F{token}%2F")

    logged = everything_logged(caplog, log_output)
    assert "Forbidden: /invitations/[redacted]/" in log_output.getvalue()
    assert "Conflict: /invitations/[redacted]/" in log_output.getvalue()
    assert token not in logged
    invitation.refresh_from_db()
    assert invitation.is_usable  # the token tested here still worked


def test_it_redacts_only_the_token_of_an_invitation_link():
    token = "Zb3_x-" + "a" * 37
    assert redact(f"GET /invitations/{token}/?a=1") == "GET /invitations/[redacted]/?a=1"
    assert redact(f"next=%2Finvitations%2F{token}%2F") == "next=%2Finvitations%2F[redacted]%2F"
    assert (
        redact(f"https://keyward.test/invitations/{token}") == "https://keyward.test/invitations/[redacted]"
    )
    public_id = "/settings/users/invitations/4f0c1f4e-9d3a-4a43-9b1e-0c5c3b8e2a11/resend/"
    assert redact(public_id) == public_id  # an invitation's public id is no credential


def test_it_keeps_the_request_usable_for_error_reports(rf):
    request = rf.post("/login/?next=/settings/", {"password": "hunter2"}, HTTP_AUTHORIZATION="Bearer x")
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Oops %s", ("a",), None)
    record.request = request
    ScrubSecrets().filter(record)
    assert record.getMessage() == "Oops a"
    assert record.request.get_full_path() == "/login/?next=/settings/"
    assert record.request.get_host() == "testserver"
    assert "HTTP_AUTHORIZATION" not in record.request.META
    assert record.request.POST == {}
    assert request.POST["password"] == "hunter2"  # the real request is untouched


MANY_PARAMETERS = "&".join(f"a{i}=1" for i in range(1001))  # one more than DATA_UPLOAD_MAX_NUMBER_FIELDS


@pytest.mark.parametrize(
    ("path", "status"), [("/api/key/", 401), ("/api/nope/", 404), ("/client/nope/", 404)]
)
def test_it_logs_a_request_with_too_many_query_parameters_without_failing_it(db, caplog, path, status):
    client = Client(raise_request_exception=False)
    response = client.get(f"{path}?{MANY_PARAMETERS}", headers={"authorization": "Bearer x"})
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["status"] == str(status)
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.request.GET == {}
    assert "a1000=1" in record.request.get_full_path()  # the raw query string is still there, redacted


def test_it_logs_too_many_query_parameters_on_an_html_404_without_failing_it(client, db):
    response = client.get(f"/nope/?{MANY_PARAMETERS}")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_it_never_raises_when_scrubbing_fails(rf, monkeypatch):
    def broken(request):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("config.logging.scrub_request", broken)
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x",), None)
    record.request = rf.get("/x", HTTP_AUTHORIZATION="Bearer x")
    assert ScrubSecrets().filter(record) is True
    assert not hasattr(record, "request")
    assert "RuntimeError" in record.getMessage()


def test_it_redacts_a_malformed_call_and_its_traceback(caplog):
    secret = "pk_" + "a" * 34
    try:
        raise ValueError(secret)
    except ValueError:
        logging.getLogger("apikeys").error("two %s %s", secret, exc_info=True)
    record = caplog.records[-1]
    assert secret not in record.getMessage()
    assert REDACTED in record.getMessage()
    assert record.exc_info is None
    assert secret not in (record.exc_text or "")
