"""Orbit, a second host of the apikeys app, configured only as docs/integrate.md says.

It shares nothing with Keyward's reference host (config/, accounts/, lists/). SQLite in memory by default;
PostgreSQL when DATABASE_URL is set (postgres://user@host:port/name), as CI sets it.
"""

import os
from urllib.parse import unquote, urlsplit

SECRET_KEY = "orbit-second-host-tests-only-0123456789abcdefghijklmnop"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "apikeys",
    "tests.second_host.orgs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tests.second_host.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apikeys.context_processors.expiring_keys",
            ],
        },
    },
]


def _database(url: str) -> dict:
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL: the second host runs on SQLite or PostgreSQL, not {parts.scheme!r}.")
    name = unquote(parts.path.lstrip("/"))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Its own test database, so that it never meets the reference host's test_<name>.
        "TEST": {"NAME": f"test_{name}_second_host"},
    }


DATABASES = {"default": _database(os.environ.get("DATABASE_URL", ""))}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "Orbit <noreply@orbit.example>"
STATIC_URL = "static/"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apikeys.contrib.drf.ApiKeyAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "apikeys.contrib.drf.exception_handler",
}

# API keys (docs/integrate.md)
APIKEYS_ACCOUNT_MODEL = "orgs.Organization"
APIKEYS_ADAPTER = "tests.second_host.orgs.keys.OrbitKeysAdapter"
APIKEYS_BASE_TEMPLATE = "orgs/base.html"
APIKEYS_SCOPES = [
    "projects",
    {"name": "organization", "levels": ["read"]},
    {"name": "deploys", "label": "Deployments", "levels": ["write"]},
]
API_KEY_PEPPERS = ["orbit-pepper-2026", "orbit-pepper-2025"]
API_AUTH_FAILURE_LIMIT = 5
TRUSTED_PROXIES = ["10.0.0.0/8"]
SITE_URL = "https://orbit.example"
SECRET_SCANNING_PUBLIC_KEYS = {}
KEY_USAGE_FLUSH_SECONDS = 0  # no flusher thread in tests
