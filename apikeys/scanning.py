"""GitHub secret scanning: ``POST /api/secret-scanning/github/`` revokes private keys found in public.

An alert must be signed (ECDSA P-256) by a GitHub key imported ahead of time: nothing is fetched while
answering. Each key found is deactivated as leaked, for good, and every token gets GitHub's feedback label.
Design: docs/decisions/secret-scanning.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables

from apikeys import conf
from apikeys.auth import json_error, method_not_allowed
from apikeys.models import PrivateKey, ScanningPublicKey

PROVIDER = "github"
TOKEN_TYPE = "keyward_private_key"  # the secret type named to GitHub when joining the program
MAX_TOKENS = 1000  # per request; GitHub batches its matches
MAX_BODY_BYTES = 1024 * 1024  # 1,000 matches with long URLs fit; the site-wide upload limit is for forms
MAX_KEY_IDENTIFIER = 200
SIGNATURE_HEADER = "Github-Public-Key-Signature"
IDENTIFIER_HEADER = "Github-Public-Key-Identifier"
ACTOR = "GitHub secret scanning"  # who found the key, as the emails say
FIELDS = ("token", "type", "url", "source")
# What JSON may carry but the database refuses (PostgreSQL stores no NUL, UTF-8 no lone surrogate); dropped
# from the strings that are stored. The token is echoed to GitHub as sent and never stored.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadPublicKey(ValueError):
    """A public key that is not an ECDSA P-256 key in PEM."""


class BadPayload(ValueError):
    """A signed body that is not a list of matches; ``pointer`` (JSON Pointer) says where."""

    def __init__(self, detail: str, pointer: str = ""):
        super().__init__(detail)
        self.detail, self.pointer = detail, pointer


@dataclass(frozen=True)
class Match:
    token: str
    type: str
    url: str
    source: str


@functools.lru_cache(maxsize=32)
def load_public_key(pem: str) -> ec.EllipticCurvePublicKey:
    """Return the P-256 public key of ``pem`` (parsed once per process); raise BadPublicKey otherwise."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise BadPublicKey(f"Not a PEM public key: {error}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise BadPublicKey("Not an ECDSA P-256 public key.")
    return key


def public_key_pem(identifier: str) -> str | None:
    """Return the PEM of the known public key ``identifier`` (setting first, then imported), or None."""
    configured = conf.get("SECRET_SCANNING_PUBLIC_KEYS").get(identifier)
    if configured:
        return configured
    row = ScanningPublicKey.objects.filter(provider=PROVIDER, key_identifier=identifier).first()
    return row.pem if row else None


def signature_is_valid(body: bytes, signature: str, pem: str) -> bool:
    """Return whether ``signature`` (base64 DER ECDSA) signs ``body`` under the P-256 key in ``pem``."""
    try:
        raw = base64.b64decode(signature, validate=True)
        load_public_key(pem).verify(raw, body, ec.ECDSA(hashes.SHA256()))
    except (binascii.Error, ValueError, InvalidSignature):  # BadPublicKey is a ValueError
        return False
    return True


