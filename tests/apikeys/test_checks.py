"""The app's system checks: a deploy check warns when the cache cannot hold throttle counters site-wide."""

from __future__ import annotations

import pytest

from apikeys.checks import unshared_cache
from tests.security.test_production_settings import PRODUCTION_ENV, manage


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
