"""Races on the real database: threads with their own connections, lined up by a barrier.

These tests commit (``transaction=True``), so each thread sees the others' work, and the database is
flushed afterwards: ask for ``support_group`` (tests/conftest.py) rather than trusting migration rows.
SQLite has no row locks and lets one writer in at a time, so the tests need PostgreSQL: marked
``postgres``, they are deselected on any other database (tests/conftest.py says so in the report header).
CI runs the whole suite on both, and with ``DATABASE_URL=postgres://…`` they run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

TIMEOUT = 30  # seconds: a thread stuck on a lock fails the test instead of hanging the suite

RACES = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(*functions: Callable[[threading.Barrier], object]) -> list:
    """Run each function in its own thread and return their results in order, re-raising any error.

    Each function gets the shared barrier and calls ``barrier.wait()`` at the moment it must line up
    with the others. Every thread closes its own database connection when done.
    """
    barrier = threading.Barrier(len(functions), timeout=TIMEOUT)
    results: list = [None] * len(functions)
    errors: list = [None] * len(functions)

    def run(index: int, function: Callable) -> None:
        try:
            results[index] = function(barrier)
        except BaseException as error:
            errors[index] = error
            barrier.abort()  # the others stop waiting for this one
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f), daemon=True) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish: a deadlock?"
    for error in errors:
        if error is not None:
            raise error
    return results
