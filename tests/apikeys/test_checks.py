"""apikeys.checks: a wrong setting is an error naming it; check --deploy warns of an unshared cache and of
emails without the site's address."""

import pytest

from apikeys.checks import check_settings, missing_site_url, unshared_cache
from tests.security.test_production_settings import PRODUCTION_ENV, manage


def ids(settings_errors):
    return {(error.id, error.msg.split(" ")[0]) for error in settings_errors}


def test_it_passes_the_reference_host():
    assert check_settings() == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("APIKEYS_ADAPTER", None, ("apikeys.E001", "APIKEYS_ADAPTER")),
        ("APIKEYS_ADAPTER", "nowhere.Adapter", ("apikeys.E002", "APIKEYS_ADAPTER")),
        ("APIKEYS_ADAPTER", "apikeys.models.PrivateKey", ("apikeys.E003", "APIKEYS_ADAPTER")),
        ("APIKEYS_ACCOUNT_MODEL", "tenants.Organization", ("apikeys.E004", "APIKEYS_ACCOUNT_MODEL")),
        ("APIKEYS_ACCOUNT_MODEL", "not a label", ("apikeys.E004", "APIKEYS_ACCOUNT_MODEL")),
        ("APIKEYS_SCOPES", ["lists", "lists"], ("apikeys.E005", "APIKEYS_SCOPES:")),
        ("APIKEYS_BASE_TEMPLATE", "nowhere/base.html", ("apikeys.E006", "APIKEYS_BASE_TEMPLATE")),
        ("API_KEY_PEPPERS", ["current", " "], ("apikeys.E007", "API_KEY_PEPPERS")),
        ("API_KEY_PEPPERS", [], ("apikeys.E007", "API_KEY_PEPPERS")),
        ("SITE_URL", "keys.example.com", ("apikeys.E008", "SITE_URL")),
    ],
)
def test_it_names_the_wrong_setting(settings, name, value, expected):
    setattr(settings, name, value)
    assert ids(check_settings()) == {expected}


def test_it_names_a_missing_adapter_setting(settings):
    del settings.APIKEYS_ADAPTER
    assert ids(check_settings()) == {("apikeys.E001", "APIKEYS_ADAPTER")}


@pytest.fixture
def cache_backend(settings):
    def use(backend: str, **extra):
        # Django's test signals rebuild the cache handler when CACHES changes.
        settings.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}", **extra}}

    return use


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        ("locmem.LocMemCache", "each worker process"),
        ("dummy.DummyCache", "keeps nothing"),
        ("filebased.FileBasedCache", "parallel requests lose counts"),
    ],
)
def test_it_warns_of_a_cache_that_workers_do_not_share(settings, cache_backend, tmp_path, backend, words):
    settings.DEBUG = False
    cache_backend(backend, LOCATION=str(tmp_path))
    [warning] = unshared_cache()
    assert warning.id == "apikeys.W001" and words in warning.msg
    assert "CACHE_URL=redis://" in warning.hint


def test_it_accepts_redis(settings, cache_backend):
    settings.DEBUG = False
    cache_backend("redis.RedisCache", LOCATION="redis://127.0.0.1:6379/0")
    assert unshared_cache() == []


def test_it_says_nothing_in_development(settings, cache_backend):
    settings.DEBUG = True
    cache_backend("locmem.LocMemCache")
    assert unshared_cache() == []


def test_it_runs_with_check_deploy():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "CACHE_URL"}
    result = manage("check", "--deploy", **env)
    assert "apikeys.W001" in result.stderr


def test_it_warns_that_emails_would_link_to_bare_paths_without_site_url(settings):
    settings.SITE_URL = ""
    [warning] = missing_site_url()
    assert warning.id == "apikeys.W002" and warning.msg.startswith("SITE_URL is not set")


def test_it_accepts_site_url(settings):
    settings.SITE_URL = "https://keys.example.com"
    assert missing_site_url() == []


def test_it_accepts_an_adapter_that_builds_the_links(settings):
    settings.SITE_URL = ""
    settings.APIKEYS_ADAPTER = "tests.apikeys.test_notifications.SubdomainAdapter"
    assert missing_site_url() == []
