"""Requests per key per day and how many were refused: counted in process, written to ``KeyUsage`` in batches.

Counting costs no query and no cache call; a thread per process writes the counts about once a second, and
pages add what their own process has not written yet. What a crash can lose, and why: docs/reliability.md.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.db import DatabaseError, IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone

from apikeys import conf

logger = logging.getLogger("apikeys.usage")

DETAIL_DAYS = 30  # the key's page
LIST_DAYS = 7  # the sparkline on the list

# (key_id, day) -> requests made with the key's secret, and how many of those were refused.
_requests: Counter[tuple[int, date]] = Counter()
_refused: Counter[tuple[int, date]] = Counter()
_lock = threading.Lock()
_flusher_pid: int | None = None  # the process whose flusher thread runs; a forked child starts its own
_flusher_stop = threading.Event()


def today() -> date:
    return timezone.now().date()  # USE_TZ: UTC


def count(key_id: int, *, day: date | None = None) -> None:
    """Count one request made with the key's secret today, in this process's memory: no query, no cache."""
    _add(_requests, key_id, day)


def count_refusal(key_id: int, *, day: date | None = None) -> None:
    """Count one of the key's counted requests as refused (401, 403 or 429), in memory as ``count`` does."""
    _add(_refused, key_id, day)


def _add(counter: Counter, key_id: int, day: date | None) -> None:
    with _lock:
        counter[key_id, day or today()] += 1
    if _flusher_pid != os.getpid():
        _start_flusher()


def pending(key_ids, days: list[date]) -> dict[tuple[int, date], tuple[int, int]]:
    """Return what this process counted and has not written yet, ``{(key_id, day): (requests, refused)}``."""
    wanted_keys, wanted_days = set(key_ids), set(days)
    with _lock:
        return {
            (key_id, day): (_requests[key_id, day], _refused[key_id, day])
            for (key_id, day) in _requests.keys() | _refused.keys()
            if key_id in wanted_keys and day in wanted_days
        }


def flush(*, using: str = "default") -> int:
    """Write what this process counted into ``KeyUsage``; return how many requests were written.

    One upsert adds every key's and day's counts to its row. If the database refuses, the counts go back
    into memory for the next flush and the error is raised. A key deleted since it was counted takes its
    usage with it.
    """
    with _lock:
        batch = {where: (_requests[where], _refused[where]) for where in _requests.keys() | _refused.keys()}
        _requests.clear()
        _refused.clear()
    if not batch:
        return 0
    try:
        try:
            _add_rows(batch, using)
        except IntegrityError:  # a key was deleted since it was counted: write the others
            from apikeys.models import PrivateKey

            alive = set(
                PrivateKey.objects.using(using)
                .filter(pk__in={k for k, _ in batch})
                .values_list("pk", flat=True)
            )
            batch = {where: counts for where, counts in batch.items() if where[0] in alive}
            if batch:
                _add_rows(batch, using)
    except DatabaseError:
        with _lock:
            for where, (requests, refused) in batch.items():
                _requests[where] += requests
                _refused[where] += refused
        raise
    return sum(requests for requests, _ in batch.values())


def stop_flusher() -> None:
    """Stop this process's flusher thread after its current sleep (for tests)."""
    _flusher_stop.set()


def discard() -> None:
    """Forget what this process counted and has not written (for tests)."""
    with _lock:
        _requests.clear()
        _refused.clear()


def _add_rows(batch: dict[tuple[int, date], tuple[int, int]], using: str) -> None:
    from apikeys.models import KeyUsage

    rows = sorted(batch.items())  # one order in every process: concurrent upserts cannot deadlock
    connection = connections[using]
    qn = connection.ops.quote_name
    table = qn(KeyUsage._meta.db_table)
    key_column, day_column, requests_column, refused_column = (
        qn(KeyUsage._meta.get_field(name).column) for name in ("key", "day", "requests", "refused")
    )
    # One statement for every row, adding to what is there: SQLite (3.24+) and PostgreSQL both speak it.
    sql = (
        f"INSERT INTO {table} ({key_column}, {day_column}, {requests_column}, {refused_column})"  # noqa: S608 (names from the model)
        f" VALUES {', '.join(['(%s, %s, %s, %s)'] * len(rows))}"
        f" ON CONFLICT ({key_column}, {day_column}) DO UPDATE"
        f" SET {requests_column} = {table}.{requests_column} + excluded.{requests_column},"
        f" {refused_column} = {table}.{refused_column} + excluded.{refused_column}"
    )
    params = [
        value
        for (key_id, day), (requests, refused) in rows
        for value in (key_id, connection.ops.adapt_datefield_value(day), requests, refused)
    ]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _start_flusher() -> None:
    """Start this process's flusher thread and its flush at exit (none if KEY_USAGE_FLUSH_SECONDS is 0)."""
    global _flusher_pid, _flusher_stop
    with _lock:
        if _flusher_pid == os.getpid():
            return
        if _flusher_pid is not None:  # forked from a process that counted: its counts are the parent's
            _requests.clear()
            _refused.clear()
        _flusher_pid = os.getpid()
    interval = conf.get("KEY_USAGE_FLUSH_SECONDS")
    if interval <= 0:
        return
    _flusher_stop = threading.Event()
    thread = threading.Thread(target=_flush_forever, args=(interval, _flusher_stop), daemon=True)
    thread.name = "key-usage-flusher"
    thread.start()
    atexit.register(_flush_quietly)


