"""The one-time reveal under a race, against a live server (gunicorn: 2 workers, 4 threads each) on the
suite's database engine: parallel GETs of one reveal URL with the same session and pad cookie, beside
page loads of the same session that write it back whole, show the secret exactly once.

The server runs in its own processes: the suite's in-memory SQLite database cannot be shared with them
(nor, within one process, written by several threads at once), so on SQLite it gets a migrated file
database of its own, and on PostgreSQL it uses the test database, whose rows this test commits.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apikeys import secrets

PASSWORD = "Race-test-password-7"
RACERS = 8  # reveals of the same URL
BYSTANDERS = 4  # page loads of the same session at the same moment
TIMEOUT = 30
GONE = "This key can no longer be shown"
ROOT = Path(settings.BASE_DIR)

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'race.sqlite3'}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """Serve the site from gunicorn on 127.0.0.1 with the demo's logins; yield its base URL."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": _database_url(tmp_path)}
    manage = [sys.executable, "manage.py"]
    if connection.vendor != "postgresql":
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    subprocess.run(
        [*manage, "demo", "--password", PASSWORD],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2).close()  # noqa: S310 (our server)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(TIMEOUT)


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 comes back as an HTTPError, its Location unvisited


def _post(jar, address: str, data: dict) -> str:
    """Submit the form at ``address`` as a browser would; return where the answer redirects."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    form = opener.open(address, timeout=TIMEOUT).read().decode()
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": _csrf(form)}).encode()
    try:
        opener.open(address, body, timeout=TIMEOUT).close()
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.code
        return urllib.parse.urljoin(address, redirect.headers["Location"])
    raise AssertionError(f"{address} did not redirect")


def _all_at_once(addresses: list[str], cookie_header: str) -> list[str]:
    barrier = threading.Barrier(len(addresses), timeout=TIMEOUT)
    pages: list = [None] * len(addresses)

    def fetch(index: int) -> None:
        request = urllib.request.Request(addresses[index], headers={"Cookie": cookie_header})
        barrier.wait()
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (our server)
            pages[index] = response.read().decode()

    threads = [threading.Thread(target=fetch, args=(i,), daemon=True) for i in range(len(addresses))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert None not in pages, "a request failed or did not finish"
    return pages


def test_it_shows_the_secret_exactly_once_to_parallel_reveals_of_one_session(server):
    jar = http.cookiejar.CookieJar()
    _post(jar, f"{server}/login/", {"username": "owner@demo.test", "password": PASSWORD})
    reveal_url = _post(jar, f"{server}/settings/api-keys/new/", {"name": "Raced", "access": "read_only"})
    assert reveal_url.endswith("/reveal/"), reveal_url
    # Every cookie the browser would send to the reveal URL (session and pad), fixed before the race.
    cookie_header = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    assert "kw_reveal_" in cookie_header

    pages = _all_at_once([reveal_url] * RACERS + [f"{server}/settings/api-keys/"] * BYSTANDERS, cookie_header)
    again = urllib.request.Request(reveal_url, headers={"Cookie": cookie_header})
    with urllib.request.urlopen(again, timeout=TIMEOUT) as response:  # noqa: S310 (our server)
        after = response.read().decode()

    shown = [secrets.SHAPE.findall(page) for page in pages[:RACERS] if secrets.SHAPE.search(page)]
    assert len(shown) == 1
    assert sum(GONE in page for page in pages[:RACERS]) == RACERS - 1
    assert GONE in after and not secrets.SHAPE.search(after)
