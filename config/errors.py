"""The site's 400, 403, 404 and 500 handlers: JSON under /api/ and /client/, our HTML pages elsewhere.

Errors Django answers before any view runs (an unknown Host, too many parameters) get the API's error shape
too, and the handlers need no database. An unreachable database answers 503, not 500 (docs/reliability.md).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from apikeys.auth import json_error
from lists.client import CORS_HEADERS

API_PREFIX = "/api/"
CLIENT_PREFIX = "/client/"
RETRY_AFTER = 5  # seconds: a restarting or failing-over database is usually back within a few
UNAVAILABLE_DETAIL = "The service is briefly unavailable. Retry in a few seconds."
DATABASE_ERRORS = (OperationalError, InterfaceError)

logger = logging.getLogger("config.errors")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error(request, 400, "bad_request", _bad_request_detail(exception))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error(request, 403, "forbidden", "This request is not allowed.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error(request, 404, "not_found", "Nothing here: check the path and the id in it.")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # The site's header and account switcher, so that a member can change account from here.
        return render(request, "errors/404_signed_in.html", status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    if _is_api(request):
        detail = "Something went wrong on our side. Try again in a moment."
        return _json_error(request, 500, "server_error", detail)
    return defaults.server_error(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """Answer 503 with Retry-After: the API's error shape, or the 503 page."""
    headers = {"Retry-After": str(RETRY_AFTER)}
    if _is_api(request):
        response = _json_error(request, 503, "service_unavailable", UNAVAILABLE_DETAIL)
        response["Retry-After"] = headers["Retry-After"]
        return response
    # Rendered without the request: context processors would query the database that just failed.
    return HttpResponse(loader.render_to_string("503.html"), status=503, headers=headers)


class DatabaseUnavailableMiddleware:
    """Turn a database that cannot be reached (a view's OperationalError or InterfaceError) into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning("Database unavailable (%s): answered 503.", type(exception).__name__)
        # SessionMiddleware would load the session again on the way out; without one it leaves the
        # cookie as it is, so nobody is logged out by an outage.
        if hasattr(request, "session"):
            del request.session
        return database_unavailable(request)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith((API_PREFIX, CLIENT_PREFIX))


def _json_error(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    """Return the API's error shape; /client/ is open to any origin, so its errors are readable there too."""
    headers = CORS_HEADERS if request.path_info.startswith(CLIENT_PREFIX) else None
    return json_error(status, code, detail, headers=headers)


def _bad_request_detail(exception: Exception) -> str:
    """Say what was wrong without echoing the request (the host name, the parameters)."""
    if isinstance(exception, DisallowedHost):
        return "This host name is not served here; call the API at its documented address."
    if isinstance(exception, TooManyFieldsSent):
        return f"Too many parameters: send at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
    if isinstance(exception, RequestDataTooBig):
        return "The request body is too large."
    return "The request could not be understood."
