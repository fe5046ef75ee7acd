"""Authentication for the JSON API: ``api_key_required``, and ``authenticate``, which contrib/drf.py shares.

A refused request gets a ``Refusal`` (status, code, detail, headers): views answer it with ``json_error``,
DRF raises it as its own exception. A good key costs one query and no cache call; a refusal of a known key's
own secret is counted against that key. The order of the checks and what each costs: docs/performance.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.debug import sensitive_variables

from apikeys import cachesafe, conf, usage, verification
from apikeys.adapter import get_adapter
from apikeys.http import client_ip
from apikeys.models import PrivateKey

ANY_SCOPE = None  # ``@api_key_required(GET=ANY_SCOPE)``: any active private key may call the view

MISSING_DETAIL = "Authentication required: send a private API key as 'Authorization: Bearer <key>'."
SCHEME_DETAIL = "Send the private API key as 'Authorization: Bearer <key>'."
INVALID_DETAIL = "Invalid or inactive API key."
PUBLIC_KEY_DETAIL = (
    "This is a public key (site ID): it identifies an account to client-side code and opens no data. "
    "Private endpoints need a private API key (pk_...) sent as 'Authorization: Bearer <key>'."
)
IP_NOT_ALLOWED_DETAIL = (
    "This API key works only from the addresses in its IP allowlist; this request came from {ip}. "
    "An owner or admin can see the allowlist on the key's page in Settings > API keys."
)
THROTTLED_DETAIL = "Too many failed authentication attempts from this address; retry in {wait} seconds."
SCOPE_DETAIL = "This API key lacks the {scope} scope; create a key with it."
# Longer than any credential this API issues; anything above it is refused before any parsing.
MAX_HEADER_LENGTH = 200
_THROTTLE_WINDOW = 60


def json_error(
    status: int, code: str, detail: str, *, source: dict | None = None, headers: dict | None = None
) -> JsonResponse:
    """Return the API's one error shape; ``source`` names the field or parameter at fault."""
    error = {"status": str(status), "code": code, "detail": detail}
    if source:
        error["source"] = source
    return JsonResponse({"errors": [error]}, status=status, headers=headers)


def method_not_allowed(request: HttpRequest, allowed: list[str]) -> JsonResponse:
    return json_error(
        405,
        "method_not_allowed",
        f"{request.method} is not allowed here; use {' or '.join(allowed)}.",
        headers={"Allow": ", ".join(allowed)},
    )


@dataclass(frozen=True)
class Refusal:
    """What to answer a refused request, in the API's one error shape, whichever framework answers it."""

    status: int
    code: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> JsonResponse:
        return json_error(self.status, self.code, self.detail, headers=self.headers)


