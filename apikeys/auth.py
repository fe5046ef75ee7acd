"""Authentication for the JSON API: ``api_key_required``, the one decorator every API view goes through.

A request carries a private key as ``Authorization: Bearer <secret>``. The decorator answers the method
check, the header and the key, in that order, so a request costs as little as possible: a malformed or
mistyped key costs no query, any other key exactly one (``PrivateKey.objects.verify``), and a good key's
request makes no cache call at all. Nothing about a key's validity is cached, so a deactivated key is
refused on the very next request. ``last_used_at`` is written at most once a minute
(``PrivateKey.record_use``), and requests are counted in process and written in batches (``apikeys.usage``).

The failure throttle is read only when a credential fails, so a valid key is never refused because its
address also sent bad ones; a cache outage turns it off (``apikeys.cachesafe``) rather than failing the
request.

Unknown, inactive and malformed keys get the same 401, so the answer never tells which keys exist. Every
error, here and in the API views, has one JSON shape: ``{"errors": [{"status", "code", "detail"}]}``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.debug import sensitive_variables

from apikeys import cachesafe, conf, usage
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
            if isinstance(key, HttpResponse):
                return key
            scope = scope_by_method[request.method]
            if scope is not ANY_SCOPE and not key.has_scope(scope):
                return json_error(
                    403,
                    "insufficient_scope",
                    f"This API key lacks the {scope} scope; create a key with it.",
                    headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
                )
            request.api_key = key
            request.account = key.account
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Error reports hide these locals here and in every frame below (PrivateKey.objects.verify's ``secret``,
# apikeys.secrets.digest's ``pepper``): Django's filter applies the nearest decorated caller's names.
@sensitive_variables("header", "token", "secret", "pepper")
def authenticate(request: HttpRequest) -> PrivateKey | JsonResponse:
    """Return the request's working private key, or the 401, 403 or 429 response to send instead.

    A key with an IP allowlist answers 403 ``ip_not_allowed`` to a request from elsewhere: the secret is
    right, so this is no failed guess and is not throttled, but it is no use either and is not recorded.
    """
    ip = client_ip(request)  # REMOTE_ADDR, or X-Forwarded-For past TRUSTED_PROXIES; None if neither
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if not header:
        detail = MISSING_DETAIL
    elif len(header) > MAX_HEADER_LENGTH:
        detail = INVALID_DETAIL
    elif scheme.lower() != "bearer" or not token:
        detail = SCHEME_DETAIL
    elif get_adapter().is_public_key(token):
        detail = PUBLIC_KEY_DETAIL
    else:
        key = PrivateKey.objects.verify(token)
        if key is not None and not key.allows(ip):
            return json_error(
                403, "ip_not_allowed", IP_NOT_ALLOWED_DETAIL.format(ip=ip or "an unknown address")
            )
        if key is not None:
            usage.count(key.pk)  # in process memory; written to KeyUsage in batches
            key.record_use(ip, request.META.get("HTTP_USER_AGENT", ""))
            return key
        detail = INVALID_DETAIL
    wait = _record_failure(ip)
    if wait:
        return json_error(
            429,
            "throttled",
            f"Too many failed authentication attempts from this address; retry in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    return json_error(401, "not_authenticated", detail, headers={"WWW-Authenticate": "Bearer"})


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
