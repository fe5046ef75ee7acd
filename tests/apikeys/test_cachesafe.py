"""cachesafe.call: a cache failure returns a default and is logged once a minute per kind, not per call."""

import logging
from unittest import mock

import pytest

from apikeys import cachesafe


def broken(*args, **kwargs):
    raise ConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")


def warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "apikeys.cache"]


def test_it_returns_what_the_call_returns():
    assert cachesafe.call("test", 0, lambda a, b=0: a + b, 1, b=2) == 3


def test_it_returns_the_default_when_the_backend_fails(caplog):
    with caplog.at_level(logging.WARNING):
        assert cachesafe.call("api throttle", {}, broken, "key") == {}
    assert warnings(caplog) == [
        "Cache unavailable (api throttle: ConnectionError: Error 111 connecting to 127.0.0.1:6390. "
        "Connection refused.); carrying on without it."
    ]


def test_it_lets_a_missing_counter_through():
    def incr(name):
        raise ValueError(f"Key '{name}' not found.")

    with pytest.raises(ValueError):
        cachesafe.call("api throttle", 0, incr, "counter")


def test_it_warns_once_a_minute_per_kind_of_failure(caplog):
    with caplog.at_level(logging.WARNING), mock.patch("apikeys.cachesafe.time.monotonic") as clock:
        clock.return_value = 1000.0
        for _ in range(50):
            cachesafe.call("api throttle", 0, broken)
        cachesafe.call("login throttle", 0, broken)
        cachesafe.call("api throttle", 0, lambda: 1 / 0)
        clock.return_value = 1059.0
        cachesafe.call("api throttle", 0, broken)
        assert len(warnings(caplog)) == 3
        clock.return_value = 1060.0
        cachesafe.call("api throttle", 0, broken)
    found = warnings(caplog)
    assert len(found) == 4
    assert [message.split(":")[0] for message in found] == [
        "Cache unavailable (api throttle",
        "Cache unavailable (login throttle",
        "Cache unavailable (api throttle",
        "Cache unavailable (api throttle",
    ]
    assert "ZeroDivisionError" in found[2]
