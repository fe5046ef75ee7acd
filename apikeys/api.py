"""The API's own endpoints: ``GET /api/key/`` tells a caller which key it holds and for which account."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from apikeys.auth import ANY_SCOPE, api_key_required, json_error


@csrf_exempt
@api_key_required(GET=ANY_SCOPE)
def key_detail(request: HttpRequest) -> JsonResponse:
    """Describe the calling key: what it may do and whose data it opens."""
    key, account = request.api_key, request.account
    return JsonResponse(
        {
            "data": {
                "id": str(key.public_id),
                "name": key.name,
                "scopes": key.scopes,
                "created_at": key.created_at,
                "account": {"name": account.name, "public_key": account.public_key},
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
