"""Generate, check and digest private key secrets: the only module that touches raw secrets.

A secret is ``pk_``, 28 random base62 characters and a base62 CRC32 checksum, so a typo or a made-up key
is refused without a query. Only its HMAC-SHA256 under a versioned pepper is stored. Design:
docs/decisions/secret-format.md and docs/decisions/digests-and-peppers.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import zlib

from django.conf import settings

PREFIX = "pk_"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
RANDOM_LENGTH = 28
CHECKSUM_LENGTH = 6
SECRET_LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH  # 37
HINT_LENGTH = 4
_BASE62_SET = frozenset(BASE62)
# Anything shaped like a secret, anywhere in a text, checksum or not: what logs redact and searches refuse.
# Written so that JavaScript's RegExp reads it the same (the admin's search script receives it).
SHAPE = re.compile(rf"{PREFIX}[0-9A-Za-z]{{{RANDOM_LENGTH + CHECKSUM_LENGTH}}}")


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    """Return the 6-character base62 CRC32 of ``body`` (62**6 > 2**32, so it always fits)."""
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def generate() -> str:
    """Return a new secret: prefix, 28 random base62 characters, checksum."""
    body = PREFIX + "".join(secrets.choice(BASE62) for _ in range(RANDOM_LENGTH))
    return body + checksum(body)


def is_well_formed(secret: object) -> bool:
    """Tell whether ``secret`` has the format and a matching checksum (no database involved)."""
    if not isinstance(secret, str) or len(secret) != SECRET_LENGTH or not secret.startswith(PREFIX):
        return False
    if not _BASE62_SET.issuperset(secret[len(PREFIX) :]):
        return False
    body, check = secret[:-CHECKSUM_LENGTH], secret[-CHECKSUM_LENGTH:]
    return hmac.compare_digest(checksum(body), check)


def hint(secret: str) -> str:
    """Return the last characters of the secret, safe to show as ``pk_…abcd``."""
    return secret[-HINT_LENGTH:]


def pepper_id(pepper: str) -> str:
    """Name a pepper without revealing it, so rows can record which one made their digest."""
    return hashlib.sha256(b"keyward-pepper-id:" + pepper.encode()).hexdigest()[:8]


def peppers() -> list[tuple[str, str]]:
    """Return ``(pepper_id, pepper)`` pairs, the current pepper first."""
    return [(pepper_id(p), p) for p in settings.API_KEY_PEPPERS]


def current_pepper_id() -> str:
    return pepper_id(settings.API_KEY_PEPPERS[0])


def digest(secret: str, pepper: str | None = None) -> str:
    """Return the hex HMAC-SHA256 of the secret under ``pepper`` (default: the current one)."""
    key = (pepper if pepper is not None else settings.API_KEY_PEPPERS[0]).encode()
    return hmac.new(key, secret.encode("ascii"), hashlib.sha256).hexdigest()


def candidate_digests(secret: str) -> dict[str, str]:
    """Return ``{digest: pepper_id}`` under every configured pepper, for a one-query look-up."""
    return {digest(secret, pepper): pid for pid, pepper in peppers()}
