"""Cache calls that degrade instead of failing: losing the cache must not take log-in or the API down.

``call("what", default, cache.get, key)`` returns ``default`` when the backend raises, and logs one WARNING
per kind of failure a minute per process; the next call tries the cache again. ``ValueError`` (how ``incr``
says a key is missing) is raised as usual. Design: docs/reliability.md.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger("apikeys.cache")

WARN_EVERY = 60  # seconds between two warnings about the same kind of failure, per process
T = TypeVar("T")

_last_warned: dict[tuple[str, str], float] = {}
_lock = threading.Lock()


def call(what: str, default: T, function: Callable[..., T], *args, **kwargs) -> T:
    """Return ``function(*args, **kwargs)``, or ``default`` if the cache backend fails."""
    try:
        return function(*args, **kwargs)
    except ValueError:
        raise
    except Exception as error:  # noqa: BLE001 (any backend's errors: redis, pymemcache, pylibmc…)
        warn(what, error)
        return default


def warn(what: str, error: BaseException) -> None:
    """Log the failure, unless the same kind was logged less than ``WARN_EVERY`` seconds ago."""
    kind = (what, type(error).__name__)
    now = time.monotonic()
    with _lock:
        last = _last_warned.get(kind)
        if last is not None and now - last < WARN_EVERY:
            return
        _last_warned[kind] = now
    # The error's text names the cache's address, never a key: cache keys hold no secrets either way.
    logger.warning("Cache unavailable (%s: %s: %s); carrying on without it.", what, kind[1], error)


def reset_warnings() -> None:
    """Forget which failures were logged (for tests)."""
    with _lock:
        _last_warned.clear()
