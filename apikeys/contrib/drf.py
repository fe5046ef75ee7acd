"""Django REST framework support: ``ApiKeyAuthentication`` checks a private key, ``HasScope`` guards a view.

The key is checked as ``api_key_required`` checks it (``apikeys.auth``), with the same 401, 403 and 429, and
refusals are counted against the key the same way. Set-up: docs/integrate.md, "Django REST framework". This is
the only module of the app that imports DRF (``pip install keyward[drf]``).
"""

from __future__ import annotations

from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication

from apikeys import auth
from apikeys.models import PrivateKey


class KeyUser:
    """``request.user`` of a key-authenticated request: authenticated, no Django user, no permissions.

    The key is ``request.auth`` (and ``request.user.key``), its account ``request.user.account``.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, key: PrivateKey):
        self.key = key
        self.account = key.account

    def __str__(self) -> str:
        return f"API key {self.key.masked}"

    def get_username(self) -> str:
        return str(self)

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perms, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate ``Authorization: Bearer pk_…``; a request without that header is left to other classes."""

    def authenticate(self, request):
        if not request.META.get("HTTP_AUTHORIZATION", "").strip().lower().startswith("bearer"):
            return None
        result = auth.authenticate(request._request)
        if isinstance(result, auth.Refusal):
            raise _exception(result)
        request._request.api_key, request._request.account = result, result.account
        return KeyUser(result), result

    def authenticate_header(self, request) -> str:
        return "Bearer"


def _exception(refusal: auth.Refusal) -> exceptions.APIException:
    """Return the DRF exception for the app's refusal (401, 403 or 429)."""
    if refusal.status == 429:
        wait = int(refusal.headers["Retry-After"])
        return exceptions.Throttled(wait=wait, detail=refusal.detail, code=refusal.code)
    if refusal.status == 403:
        return exceptions.PermissionDenied(refusal.detail, code=refusal.code)
    return exceptions.AuthenticationFailed(refusal.detail, code=refusal.code)


def HasScope(scope: str | None = None, *, read: str | None = None, write: str | None = None):  # noqa: N802
    """Return a permission class that admits a key holding the scope its method needs.

    ``HasScope("lists:read")`` for every method; ``HasScope(read="lists:read", write="lists:write")`` for
    safe methods (GET, HEAD, OPTIONS) and the others. A request without a key is refused (401 with an
    authentication class, else 403); a key without the scope gets 403 ``insufficient_scope`` naming it.
    """
    if (scope is None) == (read is None and write is None):
        raise TypeError("HasScope takes one scope, or read= and/or write=.")

    class _HasScope(permissions.BasePermission):
        code = "insufficient_scope"

        def has_permission(self, request, view) -> bool:
            key = request.auth
            if not isinstance(key, PrivateKey):
                return False
            needed = scope or (read if request.method in permissions.SAFE_METHODS else write)
            if needed is not None and key.has_scope(needed):
                return True
            if needed is None:
                self.message = f"{request.method} is not open to API keys here."
            else:
                self.message = auth.SCOPE_DETAIL.format(scope=needed)
            if _answered(request):
                auth.refuse(key, PrivateKey.Refused.INSUFFICIENT_SCOPE)
            return False

    _HasScope.__name__ = _HasScope.__qualname__ = f"HasScope({scope or f'read={read}, write={write}'})"
    return _HasScope


def _answered(request) -> bool:
    """Whether this check decides the request's answer, and does so for the first time: not DRF's check of
    another method (OPTIONS metadata, the browsable API's forms), nor a second check of the same one."""
    if request.method != request._request.method or getattr(request._request, "_apikeys_refused", False):
        return False
    request._request._apikeys_refused = True
    return True


def exception_handler(exc, context):
    """DRF's handler, with errors in the app's one JSON shape: ``{"errors": [{"status", "code", "detail"}]}``.

    A field's validation error names the field in ``source`` (``{"parameter": name}``), one error each.
    """
    # Imported here: rest_framework.views reads DEFAULT_AUTHENTICATION_CLASSES while it loads, so a module
    # named there that imports it at the top is a circular import (DRF's documentation warns of it).
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    status = str(response.status_code)
    response.data = {
        "errors": [
            {"status": status, "code": code, "detail": text, **({"source": {"parameter": at}} if at else {})}
            for at, text, code in _flatten(exc.detail)
        ]
    }
    return response


def _flatten(detail, at: str = ""):
    """Yield ``(field path, message, code)`` for each message of a DRF error detail."""
    if isinstance(detail, dict):
        for name, inner in detail.items():
            field = "" if name == "non_field_errors" else (f"{at}.{name}" if at else str(name))
            yield from _flatten(inner, field)
    elif isinstance(detail, list):
        for inner in detail:
            yield from _flatten(inner, at)
    else:
        yield at, str(detail), getattr(detail, "code", None) or "invalid"
