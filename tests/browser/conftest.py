"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Browsers cannot be downloaded here, so the tests launch the system Chromium (``CHROMIUM_PATH`` overrides
the path). With ``CI`` set a missing browser fails the run; on a local machine the tests skip and say how
to install it. Chromium's own look-ups of Google's hosts are mapped to nowhere: nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.ci import skip_unless_ci
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(items):
    """Mark the browser tests and run them last: once Playwright's loop runs, it runs to the end."""
    here = Path(__file__).parent
    browser = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if item not in browser] + browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        skip_unless_ci(f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORTS["desktop"]}


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_beside_playwright():
    # Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there unless
    # told. Set only once the browser tests start (they run last), and only for them.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.fixture(autouse=True)
def _nothing_beyond_the_live_server(request):
    """Record every request the browser makes and, after the test, fail on any that left the live server.

    The host-resolver rule above stops Chromium from reaching other hosts; this says when a page even tried
    (a CDN font, an analytics script, an absolute URL to the wrong host).
    """
    if "context" not in request.fixturenames:
        yield
        return
    # The live server first: session fixtures end in reverse order, so the browser (and its keep-alive
    # connections) closes before the server stops sharing its database connection with request threads.
    origin = request.getfixturevalue("live_server").url + "/"
    context = request.getfixturevalue("context")
    urls: list[str] = []
    context.on("request", lambda browser_request: urls.append(browser_request.url))
    yield
    elsewhere = [url for url in urls if not url.startswith((origin, *LOCAL_SCHEMES))]
    assert elsewhere == [], f"requests beyond {origin}: {elsewhere}"


@pytest.fixture
def log_in(page, live_server):
    """Log a user in through the real login form and land on the settings page."""

    def do(user, password=PASSWORD):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/settings/")
        return page

    return do


@pytest.fixture
def screenshot(page):
    """Save the page in light and dark schemes, at desktop and phone widths, for review."""

    def shoot(name: str):
        SCREENSHOTS.mkdir(exist_ok=True)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for label, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                page.screenshot(path=SCREENSHOTS / f"{name}-{scheme}-{label}.png", full_page=True)
        page.set_viewport_size(VIEWPORTS["desktop"])
        page.emulate_media(color_scheme="light")

    return shoot
