"""Parallel log-in guesses against a live, threaded server: at most the limit are checked (finding 1).

Each guess is a real HTTP request from its own thread (its own session and CSRF token), released together
by a barrier. The password check is counted, and slowed down so that the guesses overlap for sure: a guard
that read its counter before checking and counted the failure after would let every one of them through.
The tests run on the database of the run (SQLite or PostgreSQL) with the local-memory cache and with Redis.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from accounts.models import User
from tests.concurrency.helpers import in_threads
from tests.factories import PASSWORD, UserFactory

CHECK_SECONDS = 0.3  # how long each password check takes here: long enough for the burst to overlap

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request):
    """The local-memory cache (one process, as the live server is) and Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")


class Checks:
    """Count (and slow down) every password check; ``hold`` keeps the checks waiting until released."""

    def __init__(self):
        self.passwords: list[str] = []
        self.lock = threading.Lock()
        self.started = threading.Semaphore(0)
        self.release = threading.Event()
        self.release.set()

    def hold(self):
        self.release.clear()


@pytest.fixture
def checks(monkeypatch):
    counted = Checks()
    original = User.check_password

    def check_password(user, raw_password):
        with counted.lock:
            counted.passwords.append(raw_password)
        counted.started.release()
        counted.release.wait(timeout=30)
        time.sleep(CHECK_SECONDS)
        return original(user, raw_password)

    monkeypatch.setattr(User, "check_password", check_password)
    return counted


class Browser:
    """One visitor: a cookie jar, the log-in page's CSRF token, and no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect
        )
        html = self.opener.open(f"{base_url}/login/", timeout=30).read().decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def log_in(self, email: str, password: str) -> int:
        body = urllib.parse.urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": self.token}
        ).encode()
        try:
            return self.opener.open(f"{self.base_url}/login/", body, timeout=60).status
        except urllib.error.HTTPError as error:  # 302 (no redirect followed), 429
            return error.code


def burst(live_server, guesses: list[tuple[str, str]]) -> list[int]:
    """Send every (email, password) at the same moment, each from its own browser; return the statuses."""
    browsers = [Browser(live_server.url) for _ in guesses]

    def guess(browser, email, password):
        def run(barrier):
            barrier.wait()
            return browser.log_in(email, password)

        return run

    return in_threads(*(guess(b, e, p) for b, (e, p) in zip(browsers, guesses, strict=True)))


def test_it_checks_at_most_the_email_limit_of_a_burst(live_server, cache_backend, checks, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    user = UserFactory(email="target@acme.test")
    statuses = burst(live_server, [(user.email, f"guess-{n}") for n in range(20)])
    assert len(checks.passwords) <= 5
    assert statuses.count(200) == len(checks.passwords)  # each checked guess: "wrong password"
    assert statuses.count(429) == 20 - len(checks.passwords)  # the others: refused unchecked


def test_it_checks_at_most_the_address_limit_of_a_burst(live_server, cache_backend, checks, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    users = UserFactory.create_batch(16)
    statuses = burst(live_server, [(user.email, "wrong-password") for user in users])
    assert len(checks.passwords) <= 6
    assert statuses.count(429) >= 10


def test_it_refuses_the_right_password_past_the_limit(live_server, cache_backend, checks, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = UserFactory(email="target@acme.test")
    checks.hold()  # three wrong guesses take every place, and stay in their checks
    wrong = [Browser(live_server.url) for _ in range(3)]
    threads = [
        threading.Thread(target=browser.log_in, args=(user.email, f"guess-{n}"), daemon=True)
        for n, browser in enumerate(wrong)
    ]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert checks.started.acquire(timeout=30), "a guess never reached its check"
    try:
        status = Browser(live_server.url).log_in(user.email, PASSWORD)
    finally:
        checks.release.set()
        for thread in threads:
            thread.join(30)
    assert status == 429
    assert PASSWORD not in checks.passwords  # refused without being checked
