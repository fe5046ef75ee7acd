"""Keep secrets out of the logs.

``ScrubSecrets`` replaces a record's request with a copy without credentials, cookies or body, and redacts
anything shaped like a key secret or an invitation token in it, the message and the traceback. It never
raises: Django logs a 4xx before sending it. Design: docs/decisions/log-scrubbing.md.
"""

from __future__ import annotations

import copy
import logging
import re

from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

from apikeys import secrets

# Something that looks like a key is treated as one, checksum or not.
SECRET_PATTERN = secrets.SHAPE
REDACTED = "[redacted]"
# An invitation link's token (/invitations/<token>/) is a credential too: matched after a slash, plain or
# percent-encoded (a ?next= parameter), and not in /settings/users/invitations/<uuid>/ (a public id).
INVITATION_PATTERN = re.compile(r"(?<!users)((?:/|%2F)invitations(?:/|%2F))[^/?#&\s%'\"]+", re.IGNORECASE)

# Request metadata worth keeping. Everything else goes: under runserver META holds the whole process
# environment (SECRET_KEY, DATABASE_URL), and headers named like credentials are dropped below.
SAFE_META = frozenset(
    {
        "REQUEST_METHOD",
        "PATH_INFO",
        "SCRIPT_NAME",
        "QUERY_STRING",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "REMOTE_ADDR",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "wsgi.url_scheme",
    }
)
SENSITIVE_HEADER = re.compile(r"AUTH|COOKIE|TOKEN|SECRET|PASS|KEY|SIGNATURE|SESSION|CSRF", re.IGNORECASE)


def redact(text: str) -> str:
    """Return ``text`` with every secret-shaped substring and invitation token replaced."""
    return INVITATION_PATTERN.sub(rf"\1{REDACTED}", SECRET_PATTERN.sub(REDACTED, text))


def _safe_meta(meta: dict) -> dict:
    safe = {}
    for name, value in meta.items():
        if name in SAFE_META or (name.startswith("HTTP_") and not SENSITIVE_HEADER.search(name)):
            safe[name] = redact(value) if isinstance(value, str) else value
    return safe


def scrub_request(request: HttpRequest) -> HttpRequest:
    """Return a copy of ``request`` without credentials, cookies, body or secret-shaped text."""
    clean = copy.copy(request)
    clean.META = _safe_meta(request.META)
    if hasattr(request, "environ"):
        clean.environ = clean.META
    if hasattr(request, "scope"):  # ASGI: the raw headers and path live in the scope
        clean.scope = {
            k: v for k, v in request.scope.items() if k not in ("headers", "raw_path", "query_string")
        }
        if isinstance(clean.scope.get("path"), str):
            clean.scope["path"] = redact(clean.scope["path"])
    clean.path = redact(request.path)
    clean.path_info = redact(request.path_info)
    try:
        clean.GET = QueryDict(clean.META.get("QUERY_STRING", ""))
    except Exception:  # e.g. TooManyFieldsSent: the raw QUERY_STRING, redacted, is still in META
        clean.GET = QueryDict()
    clean.COOKIES = {}
    clean._post = QueryDict()
    clean._files = MultiValueDict()
    clean._body = b""
    return clean


class ScrubSecrets(logging.Filter):
    """Scrub every record in place; never raise, since Django logs a response before it is sent."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self.scrub(record)
        except Exception as error:  # never let logging fail a response; keep no unscrubbed detail either
            record.__dict__.pop("request", None)
            record.msg = f"[log record withheld: scrubbing failed with {type(error).__name__}]"
            record.args, record.exc_info, record.exc_text, record.stack_info = (), None, None, None
        return True

    def scrub(self, record: logging.LogRecord) -> None:
        """Scrub ``record`` in place: its request, message, arguments, traceback and stack."""
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            record.request = scrub_request(request)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: keep what it passed, as text, redacted
            message = f"{record.msg!s} (arguments: {record.args!r})"
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None  # the exception object itself may hold a secret; keep only the text
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
