"""Requests per key per day: counted in process, written to ``KeyUsage`` in batches about once a second.

An authenticated request only adds one to a counter in the process's memory (``count``: no query, no cache
round trip). A daemon thread per process writes what was counted into ``KeyUsage`` every
``KEY_USAGE_FLUSH_SECONDS`` (one upsert for every key and day in the batch), and once more when the
process exits normally (gunicorn's graceful stop or restart, Ctrl-C). Pages read the table and add what
this process has not written yet (``per_day``), so they are exact once every process has flushed: within
a second.

What a crash can lose: the requests a process counted since its last flush, at most about one second of
its traffic, when it is killed without a chance to exit (SIGKILL, out of memory, power). While the database
is unreachable a flush fails and its counts go back into memory for the next one, so a crash during an
outage loses what waited since the outage began. The cache plays no part: a cache outage loses nothing.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import DatabaseError, IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone

from apikeys import conf

logger = logging.getLogger("apikeys.usage")

DETAIL_DAYS = 30  # the key's page
LIST_DAYS = 7  # the sparkline on the list

_pending: Counter[tuple[int, date]] = Counter()
_lock = threading.Lock()
_flusher_pid: int | None = None  # the process whose flusher thread runs; a forked child starts its own
_flusher_stop = threading.Event()


def today() -> date:
    return timezone.now().date()  # USE_TZ: UTC


def count(key_id: int, *, day: date | None = None) -> None:
    """Count one request of the key today, in this process's memory: no query, no cache call."""
    with _lock:
        _pending[key_id, day or today()] += 1
    if _flusher_pid != os.getpid():
        _start_flusher()


def pending(key_ids, days: list[date]) -> dict[tuple[int, date], int]:
    """Return what this process counted and has not written yet, ``{(key_id, day): requests}``."""
    wanted_keys, wanted_days = set(key_ids), set(days)
    with _lock:
        return {
            (key_id, day): requests
            for (key_id, day), requests in _pending.items()
            if key_id in wanted_keys and day in wanted_days
        }


def flush(*, using: str = "default") -> int:
    """Write what this process counted into ``KeyUsage``; return how many requests were written.

    One upsert adds every key's and day's count to its row. If the database refuses, the counts go back
    into memory for the next flush and the error is raised. A key deleted since it was counted takes its
    usage with it.
    """
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return 0
    try:
        try:
            _add_rows(batch, using)
        except IntegrityError:  # a key was deleted since it authenticated: write the others
            from apikeys.models import PrivateKey

            alive = set(
                PrivateKey.objects.using(using)
                .filter(pk__in={k for k, _ in batch})
                .values_list("pk", flat=True)
            )
            batch = {where: requests for where, requests in batch.items() if where[0] in alive}
            if batch:
                _add_rows(batch, using)
    except DatabaseError:
        with _lock:
            _pending.update(batch)
        raise
    return sum(batch.values())


def stop_flusher() -> None:
    """Stop this process's flusher thread after its current sleep (for tests)."""
    _flusher_stop.set()


def discard() -> None:
    """Forget what this process counted and has not written (for tests)."""
    with _lock:
        _pending.clear()


def _add_rows(batch: dict[tuple[int, date], int], using: str) -> None:
    from apikeys.models import KeyUsage

    rows = sorted(batch.items())  # one order in every process: concurrent upserts cannot deadlock
    connection = connections[using]
    qn = connection.ops.quote_name
    table = qn(KeyUsage._meta.db_table)
    key_column, day_column, requests_column = (
        qn(KeyUsage._meta.get_field(name).column) for name in ("key", "day", "requests")
    )
    # One statement for every row, adding to what is there: SQLite (3.24+) and PostgreSQL both speak it.
    sql = (
        f"INSERT INTO {table} ({key_column}, {day_column}, {requests_column})"  # noqa: S608 (names from the model)
        f" VALUES {', '.join(['(%s, %s, %s)'] * len(rows))}"
        f" ON CONFLICT ({key_column}, {day_column})"
        f" DO UPDATE SET {requests_column} = {table}.{requests_column} + excluded.{requests_column}"
    )
    params = [
        value
        for (key_id, day), requests in rows
        for value in (key_id, connection.ops.adapt_datefield_value(day), requests)
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
            _pending.clear()
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
    """Return ``{key.pk: Series}`` for the last ``days`` days: one query for every key."""
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
