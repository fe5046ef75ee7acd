"""The client API: what an account's public key (site ID) may do from a browser, and nothing more.

``POST /client/subscriptions/?company_id=<public key>`` subscribes an email to one of the account's lists and
answers 202, reading nothing back: anyone can read a site ID. CORS is open here only, ``Authorization`` is
refused, and requests are rate limited per address and site ID.
Design: docs/decisions/public-key-client-api.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import PUBLIC_KEY_ALPHABET, PUBLIC_KEY_LENGTH, Account
from apikeys import secrets
from apikeys.auth import json_error, method_not_allowed
from apikeys.http import client_ip
from lists.api import form_errors, read_object
from lists.forms import SubscriptionForm
from lists.models import List

CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    # Deliberately no Authorization: browsers will not even send one here.
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
COMPANY_ID = {"parameter": "company_id"}
WINDOW = 60  # seconds: the limits count requests per minute


def client_endpoint(*methods: str) -> Callable:
    """Open a view to any origin (CORS), answer preflights, refuse other methods and any Authorization."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(status=204, headers=PREFLIGHT_HEADERS)
            elif request.method not in methods:
                response = method_not_allowed(request, list(methods))
            elif "HTTP_AUTHORIZATION" in request.META:
                response = json_error(
                    400,
                    "authorization_not_accepted",
                    "The client API takes nothing but the account's public key, as ?company_id=. "
                    "Remove the Authorization header, and never put a private key in client-side code.",
                )
            else:
                response = view(request, *args, **kwargs)
            return _with_cors(response)

        return wrapper

    return decorator


@csrf_exempt
@client_endpoint("POST")
def subscriptions(request: HttpRequest) -> HttpResponse:
    """Subscribe an email to a list of the account named by ``company_id``; 202, nothing read back."""
    company_id = request.GET.get("company_id", "").strip()
    wait = _count("ip", client_ip(request), settings.SUBSCRIPTION_IP_LIMIT)
    if wait:
        return _throttled(wait, "from this address")
    problem = _company_id_problem(company_id)
    if problem:
        return json_error(400, "invalid_company_id", problem, source=COMPANY_ID)
    wait = _count("site", company_id, settings.SUBSCRIPTION_LIMIT)
    if wait:
        return _throttled(wait, "for this site ID")
    data = read_object(request, list(SubscriptionForm.base_fields))
    if isinstance(data, HttpResponse):
        return data
    form = SubscriptionForm(data)
    if not form.is_valid():
        return form_errors(form)
    lst = (
        List.objects.filter(account__public_key=company_id, public_id=form.cleaned_data["list_id"])
        .only("id")
        .first()
    )
    if lst is None:
        if not Account.objects.filter(public_key=company_id).exists():
            return json_error(404, "not_found", "No account has this public key.", source=COMPANY_ID)
        return json_error(
            404, "not_found", "No list with this id in this account.", source={"pointer": "/list_id"}
        )
    lst.subscribe(form.cleaned_data["email"])
    return HttpResponse(status=202)


def _count(kind: str, value: str | None, limit: int) -> int:
    """Count a request against ``value``'s limit this minute; return the seconds to wait (0: go ahead).

    An unknown client address (None) is not counted: one bucket for it would be shared by every client.
    """
    if value is None:
        return 0
    now = time.time()
    window = int(now // WINDOW)
    key = f"client-subscriptions:{kind}:{window}:{value}"
    if cache.add(key, 1, timeout=2 * WINDOW):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            count = 1
            cache.add(key, count, timeout=2 * WINDOW)
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * WINDOW - now))


def _throttled(wait: int, where: str) -> JsonResponse:
    return json_error(
        429,
        "throttled",
        f"Too many subscriptions {where}; retry in {wait} seconds.",
        # Retry-After is not a header browsers let a page read across origins unless exposed.
        headers={"Retry-After": str(wait), "Access-Control-Expose-Headers": "Retry-After"},
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Answer unknown paths under /client/ in JSON (with CORS, so browsers can read why)."""
    return _with_cors(json_error(404, "not_found", "No such client endpoint."))


def _with_cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def _company_id_problem(company_id: str) -> str:
    if not company_id:
        return "company_id is required: the account's public key (site ID), e.g. ?company_id=AbC123."
    if company_id.startswith(secrets.PREFIX):
        return (
            "company_id takes the account's public key (6 characters), not a private key. A private key "
            "in client-side code is leaked: deactivate it in Settings > API keys."
        )
    if len(company_id) != PUBLIC_KEY_LENGTH or not set(company_id) <= set(PUBLIC_KEY_ALPHABET):
        return "company_id must be the account's public key: 6 letters and digits."
    return ""