def _flush_forever(interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        _flush_quietly()


def _flush_quietly() -> None:
    """Flush as a request would: on a healthy connection, and never raising out of the thread."""
    close_old_connections()  # the health check, and a fresh connection after an error
    try:
        flush()
    except DatabaseError as error:
        logger.warning("Key usage not written yet (%s); kept for the next flush.", type(error).__name__)
    finally:
        close_old_connections()


class Day(NamedTuple):
    day: date
    requests: int  # made with the key's secret, refused or not
    refused: int = 0


@dataclass(frozen=True)
class Bar:
    """One day's bar: requests served at the bottom (``y``, ``height``), the refused ones stacked above."""

    day: date
    requests: int
    refused: int
    x: float
    width: float
    y: float
    height: float
    refused_y: float
    refused_height: float


@dataclass(frozen=True)
class Drawing:
    """An SVG's size in its own units (its viewBox) and the bars drawn in it."""

    width: int
    height: int
    bars: list[Bar]


@dataclass
class Series:
    """A key's requests on each of the last days, oldest first, and how to draw them."""

    days: list[Day]

    @property
    def total(self) -> int:
        return sum(day.requests for day in self.days)

    @property
    def refused(self) -> int:
        return sum(day.refused for day in self.days)

    @property
    def peak(self) -> int:
        return max((day.requests for day in self.days), default=0)

    @property
    def busiest_day(self) -> date | None:
        return max(self.days, key=lambda day: day.requests).day if self.peak else None

    def bars(self, width: float, height: float, gap: float = 1) -> list[Bar]:
        """Return one bar per day scaled to the peak; each part with requests shows at least 1 unit high."""
        step = width / max(len(self.days), 1)
        bars = []
        for index, (day, requests, refused) in enumerate(self.days):
            tall, refused_tall = (self._scaled(n, height) for n in (requests, refused))
            tall = max(tall, refused_tall)  # a refusal counted just past midnight, its request the day before
            bars.append(
                Bar(
                    day=day,
                    requests=requests,
                    refused=refused,
                    x=round(index * step + gap / 2, 2),
                    width=round(max(step - gap, 0.5), 2),
                    y=round(height - tall + refused_tall, 2),
                    height=round(tall - refused_tall, 2),
                    refused_y=round(height - tall, 2),
                    refused_height=round(refused_tall, 2),
                )
            )
        return bars

    def _scaled(self, requests: int, height: float) -> float:
        return max(height * requests / self.peak, 1) if requests and self.peak else 0

    @property
    def chart(self) -> Drawing:
        """The key page's chart (apikeys/_usage_chart.html)."""
        return Drawing(CHART_WIDTH, CHART_HEIGHT, self.bars(CHART_WIDTH, CHART_HEIGHT, gap=2))

    @property
    def sparkline(self) -> Drawing:
        """The list's sparkline (apikeys/_sparkline.html)."""
        return Drawing(SPARK_WIDTH, SPARK_HEIGHT, self.bars(SPARK_WIDTH, SPARK_HEIGHT, gap=1))


CHART_WIDTH, CHART_HEIGHT = 300, 80
SPARK_WIDTH, SPARK_HEIGHT = 56, 16


def per_day(keys, days: int) -> dict[int, Series]:
    """Return ``{key.pk: Series}`` for the last ``days`` days: one query for every key."""
    from apikeys.models import KeyUsage

    key_ids = [key.pk for key in keys]
    if not key_ids:
        return {}
    end = today()
    span = [end - timedelta(days=n) for n in range(days - 1, -1, -1)]
    counts: dict[tuple[int, date], tuple[int, int]] = {}
    rows = KeyUsage.objects.filter(key_id__in=key_ids, day__gte=span[0], day__lte=end)
    for key_id, day, requests, refused in rows.values_list("key_id", "day", "requests", "refused"):
        counts[key_id, day] = (requests, refused)
    for where, (requests, refused) in pending(key_ids, span).items():
        stored_requests, stored_refused = counts.get(where, (0, 0))
        counts[where] = (stored_requests + requests, stored_refused + refused)
    return {
        key_id: Series([Day(day, *counts.get((key_id, day), (0, 0))) for day in span]) for key_id in key_ids
    }
