"""System checks of the app's settings, registered in ``ApikeysConfig.ready``."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache

# What each cache that cannot hold a throttle's counters for a whole site does to them.
UNSHARED_CACHES = {
    LocMemCache: "keeps its counters in each worker process, so every worker counts on its own",
    DummyCache: "keeps nothing, so nothing is ever counted",
    FileBasedCache: "increments by reading then writing a file, so parallel requests lose counts",
}


def unshared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when DEBUG is off and the default cache cannot count throttled attempts for the whole site."""
    if settings.DEBUG:
        return []
    cache = caches[DEFAULT_CACHE_ALIAS]
    problem = next((text for kind, text in UNSHARED_CACHES.items() if isinstance(cache, kind)), None)
    if problem is None:
        return []
    return [
        checks.Warning(
            f"The default cache ({type(cache).__name__}) {problem}: the limits on failed log-ins, failed "
            "API authentications and client subscriptions are then not enforced as configured.",
            hint="Use a cache every worker shares, e.g. CACHE_URL=redis://127.0.0.1:6379/0.",
            id="apikeys.W001",
        )
    ]
