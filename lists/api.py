"""The Lists API: ``/api/lists/`` and ``/api/lists/<id>/``, behind private keys with ``lists:*`` scopes.

Every query goes through the key's account, so another account's list is a 404 like a list that never
existed. Bodies are JSON objects; anything else, an unknown field or a bad value is a 400 naming the field.
"""

from __future__ import annotations

import json
import uuid

from django import forms
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apikeys.auth import api_key_required, json_error
from lists.forms import ListForm
from lists.models import List

LISTS_READ = "lists:read"
LISTS_WRITE = "lists:write"


@csrf_exempt
@api_key_required(GET=LISTS_READ, POST=LISTS_WRITE)
def list_collection(request: HttpRequest) -> JsonResponse:
    """GET: the account's lists. POST ``{"name": …}``: create one (201)."""
    if request.method == "POST":
        return _create(request)
    lists = List.objects.for_account(request.account)
    return JsonResponse({"data": [_as_json(lst) for lst in lists]})


@csrf_exempt
@api_key_required(GET=LISTS_READ, PATCH=LISTS_WRITE, DELETE=LISTS_WRITE)
def list_detail(request: HttpRequest, list_id: str) -> HttpResponse:
    """GET one list, PATCH ``{"name": …}`` to rename it, DELETE it (204)."""
    lst = _get_list(request.account, list_id)
    if lst is None:
        return json_error(404, "not_found", "No list with this id in this account.")
    if request.method == "DELETE":
        lst.delete()
        return HttpResponse(status=204)
    if request.method == "PATCH":
        data = read_object(request, ListForm.Meta.fields)
        if isinstance(data, HttpResponse):
            return data
        if not data:
            return json_error(400, "invalid", 'Nothing to change: send {"name": …}.')
        form = ListForm(data, instance=lst)
        if not form.is_valid():
            return form_errors(form)
        form.save()
    return JsonResponse({"data": _as_json(lst)})


def _create(request: HttpRequest) -> JsonResponse:
    data = read_object(request, ListForm.Meta.fields)
    if isinstance(data, HttpResponse):
        return data
    form = ListForm(data)
    if not form.is_valid():
        return form_errors(form)
    lst = form.save(commit=False)
    lst.account = request.account
    lst.save()
    return JsonResponse({"data": _as_json(lst)}, status=201, headers={"Location": lst.get_absolute_url()})


def _get_list(account, list_id: str) -> List | None:
    try:
        public_id = uuid.UUID(list_id)
    except ValueError:
        return None
    return List.objects.for_account(account).filter(public_id=public_id).first()


def _as_json(lst: List) -> dict:
    return {
        "id": str(lst.public_id),
        "name": lst.name,
        "created_at": lst.created_at,
        "updated_at": lst.updated_at,
    }


def read_object(request: HttpRequest, fields: list[str]) -> dict[str, str] | JsonResponse:
    """Return the body's JSON object of string ``fields``, or the 400 (or 413) response to send.

    Forms would turn a number or a list into text; an API caller who sends one deserves to hear so.
    """
    example = ", ".join(f'"{field}": …' for field in fields)
    try:
        data = json.loads(request.body or b"null")
    except RequestDataTooBig:
        return json_error(413, "too_large", "The request body is too large.")
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        data = None
    if not isinstance(data, dict):
        return json_error(400, "invalid_json", f"The request body must be a JSON object: {{{example}}}.")
    for name, value in data.items():
        pointer = "/" + name.replace("~", "~0").replace("/", "~1")  # RFC 6901
        if name not in fields:
            return json_error(
                400,
                "unknown_field",
                f"Unknown field {name!r}; this endpoint takes {', '.join(fields)}.",
                source={"pointer": pointer},
            )
        if not isinstance(value, str):
            return json_error(400, "invalid", f"{name} must be a string.", source={"pointer": pointer})
        if not _encodes(value):
            return json_error(
                400, "invalid", f"{name} must be valid Unicode text.", source={"pointer": pointer}
            )
    return data


def _encodes(value: str) -> bool:
    """Return False for a lone surrogate (JSON's "\\ud800"): no database column can store it."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def form_errors(form: forms.Form) -> JsonResponse:
    """Return a 400 with one error per field message, each pointing at its field."""
    errors = [
        {
            "status": "400",
            "code": error.code or "invalid",
            "detail": f"{field}: {' '.join(error.messages)}",
            "source": {"pointer": f"/{field}"},
        }
        for field, field_errors in form.errors.as_data().items()
        for error in field_errors
    ]
    return JsonResponse({"errors": errors}, status=400)