@sensitive_variables()  # every local holds reported tokens, which may be working keys until revoked
def parse(body: bytes) -> list[Match]:
    """Return the matches of a request body; raise BadPayload naming what is wrong, and where."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # RecursionError: nested too deep
        raise BadPayload("The body must be a JSON list of matches.") from None
    if not isinstance(data, list):
        raise BadPayload("The body must be a JSON list of matches.")
    if len(data) > MAX_TOKENS:
        raise BadPayload(f"At most {MAX_TOKENS} matches per request.")
    matches = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise BadPayload("Each match must be an object.", f"/{index}")
        values = {field: item.get(field, "") for field in FIELDS}
        for field, value in values.items():
            if not isinstance(value, str):
                raise BadPayload(f"'{field}' must be a string.", f"/{index}/{field}")
        if not values["token"]:
            raise BadPayload("'token' is required.", f"/{index}/token")
        for field in ("type", "url", "source"):
            values[field] = UNSTORABLE.sub("", values[field])
        matches.append(Match(**values))
    return matches


@sensitive_variables()  # the tokens, and every frame below (matching, mark_leaked, the emails)
def revoke_leaked(matches: list[Match]) -> list[dict]:
    """Deactivate the keys among ``matches`` for good and return GitHub's feedback for every match.

    One query finds every key (``PrivateKey.objects.matching``); each key newly found leaked is marked and
    its account's owners and admins are told, once the transaction commits.
    """
    keys = PrivateKey.objects.matching(match.token for match in matches)
    if keys:
        _mark_leaked(matches, keys)
    return [
        {
            "token_raw": match.token,
            "token_type": match.type,
            "label": "true_positive" if match.token in keys else "false_positive",
        }
        for match in matches
    ]


def _mark_leaked(matches: list[Match], keys: dict[str, PrivateKey]) -> None:
    with transaction.atomic():
        done = set()
        for match in matches:
            key = keys.get(match.token)
            if key is None or key.pk in done:
                continue
            done.add(key.pk)
            key.mark_leaked(match.url, found_by=ACTOR, details={"source": match.source, "type": match.type})


@csrf_exempt
@sensitive_variables("body", "matches")  # the reported tokens, here and in the frames below
def github_alert(request: HttpRequest) -> JsonResponse:
    """Answer a secret scanning alert from GitHub: verify its signature, revoke the keys, give feedback."""
    if request.method != "POST":
        return method_not_allowed(request, ["POST"])
    identifier = request.headers.get(IDENTIFIER_HEADER, "").strip()
    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    if not identifier or not signature:
        return _unauthorized(
            f"Sign the request: send the {IDENTIFIER_HEADER} and {SIGNATURE_HEADER} headers."
        )
    body = _read_body(request)
    if body is None:
        return json_error(413, "too_large", f"The body must be at most {MAX_BODY_BYTES} bytes.")
    pem = public_key_pem(identifier) if _is_plausible_identifier(identifier) else None
    if pem is None:
        return _unauthorized(f"Unknown {IDENTIFIER_HEADER}: import GitHub's current public keys.")
    if not signature_is_valid(body, signature, pem):
        return _unauthorized(f"The {SIGNATURE_HEADER} does not match the body.")
    try:
        matches = parse(body)
    except BadPayload as error:
        return json_error(400, "invalid_payload", error.detail, source={"pointer": error.pointer})
    return JsonResponse(revoke_leaked(matches), safe=False)


def _is_plausible_identifier(identifier: str) -> bool:
    """Return whether ``identifier`` is printable ASCII that fits the column (a NUL would fail the query)."""
    return len(identifier) <= MAX_KEY_IDENTIFIER and identifier.isascii() and identifier.isprintable()


def _read_body(request: HttpRequest) -> bytes | None:
    """Return the raw body, or None if it is (or claims to be) larger than ``MAX_BODY_BYTES``.

    Read from the stream: ``request.body`` would apply ``DATA_UPLOAD_MAX_MEMORY_SIZE``, sized for forms.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length < 0 or length > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _unauthorized(detail: str) -> JsonResponse:
    return json_error(401, "invalid_signature", detail, headers={"WWW-Authenticate": "Signature"})


def import_public_keys(document: dict) -> tuple[int, int]:
    """Make GitHub's published public keys (``{"public_keys": [{"key_identifier", "key", "is_current"}]}``)
    the imported ones, dropping the others; return ``(imported, removed)``. ValueError changes nothing.
    """
    entries = document.get("public_keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError('Expected {"public_keys": [{"key_identifier", "key", "is_current"}, …]}.')
    keys = {}
    for index, entry in enumerate(entries):
        identifier = entry.get("key_identifier") if isinstance(entry, dict) else None
        pem = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or not identifier or len(identifier) > MAX_KEY_IDENTIFIER:
            raise ValueError(f"public_keys[{index}]: key_identifier must be a string of 1–200 characters.")
        if not isinstance(pem, str):
            raise ValueError(f"public_keys[{index}]: key must be a PEM string.")
        try:
            load_public_key(pem)
        except BadPublicKey as error:
            raise ValueError(f"public_keys[{index}] ({identifier[:16]}…): {error}") from None
        keys[identifier] = (pem, bool(entry.get("is_current", False)))
    with transaction.atomic():
        removed, _ = (
            ScanningPublicKey.objects.filter(provider=PROVIDER)
            .exclude(key_identifier__in=list(keys))
            .delete()
        )
        for identifier, (pem, is_current) in keys.items():
            ScanningPublicKey.objects.update_or_create(
                provider=PROVIDER,
                key_identifier=identifier,
                defaults={"pem": pem, "is_current": is_current, "imported_at": timezone.now()},
            )
    return len(keys), removed
