"""tests/ci.py: a missing service skips a test locally and fails it in CI."""

import pytest

from tests.ci import skip_unless_ci


def test_it_skips_on_a_developers_machine(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="start redis-server"):
        skip_unless_ci("start redis-server")


def test_it_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="start redis-server"):
        skip_unless_ci("start redis-server")
