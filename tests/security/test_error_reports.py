"""Error reports (the admin email, an error tracker) hide the secrets in the frames and the form of a failure.

Django's default reporter filter (``SafeExceptionReporterFilter``) hides only what ``sensitive_variables``
and ``sensitive_post_parameters`` name; these tests make each view fail where the secret is in its locals.
"""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connections
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

from accounts.models import Invitation
from accounts.roles import Role
from accounts.views import AcceptInvitationForm, accept_invitation
from apikeys import scanning
from apikeys.auth import authenticate
from apikeys.models import PrivateKey
from tests.api.test_secret_scanning import KEY_ID, match, public_pem, sign

PASSWORD = "plum-kettle-orbit-42"


@pytest.fixture
def github_key(settings):
    """GitHub's signing key, generated here; its public half configured as GitHub's would be."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    settings.SECRET_SCANNING_PUBLIC_KEYS = {KEY_ID: public_pem(private_key)}
    return private_key


def broken(*args, **kwargs):
    raise DatabaseError("the database went away")


def frame_variables(request, error: BaseException) -> dict[str, dict]:
    """Return each frame's variables as the default reporter filter lets a report show them."""
    reporter_filter = get_default_exception_reporter_filter()
    frames, tb = {}, error.__traceback__.tb_next  # the first frame is the test's own
    while tb is not None:
        variables = reporter_filter.get_traceback_frame_variables(request, tb.tb_frame)
        frames.setdefault(tb.tb_frame.f_code.co_name, dict(variables))
        tb = tb.tb_next
    return frames


def report(request, error: BaseException) -> str:
    """Return the HTML error report (the debug page, an admin email's attachment): locals and request."""
    tb = error.__traceback__.tb_next  # the first frame is the test's own
    return ExceptionReporter(request, type(error), error, tb).get_traceback_html()


def test_it_hides_the_invitation_token_and_the_new_password(rf, account, owner, monkeypatch):
    _, token = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=owner.memberships.get())
    data = {"name": "Nina", "new_password1": PASSWORD, "new_password2": PASSWORD}
    request = rf.post(f"/invitations/{token}/", data)
    request.user = AnonymousUser()
    monkeypatch.setattr(AcceptInvitationForm, "save", broken)
    with pytest.raises(DatabaseError) as failure:
        accept_invitation(request, token=token)

    cleansed = get_default_exception_reporter_filter().cleansed_substitute
    assert frame_variables(request, failure.value)["accept_invitation"]["token"] == cleansed
    post = get_default_exception_reporter_filter().get_post_parameters(request)
    assert post["new_password1"] == post["new_password2"] == cleansed
    assert post["name"] == "Nina"
    assert PASSWORD not in report(request, failure.value)


def test_it_hides_the_api_key_of_a_request_that_fails(rf, account, owner, monkeypatch):
    _, secret = PrivateKey.objects.issue(account, "Zapier", ["lists:read"], by=owner)
    request = rf.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    with monkeypatch.context() as patch, pytest.raises(DatabaseError) as failure:
        patch.setattr(connections["default"], "cursor", broken)  # fails inside apikeys.verification.find
        authenticate(request)

    frames = frame_variables(request, failure.value)
    assert {"authenticate", "find"} <= set(frames)
    assert secret not in report(request, failure.value)


@pytest.mark.parametrize("failing", ["parse", "revoke_leaked"])
def test_it_hides_the_reported_tokens_of_a_secret_scanning_alert(
    rf,
    account,
    owner,
    github_key,
    monkeypatch,
    failing,
):
    _, secret = PrivateKey.objects.issue(account, "Zapier", ["lists:read"], by=owner)
    body = json.dumps([match(secret)], separators=(",", ":")).encode()
    request = rf.post(
        "/api/secret-scanning/github/",
        body,
        content_type="application/json",
        HTTP_GITHUB_PUBLIC_KEY_IDENTIFIER=KEY_ID,
        HTTP_GITHUB_PUBLIC_KEY_SIGNATURE=sign(github_key, body),
    )
    if failing == "parse":
        monkeypatch.setattr(scanning, "Match", broken)
    else:
        monkeypatch.setattr("apikeys.notifications.key_changed", broken)
    with pytest.raises(DatabaseError) as failure:
        scanning.github_alert(request)

    assert {"github_alert", failing} <= set(frame_variables(request, failure.value))
    assert secret not in report(request, failure.value)
