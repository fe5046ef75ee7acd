"""Test settings: production defaults (DEBUG off), fixed test secrets, a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "keyward-tests-only-secret-key-0123456789abcdefghij")
os.environ.setdefault("API_KEY_PEPPERS", "test-pepper-current,test-pepper-previous")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")  # the test client's host, as in the emails' links
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from config.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only: tests hash a lot
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True  # serve static/ straight from the source tree, no collectstatic
WHITENOISE_AUTOREFRESH = True
KEY_USAGE_FLUSH_SECONDS = 0  # no flusher thread: tests call apikeys.usage.flush() when they mean to
