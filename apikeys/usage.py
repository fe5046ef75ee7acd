"""Requests per key per day: counted in the cache, folded into ``KeyUsage`` about once a minute.

A database write per API request would put a write on the hot path, so each authenticated request only adds
one to a cache counter for its key and its UTC day (``count``: ``incr``, atomic in Redis and in local
memory). When ``PrivateKey.record_use`` writes ``last_used_at`` (at most once a minute per key), ``fold``
moves what the counters of the last few days hold into ``KeyUsage`` with one upsert, and takes that much off
the counters, so requests counted meanwhile stay for the next fold. Pages read the table and add what still
waits in the cache (``per_day``), so they are exact while the cache keeps its counters. A cache restart loses
what waited in it: at most about a minute of requests per key (more for a key that went quiet right after a
burst, whose last minute waits for its next use, for up to ``COUNTER_DAYS``). With the local-memory cache each
worker process counts for itself, and folds only its own counts.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db import IntegrityError, connections
from django.utils import timezone

# Counters of the last COUNTER_DAYS days are folded and shown; each lives a day longer than that in the
# cache, so none expires while it is still read.
COUNTER_DAYS = 3
COUNTER_TIMEOUT = (COUNTER_DAYS + 1) * 24 * 60 * 60
DETAIL_DAYS = 30  # the key's page
LIST_DAYS = 7  # the sparkline on the list


def today() -> date:
    return timezone.now().date()  # USE_TZ: UTC


def counter_key(key_id: int, day: date) -> str:
    return f"key-usage:{key_id}:{day.isoformat()}"


def count(key_id: int, *, day: date | None = None) -> None:
    """Count one request of the key today: one cache operation, no query."""
    name = counter_key(key_id, day or today())
    try:
        cache.incr(name)  # the common case: the counter exists
    except ValueError:
        if not cache.add(name, 1, timeout=COUNTER_TIMEOUT):
            # Another request created it first; if it vanished again at once (evicted), one goes uncounted.
            with contextlib.suppress(ValueError):
                cache.incr(name)


def pending(key_ids, days: list[date]) -> dict[tuple[int, date], int]:
    """Return the counts still waiting in the cache, ``{(key_id, day): requests}``, in one cache call."""
    recent = [day for day in days if day > today() - timedelta(days=COUNTER_DAYS)]
    names = {counter_key(key_id, day): (key_id, day) for key_id in key_ids for day in recent}
    if not names:
        return {}
    found = cache.get_many(list(names))
    return {names[name]: value for name, value in found.items() if isinstance(value, int) and value > 0}


def fold(key_id: int, *, using: str = "default") -> int:
    """Move the key's cached counts into ``KeyUsage``; return how many requests were moved.

    Called when ``last_used_at`` is written, so at most once a minute per key. Each counter is decreased by
    what was read rather than reset, so requests counted between the read and the write are kept.
    """
    from apikeys.models import KeyUsage

    days = [today() - timedelta(days=n) for n in range(COUNTER_DAYS)]
    rows = []
    for (_, day), value in pending([key_id], days).items():
        try:
            cache.decr(counter_key(key_id, day), value)
        except ValueError:  # expired since the read: nothing left to move
            continue
        rows.append((key_id, day, value))
    if not rows:
        return 0
    connection = connections[using]
    qn = connection.ops.quote_name
    table = qn(KeyUsage._meta.db_table)
    key_column, day_column, requests_column = (
        qn(KeyUsage._meta.get_field(name).column) for name in ("key", "day", "requests")
    )
    # One statement for every day, adding to what is there: SQLite (3.24+) and PostgreSQL both speak it.
    sql = (
        f"INSERT INTO {table} ({key_column}, {day_column}, {requests_column})"  # noqa: S608 (names from the model)
        f" VALUES {', '.join(['(%s, %s, %s)'] * len(rows))}"
        f" ON CONFLICT ({key_column}, {day_column})"
        f" DO UPDATE SET {requests_column} = {table}.{requests_column} + excluded.{requests_column}"
    )
    params = [
        value
        for key, day, requests in rows
        for value in (key, connection.ops.adapt_datefield_value(day), requests)
    ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    except IntegrityError:  # the key was deleted since it authenticated: its usage goes with it
        return 0
    return sum(requests for _, _, requests in rows)


@dataclass(frozen=True)
class Bar:
    day: date
    requests: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Series:
    """A key's requests on each of the last days, oldest first, and how to draw them."""

    days: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(requests for _, requests in self.days)

    @property
    def peak(self) -> int:
        return max((requests for _, requests in self.days), default=0)

    @property
    def busiest_day(self) -> date | None:
        return max(self.days, key=lambda item: item[1])[0] if self.peak else None

    def bars(self, width: float, height: float, gap: float = 1) -> list[Bar]:
        """Return one bar per day scaled to the peak; a day with requests shows at least 1 unit high."""
        step = width / max(len(self.days), 1)
        bars = []
        for index, (day, requests) in enumerate(self.days):
            tall = height * requests / self.peak if self.peak else 0
            if requests:
                tall = max(tall, 1)
            bars.append(
                Bar(
                    day=day,
                    requests=requests,
                    x=round(index * step + gap / 2, 2),
                    y=round(height - tall, 2),
                    width=round(max(step - gap, 0.5), 2),
                    height=round(tall, 2),
                )
            )
        return bars

    def chart_bars(self) -> list[Bar]:
        return self.bars(CHART_WIDTH, CHART_HEIGHT, gap=2)

    def sparkline_bars(self) -> list[Bar]:
        return self.bars(SPARK_WIDTH, SPARK_HEIGHT, gap=1)


CHART_WIDTH, CHART_HEIGHT = 300, 80
SPARK_WIDTH, SPARK_HEIGHT = 56, 16


def per_day(keys, days: int) -> dict[int, Series]:
    """Return ``{key.pk: Series}`` for the last ``days`` days: one query for every key, one cache call."""
    from apikeys.models import KeyUsage

    key_ids = [key.pk for key in keys]
    if not key_ids:
        return {}
    end = today()
    span = [end - timedelta(days=n) for n in range(days - 1, -1, -1)]
    counts: dict[tuple[int, date], int] = {}
    rows = KeyUsage.objects.filter(key_id__in=key_ids, day__gte=span[0], day__lte=end)
    for key_id, day, requests in rows.values_list("key_id", "day", "requests"):
        counts[key_id, day] = requests
    for where, requests in pending(key_ids, span).items():
        counts[where] = counts.get(where, 0) + requests
    return {key_id: Series([(day, counts.get((key_id, day), 0)) for day in span]) for key_id in key_ids}