def api_key_required(**scope_by_method: str | None) -> Callable:
    """Admit a request with an active private key that holds the scope its method needs.

    ``@api_key_required(GET="lists:read", POST="lists:write")``; ``GET=ANY_SCOPE`` admits any active key.
    Other methods get 405. On success the view finds ``request.api_key`` and ``request.account``; a key
    without the scope gets 403 naming it.
    """
    allowed = sorted(scope_by_method)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in scope_by_method:
                return method_not_allowed(request, allowed)
            key = authenticate(request)
            if isinstance(key, Refusal):
                return key.response()
            scope = scope_by_method[request.method]
            if scope is not ANY_SCOPE and not key.has_scope(scope):
                return refuse_scope(key, scope).response()
            request.api_key = key
            request.account = key.account
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Error reports hide these locals here and in every frame below (apikeys.verification.find's ``secret``,
# apikeys.secrets.digest's ``pepper``): Django's filter applies the nearest decorated caller's names.
@sensitive_variables("header", "token", "secret", "pepper")
def authenticate(request: HttpRequest) -> PrivateKey | Refusal:
    """Return the request's working private key, or the refusal (401, 403 or 429) to answer instead.

    A request with a known key's own secret counts as one of its requests, and a refusal of it counts
    against it too (``refuse``); an unknown secret counts nowhere. A key with an IP allowlist answers 403
    ``ip_not_allowed`` to a request from elsewhere: the secret is right, so that is no failed guess and is
    not throttled.
    """
    ip = client_ip(request)  # REMOTE_ADDR, or X-Forwarded-For past TRUSTED_PROXIES; None if neither
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    key = None
    if not header:
        detail = MISSING_DETAIL
    elif len(header) > MAX_HEADER_LENGTH:
        detail = INVALID_DETAIL
    elif scheme.lower() != "bearer" or not token:
        detail = SCHEME_DETAIL
    elif get_adapter().is_public_key(token):
        detail = PUBLIC_KEY_DETAIL
    else:
        key = verification.find(token)  # in any state: is_usable decides
        if key is not None:
            usage.count(key.pk)  # in process memory; written to KeyUsage in batches
        if key is not None and key.is_usable:
            if not key.allows(ip):
                refuse(key, PrivateKey.Refused.IP_NOT_ALLOWED)
                return Refusal(
                    403, "ip_not_allowed", IP_NOT_ALLOWED_DETAIL.format(ip=ip or "an unknown address")
                )
            key.record_use(ip, request.META.get("HTTP_USER_AGENT", ""))
            return key
        detail = INVALID_DETAIL
    wait = _record_failure(ip)
    if key is None:
        return _failure(detail, wait)
    if wait:
        reason = PrivateKey.Refused.THROTTLED
    elif not key.is_active:
        reason = PrivateKey.Refused.INACTIVE
    else:
        reason = PrivateKey.Refused.EXPIRED
    refuse(key, reason)
    return _failure(detail, wait)


def _failure(detail: str, wait: int) -> Refusal:
    """Return the 401 of a failed credential, or the 429 once its address has failed too often."""
    if wait:
        return Refusal(429, "throttled", THROTTLED_DETAIL.format(wait=wait), {"Retry-After": str(wait)})
    return Refusal(401, "not_authenticated", detail, {"WWW-Authenticate": "Bearer"})


def refuse(key: PrivateKey, reason: PrivateKey.Refused) -> None:
    """Count a refusal against ``key``, whose request was counted already, and note it as the key's last."""
    usage.count_refusal(key.pk)
    key.record_refusal(reason)


def refuse_scope(key: PrivateKey, scope: str) -> Refusal:
    """Refuse a key without ``scope``: 403 ``insufficient_scope`` naming it, counted as ``refuse`` counts."""
    headers = {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'}
    refuse(key, PrivateKey.Refused.INSUFFICIENT_SCOPE)
    return Refusal(403, "insufficient_scope", SCOPE_DETAIL.format(scope=scope), headers)


def _failure_cache_key(ip: str | None, window: int) -> str:
    return f"api-auth-failures:{window}:{ip}"


def _record_failure(ip: str | None) -> int:
    """Count a failure in the current minute; return how long the client must now wait (0: not yet).

    ``incr``, or ``add`` for the minute's first failure: atomic on Redis, so servers sharing it count
    together. Without a cache the failure is not counted and nobody waits (``apikeys.cachesafe``). An
    unknown address (None, see apikeys/http.py) is not counted: one bucket for it would be shared by every
    client, and one of them could lock all the others out.
    """
    if ip is None:
        return 0
    now = time.time()
    window = int(now // _THROTTLE_WINDOW)
    key = _failure_cache_key(ip, window)
    try:
        failures = cachesafe.call("api throttle", 0, cache.incr, key)
    except ValueError:  # the minute's first failure (or the counter just expired)
        added = cachesafe.call("api throttle", False, cache.add, key, 1, timeout=2 * _THROTTLE_WINDOW)
        try:
            failures = 1 if added else cachesafe.call("api throttle", 0, cache.incr, key)
        except ValueError:  # expired between the two calls
            failures = 1
    if failures <= conf.get("API_AUTH_FAILURE_LIMIT"):
        return 0
    return max(1, math.ceil((window + 1) * _THROTTLE_WINDOW - now))
