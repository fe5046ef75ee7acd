"""Emails to the people the host names (``adapter.key_recipients``) when something happens to a key.

The verbs in apikeys/models.py queue them with ``transaction.on_commit``, so no view, admin action or command
sends one, and a rolled-back change announces nothing. Everything else happens after the commit, so a failure
(the mail server, the host's adapter) is logged and never fails the change.
The emails are short plain text with an absolute link to the key's page (``adapter.absolute_url``: no request
is at hand) and name the key by its masked hint: a key never holds its secret, so no email can carry it.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.db import transaction

from apikeys import mail
from apikeys.adapter import get_adapter

# Each action has apikeys/templates/apikeys/email/<action>_subject.txt and <action>_body.txt.
ACTIONS = ("created", "cloned", "rolled", "deactivated", "expiring", "leaked")
SUPPORT_LABEL = "Support staff ({})"

_muted = contextvars.ContextVar("apikeys_notifications_muted", default=False)


def key_changed(key, action: str, event=None, **context) -> None:
    """Email the recipients of ``key``'s account about ``action``, after the transaction commits.

    ``event`` is the KeyEvent the verb recorded: it names who acted (``actor_label``). ``context`` reaches
    the templates as is (e.g. ``url`` for a leak, ``actor`` for its finder).
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown key notification: {action!r}")
    if _muted.get():
        return

    def send():  # a function, not a partial: Django names a failing robust callback by its __qualname__
        _send(key, action, event, context)

    transaction.on_commit(send, robust=True)


def actor_label(event) -> str:
    """Return who acted, as the emails name them: a person, support staff, or what the event recorded."""
    if event is None:
        return ""
    if event.actor is None:
        return event.actor_label  # no person: e.g. the key revoking itself through the API
    if event.details.get("by_support"):
        return SUPPORT_LABEL.format(event.actor.get_username())
    return get_adapter().actor_label(event.actor)


@contextlib.contextmanager
def muted():
    """Queue no email for the changes made inside: for seeding made-up history (the demo), not real events."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _send(key, action: str, event, context: dict) -> None:
    adapter = get_adapter()
    link = adapter.absolute_url(key.get_absolute_url())
    context = {"key": key, "account": key.account, "actor": actor_label(event), "link": link, **context}
    mail.send(f"apikeys/email/{action}", adapter.key_recipients(key.account), context)
