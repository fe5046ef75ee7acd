"""Production settings: `check --deploy` is clean with the documented environment, and HTTPS is enforced."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# The environment README.md's "Production" section documents; everything else keeps its default.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "API_KEY_PEPPERS": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "keys.example.com",
    "SITE_URL": "https://keys.example.com",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "SECURE_HSTS_PRELOAD": "true",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process that sees only ``env`` (not the test settings' variables)."""
    clean_env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checks_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_warns_when_a_protection_is_turned_off():
    result = manage("check", "--deploy", **PRODUCTION_ENV, SECURE_SSL_REDIRECT="false")
    assert "security.W008" in result.stderr


@pytest.mark.parametrize("variable", ["SECRET_KEY", "API_KEY_PEPPERS"])
@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_it_refuses_to_start_without_a_secret_when_debug_is_off(variable, value):
    env = {name: v for name, v in PRODUCTION_ENV.items() if name != variable}
    if value is not None:
        env[variable] = value
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: Set {variable}: it is required when DEBUG is off." in result.stderr


@pytest.mark.parametrize("peppers", [" , ", "current, ,old"])
def test_it_refuses_to_start_with_a_blank_pepper(peppers):
    result = manage("check", **{**PRODUCTION_ENV, "API_KEY_PEPPERS": peppers})
    assert result.returncode != 0
    assert "API_KEY_PEPPERS holds a blank pepper" in result.stderr


def test_it_reads_the_proxy_header_from_the_environment():
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        **PRODUCTION_ENV,
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


def test_it_refuses_a_malformed_proxy_header():
    result = manage("check", **PRODUCTION_ENV, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr


@pytest.fixture
def https_settings(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def test_it_redirects_plain_http_to_https(client, db, https_settings):
    response = client.get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"


def test_it_trusts_the_proxy_for_https_and_sends_hsts(client, db, https_settings):
    response = client.get("/login/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_it_sends_the_protective_headers(client, db):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_marks_cookies_httponly_and_samesite(client, owner):
    client.get("/login/")
    response = client.post("/login/", {"username": owner.email, "password": "correct-horse-battery-staple"})
    for name in ("sessionid", "csrftoken"):
        assert response.cookies[name]["httponly"], name
        assert response.cookies[name]["samesite"] == "Lax", name


def test_it_keeps_a_sqlite_file_in_write_ahead_log_mode(tmp_path):
    """Readers (the API) and the writer (the tab) of a SQLite file do not wait for each other."""
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
    )
    database_url = f"sqlite:///{tmp_path / 'keyward.sqlite3'}"
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION_ENV, DATABASE_URL=database_url)
    assert result.stdout.strip() == "wal", result.stderr


@pytest.mark.parametrize(
    ("allowed_hosts", "site_url"),
    [
        ("keys.example.com,other.example.com", "https://keys.example.com"),
        ("localhost,10.0.0.5,[::1],keys.example.com", "https://keys.example.com"),
        (".example.com,localhost,127.0.0.1", ""),
    ],
)
def test_it_links_emails_to_the_first_public_allowed_host_unless_site_url_says(allowed_hosts, site_url):
    env = {name: v for name, v in PRODUCTION_ENV.items() if name != "SITE_URL"}
    env["ALLOWED_HOSTS"] = allowed_hosts
    said = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(repr(settings.SITE_URL))",
        **env,
    )
    assert said.stdout.strip() == repr(site_url), said.stderr


def test_it_warns_when_emails_would_link_to_bare_paths():
    env = {name: v for name, v in PRODUCTION_ENV.items() if name != "SITE_URL"}
    result = manage("check", "--deploy", **{**env, "ALLOWED_HOSTS": "*"})
    assert "apikeys.W002" in result.stderr
