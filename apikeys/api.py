"""The API's own endpoints: ``GET /api/key/`` tells a caller which key it holds and for which account;
``DELETE /api/key/`` lets a program that knows its key leaked switch that key off at once.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from apikeys.adapter import get_adapter
from apikeys.auth import ANY_SCOPE, api_key_required, json_error
from apikeys.http import client_ip

SELF_REVOKED_REASON = "Revoked through the API"
SELF_REVOKED_ACTOR = "the key itself"


@csrf_exempt
@api_key_required(GET=ANY_SCOPE, DELETE=ANY_SCOPE)
def key_detail(request: HttpRequest) -> HttpResponse:
    """Describe the calling key: what it may do and whose data it opens; DELETE deactivates it (204).

    Any working key may revoke itself, whatever its scopes: whoever holds the secret could already use it,
    and stopping it is the one thing a leaked key should always be able to do.
    """
    key, account = request.api_key, request.account
    if request.method == "DELETE":
        key.deactivate(
            by=None, reason=SELF_REVOKED_REASON, ip=client_ip(request), by_label=SELF_REVOKED_ACTOR
        )
        return HttpResponse(status=204)
    return JsonResponse(
        {
            "data": {
                "id": str(key.public_id),
                "name": key.name,
                "scopes": key.scopes,
                "created_at": key.created_at,
                "account": {"name": str(account), "public_key": get_adapter().public_key(account)},
            }
        }
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Answer unknown paths under /api/ in the API's JSON shape rather than with an HTML page."""
    detail = "No such API endpoint."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            detail = f"No such API endpoint; did you mean {request.path}/ (with the trailing slash)?"
    return json_error(404, "not_found", detail)
