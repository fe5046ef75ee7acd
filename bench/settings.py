"""Settings for bench/bench.py only: the project's settings, plus the libraries it is compared with.

Production defaults (DEBUG off, so no query log), plain HTTP on 127.0.0.1, and a URLconf that adds a
no-auth view of the same size as /api/key/ and a djangorestframework-api-key view for reference.
"""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "keyward-bench-only-secret-key-0123456789abcdefghijkl")
# One pepper, as between rotations (bench.py also times two, as during one).
os.environ.setdefault("API_KEY_PEPPERS", "bench-pepper-current")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ["DEBUG"] = "false"

from config.settings import *  # noqa: E402,F403
from config.settings import INSTALLED_APPS, env  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework", "rest_framework_api_key", "knox"]
ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # bench users never log in
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# The reference DRF view runs with no other authentication and only the JSON renderer, to be fair to it.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}

# --scale: a PostgreSQL database of its own, created and dropped by the bench.
DATABASES["scale"] = env.db(  # noqa: F405
    "BENCH_SCALE_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/kw_bench"
)
DATABASES["scale"]["CONN_MAX_AGE"] = 60  # noqa: F405
# Section 2c's PostgreSQL + Redis stack: a database of its own, created and dropped by the bench.
DATABASES["stack"] = env.db(  # noqa: F405
    "BENCH_STACK_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/kw_bench_stack"
)

# The bench serves no static files, so it has not collected them; WhiteNoise need not say so in every process.
warnings.filterwarnings("ignore", message="No directory at: ")

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
