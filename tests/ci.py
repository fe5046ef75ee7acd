"""What a test does when something it needs is missing: skip on a developer's machine, fail in CI."""

import os

import pytest


def skip_unless_ci(message: str) -> None:
    """Skip locally (saying how to get what is missing); with CI set, fail, since a skip proves nothing."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
