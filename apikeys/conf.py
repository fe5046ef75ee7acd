"""The app's settings and their defaults; ``apikeys.checks`` names a wrong one at start-up.

Settings that existed before the app stood alone keep their names (``API_KEY_PEPPERS``, ``TRUSTED_PROXIES``…)
so that deployed environments need no change; the new ones start with ``APIKEYS_``.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "APIKEYS_ACCOUNT_MODEL": "accounts.Account",
    "APIKEYS_ADAPTER": None,
    "APIKEYS_SCOPES": None,
    "APIKEYS_BASE_TEMPLATE": "apikeys/base.html",
    "API_AUTH_FAILURE_LIMIT": 30,
    "TRUSTED_PROXIES": [],
    "SITE_URL": "",
    "SECRET_SCANNING_PUBLIC_KEYS": {},
    "KEY_USAGE_FLUSH_SECONDS": 1.0,
}


def get(name: str):
    """Return the setting ``name``, or its default."""
    return getattr(settings, name, DEFAULTS[name])


def account_model_label() -> str:
    """Return ``"app_label.Model"`` of the tenant model keys belong to (swappable, like AUTH_USER_MODEL)."""
    return get("APIKEYS_ACCOUNT_MODEL")
