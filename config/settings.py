"""Keyward settings: one module, every value read from the environment (see .env.example)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A fixed key is only acceptable on a developer's machine.
DEV_SECRET_KEY = "django-insecure-keyward-development-only"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: it is required when DEBUG is off.")

# Peppers for API key digests, newest first, apart from SECRET_KEY (docs/decisions/digests-and-peppers.md).
DEV_API_KEY_PEPPERS = ["keyward-development-pepper-v1"]
API_KEY_PEPPERS = env.list("API_KEY_PEPPERS", default=DEV_API_KEY_PEPPERS if DEBUG else [])
if not API_KEY_PEPPERS:
    raise ImproperlyConfigured("Set API_KEY_PEPPERS: it is required when DEBUG is off.")
if any(not pepper.strip() for pepper in API_KEY_PEPPERS):
    # "a, ,b" would make a blank pepper, which guards nothing.
    raise ImproperlyConfigured("API_KEY_PEPPERS holds a blank pepper: every pepper needs a value.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.apps.AdminConfig",  # Django's admin, on a site that asks staff for a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "apikeys",
    "lists",
]

MIDDLEWARE = [
    "config.errors.DatabaseUnavailableMiddleware",  # 503, not 500, while the database cannot be reached
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): logged in with a second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.current_account",
                "apikeys.context_processors.expiring_keys",
            ],
        },
    },
]
FORM_RENDERER = "accounts.forms.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections: the API's throughput depends on them (docs/performance.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a connection the server dropped is replaced, not used
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server answers 503 within seconds (config/errors.py) instead of hanging every worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead log: the API's reads and the tab's writes never wait for each other (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("init_command", "PRAGMA journal_mode=WAL")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://keyward")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A stopped or hung Redis must cost a request a fraction of a second, not the client's default of
    # forever: every cache call degrades to "no cache" on error (apikeys/cachesafe.py).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", 0.5)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 0.5)

vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Keyward <noreply@keyward.localhost>")


# Where this site is reached, for the links in emails about keys (queued by the keys' verbs, outside any
# request). In production the first public name in ALLOWED_HOSTS over HTTPS (not a pattern, localhost or
# an address); without one, `check --deploy` warns (apikeys.W002).
def _public_name(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host[:1] not in ("", ".", "*") and host != "localhost"
    return False


_site_default = next((f"https://{host}" for host in ALLOWED_HOSTS if _public_name(host)), "")
SITE_URL = env.str(
    "SITE_URL", default=f"http://127.0.0.1:{env.str('PORT', default='8000')}" if DEBUG else _site_default
)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions end after SESSION_IDLE_SECONDS without a request: saving on every request moves the expiry
# forward, so the age is an idle timeout, not a fixed lifetime.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=12 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script needs to read the cookie
CSRF_COOKIE_SAMESITE = "Lax"

# HTTPS. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (and
# make sure the proxy overwrites that header), or every request looks like plain HTTP and redirects forever.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Off by default: asking browsers to preload HTTPS-only is hard to undo; turn it on deliberately.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER is HEADER,value, e.g. HTTP_X_FORWARDED_PROTO,https.")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) or None
# The proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; empty: REMOTE_ADDR. Behind a
# proxy without this, every visitor shares the proxy's address (docs/decisions/client-address.md).
if "NUM_PROXIES" in env.ENVIRON:
    raise ImproperlyConfigured("NUM_PROXIES is gone: list the proxies' addresses in TRUSTED_PROXIES instead.")
# The word "unix" trusts a proxy on a unix socket (REMOTE_ADDR empty), e.g. nginx in front of gunicorn.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    if _proxy == "unix":
        continue
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address, a CIDR range or the word unix."
        ) from None

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): everything from this origin, nothing inline. Behaviour is wired
# with data-* attributes in static/js, styles live in static/css, so neither scripts nor styles need
# 'unsafe-inline'; data: images are for the admin's and browsers' small inline icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Logs go to stderr through one handler whose filter (config/logging.py) strips credentials, cookies and
# bodies from request records and redacts anything shaped like a private key secret.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_secrets": {"()": "config.logging.ScrubSecrets"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["scrub_secrets"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replace Django's default handlers, so every record goes through the one above.
        "django": {"handlers": [], "level": env.str("LOG_LEVEL", default="INFO"), "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
    },
}

# Request bodies above this size are refused with 400 (forms here are small; the API takes small JSON).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=64 * 1024)

# Login throttling (accounts/throttling.py): failures per email and per client address within
# LOGIN_LOCKOUT_SECONDS; past half the limit each attempt must wait, at the limit log-in is refused.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

# Two-factor log-in (accounts/twofactor.py, django-otp): the name authenticator apps show. Guessing codes is
# throttled by accounts/throttling.py like passwords, so django-otp's own per-device delay is off.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Keyward")
OTP_TOTP_THROTTLE_FACTOR = 0

# Sudo mode (accounts/sudo.py): how long after typing their password (or a code) a user may create, clone,
# roll or reactivate keys, make someone admin, transfer ownership or turn two-factor log-in off unasked.
SUDO_MODE_SECONDS = env.int("SUDO_MODE_SECONDS", default=15 * 60)

# API authentication throttling (apikeys/auth.py): after this many failed attempts from one client address
# within a minute, the API answers 429 until the minute is over, without touching the database.
API_AUTH_FAILURE_LIMIT = env.int("API_AUTH_FAILURE_LIMIT", default=30)

# Client subscriptions (lists/client.py): requests per minute from one client address, and for one site ID
# (public key, which anyone can read), before POST /client/subscriptions/ answers 429.
SUBSCRIPTION_IP_LIMIT = env.int("SUBSCRIPTION_IP_LIMIT", default=10)
SUBSCRIPTION_LIMIT = env.int("SUBSCRIPTION_LIMIT", default=120)

# The API keys app (apikeys/, docs/integrate.md): this project is its reference host.
APIKEYS_ACCOUNT_MODEL = "accounts.Account"
APIKEYS_ADAPTER = "accounts.adapter.KeysAdapter"
APIKEYS_BASE_TEMPLATE = "settings/base.html"
# The scope catalogue, in Klaviyo's published vocabulary: every resource offers read and write but these.
APIKEYS_SCOPES = [
    {"name": "accounts", "levels": ["read"]},
    {"name": "data-privacy", "levels": ["write"]},
    "campaigns", "catalogs", "conversations", "coupon-codes", "coupons", "custom-objects", "events", "flows",
    "forms", "images", "lists", "metrics", "profiles", "push-tokens", "reviews", "segments", "subscriptions",
    "tags", "templates", "tracking-settings", "web-feeds", "webhooks",
]  # fmt: skip
# Key usage (apikeys/usage.py): requests are counted in each process's memory and written to the usage
# table every this many seconds, and at exit; a crash loses at most that much of a process's counts.
KEY_USAGE_FLUSH_SECONDS = env.float("KEY_USAGE_FLUSH_SECONDS", default=1.0)

# GitHub secret scanning (docs/decisions/secret-scanning.md): public keys that sign its alerts, as JSON
# {"<key identifier>": "<PEM>"}, besides those imported with manage.py import_github_scanning_keys.
SECRET_SCANNING_PUBLIC_KEYS = env.json("SECRET_SCANNING_PUBLIC_KEYS", default={})
