"""Carry a new secret from the create (or clone) POST to the one reveal GET that shows it.

The secret is split with a one-time pad: the pad goes to the browser in a short-lived HttpOnly cookie sent
only to the reveal URL, secret XOR pad into a ``RevealShare`` row that the session points to. Deleting that
row is the one atomic claim, so the secret is shown once. Design: docs/decisions/reveal-one-time-pad.md.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from secrets import token_bytes

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from apikeys import secrets
from apikeys.models import PrivateKey, RevealShare

MAX_AGE = 10 * 60  # seconds: long enough for a slow redirect, short enough to leave nothing lying around
COOKIE_PREFIX = "kw_reveal_"
SESSION_PREFIX = "apikeys.reveal."


def _names(key: PrivateKey) -> tuple[str, str, str]:
    """Return the cookie name, cookie path and session entry for a key's reveal."""
    return (
        COOKIE_PREFIX + key.public_id.hex,
        reverse("apikeys:reveal", args=[key.public_id]),
        SESSION_PREFIX + str(key.public_id),
    )


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


@sensitive_variables("secret", "pad")
def redirect_to_reveal(request: HttpRequest, key: PrivateKey, secret: str) -> HttpResponse:
    """Split ``secret`` between a ``RevealShare`` row and a cookie, and redirect to the key's reveal page."""
    cookie, path, entry = _names(key)
    pad = token_bytes(len(secret))
    RevealShare.objects.filter(created_at__lt=_now() - timedelta(seconds=MAX_AGE)).delete()  # never shown
    share = RevealShare.objects.create(
        key_public_id=key.public_id, share=_xor(secret.encode("ascii"), pad).hex(), created_at=_now()
    )
    request.session[entry] = str(share.pk)
    response = redirect(path)
    response.set_cookie(
        cookie,
        pad.hex(),
        max_age=MAX_AGE,
        path=path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


@sensitive_variables("secret", "pad")
def take(request: HttpRequest, key: PrivateKey) -> str | None:
    """Join and discard both shares; return the secret, or None when it can no longer be shown.

    Call ``forget`` on the response too, so that the browser drops its share.
    """
    cookie, _, entry = _names(key)
    share = _claim(request.session.pop(entry, None), key)
    if share is None:
        return None
    try:
        pad = bytes.fromhex(request.COOKIES.get(cookie, ""))
        secret = _xor(bytes.fromhex(share.share), pad).decode("ascii")
    except ValueError:  # no cookie, or shares that do not fit together
        return None
    if _now() - share.created_at > timedelta(seconds=MAX_AGE) or not secrets.is_well_formed(secret):
        return None
    if key.digest not in secrets.candidate_digests(secret):  # shares of another key's secret
        return None
    return secret


def _claim(share_id, key: PrivateKey) -> RevealShare | None:
    """Delete the key's share and return it, or None if there is none or another request deleted it first."""
    try:
        share = RevealShare.objects.filter(pk=share_id, key_public_id=key.public_id).first()
    except (TypeError, ValueError, ValidationError):  # no entry, or one that is no id
        return None
    if share is None:
        return None
    deleted, _ = RevealShare.objects.filter(pk=share.pk).delete()  # one DELETE: its row count says who won
    return share if deleted else None


def _now() -> datetime:
    return datetime.fromtimestamp(time.time(), tz=UTC)  # time.time, so that tests can move the clock


def forget(response: HttpResponse, key: PrivateKey) -> None:
    """Delete the browser's share (same name and path as when it was set)."""
    cookie, path, _ = _names(key)
    response.delete_cookie(cookie, path=path, samesite="Strict")
