"""No secret reaches the logs: not from the Authorization header, a cookie, a form body or a URL."""

from __future__ import annotations

import io
import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apikeys.models import PrivateKey
from config.logging import REDACTED, ScrubSecrets


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
