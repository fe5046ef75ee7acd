"""A secret's whole life through the tab: it is on the reveal page once, and nowhere else."""

import logging

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apikeys.models import KeyEvent, PrivateKey
from tests.apikeys.helpers import dump_database, url
from tests.factories import UserFactory, login_with_two_factor


def _traces(secret: str) -> list[str]:
    """The whole secret and its random part, which alone would be as good as the secret."""
    return [secret, secret[3:31]]


def _assert_absent(secret: str, text: str, where: str) -> None:
    for trace in _traces(secret):
        assert trace not in text, f"the secret reached {where}"


def _admin_pages(key) -> dict[str, str]:
    """The support console's key list and key page, as a superuser sees them."""
    staff = Client()
    login_with_two_factor(staff, UserFactory(is_staff=True, is_superuser=True))
    pages = {}
    for name, args in (("changelist", []), ("change", [key.pk])):
        response = staff.get(reverse(f"admin:apikeys_privatekey_{name}", args=args))
        assert response.status_code == 200 and key.hint in response.content.decode()
        pages[f"the admin {name}"] = response.content.decode()
    return pages


def _through_the_tab(client, post_path: str, data: dict, new_key):
    """POST, check every store before the reveal, reveal, check again; return the secret and what was seen."""
    with CaptureQueriesContext(connection) as posting:
        response = client.post(post_path, data)
    key = new_key()
    between = {
        "the database": dump_database(),
        "SQL sent by the POST": "\n".join(q["sql"] for q in posting.captured_queries),
        "the redirect": response.serialize().decode(),
        "the session": repr(dict(client.session)),
        "the list": client.get(url("list")).content.decode(),
        "the detail page": client.get(url("detail", key)).content.decode(),
        **_admin_pages(key),
    }
    with CaptureQueriesContext(connection) as revealing:
        secret = client.get(url("reveal", key)).context["secret"]
    assert secret and key.digest in PrivateKey.objects.values_list("digest", flat=True)
    for where, text in between.items():
        _assert_absent(secret, text, f"{where} between the POST and the reveal")
    after = {
        "the database": dump_database(),
        "SQL sent by the reveal": "\n".join(q["sql"] for q in revealing.captured_queries),
        "the session": repr(dict(client.session)),
        "the cookie jar": client.cookies.output(),
        "the list": client.get(url("list")).content.decode(),
        "the detail page": client.get(url("detail", key)).content.decode(),
        "the second reveal": client.get(url("reveal", key)).content.decode(),
    }
    for where, text in after.items():
        _assert_absent(secret, text, f"{where} after the reveal")
    return key, secret


class _RawRecords(logging.Handler):
    """Keep each record's text as it was emitted, before any filter (such as a scrubber) rewrites it."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.texts = []

    def handle(self, record):
        self.texts.append(logging.Formatter().format(record))
        return True


@pytest.fixture
def logs(caplog):
    """Every record at DEBUG, SQL included (queries are logged while CaptureQueriesContext runs).

    The handler goes first on the root logger, so that it sees what the code logged, not what a
    redacting filter on a later handler left of it.
    """
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    raw = _RawRecords()
    root = logging.getLogger()
    root.handlers.insert(0, raw)
    yield raw
    root.removeHandler(raw)


def _assert_not_logged(secret, logs):
    assert any("INSERT" in text for text in logs.texts), "SQL was not captured in the logs"
    _assert_absent(secret, "\n".join(logs.texts), "the logs")


def test_it_keeps_a_created_secret_out_of_every_store(owner_client, logs):
    key, secret = _through_the_tab(
        owner_client, url("create"), {"name": "Zapier", "access": "full"}, lambda: PrivateKey.objects.get()
    )
    _assert_not_logged(secret, logs)


def test_it_keeps_a_cloned_secret_out_of_every_store(owner_client, key, logs):
    clone, secret = _through_the_tab(
        owner_client,
        url("clone", key),
        {"name": "Zapier (copy)"},
        lambda: PrivateKey.objects.get(cloned_from=key),
    )
    _assert_not_logged(secret, logs)


def test_it_keeps_the_secret_out_of_the_messages(owner_client, issued):
    key, secret = issued
    for path in (url("deactivate", key), url("reactivate", key)):
        response = owner_client.post(path, follow=True)
        shown = [str(message) for message in response.context["messages"]]
        assert shown and not any(trace in m for m in shown for trace in _traces(secret))


def test_it_keeps_the_secret_out_of_the_admin(client, issued):
    key, secret = issued
    assert admin.site.is_registered(PrivateKey), "the support console is expected to list keys"
    login_with_two_factor(client, UserFactory(is_staff=True, is_superuser=True))
    pages = [
        reverse("admin:apikeys_privatekey_changelist"),
        reverse("admin:apikeys_privatekey_change", args=[key.pk]),
    ]
    if admin.site.is_registered(KeyEvent):
        event = KeyEvent.objects.get(key=key)
        pages += [
            reverse("admin:apikeys_keyevent_changelist"),
            reverse("admin:apikeys_keyevent_change", args=[event.pk]),
        ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert key.hint in html  # the page is really about this key
        _assert_absent(secret, html, page)
