"""Emails to the people the host names (``adapter.key_recipients``) when something happens to a key.

``key_changed(key, action, actor, request=request)`` is called by whatever made the change (the tab's views,
the admin, a key revoking itself through the API, secret scanning, ``manage.py notify_expiring``). The email
goes out once the transaction that made the change commits, so a rolled-back change announces nothing; a
failure to send is logged and never fails the change. The emails are short plain text with a link to the key's
page (absolute: from the request, or ``SITE_URL`` outside one) and name the key by its masked hint: a key
never holds its secret, so no email can carry it.
"""

from __future__ import annotations

import functools

from django.db import transaction

from apikeys import conf, mail
from apikeys.adapter import get_adapter

# Each action has apikeys/templates/apikeys/email/<action>_subject.txt and <action>_body.txt.
ACTIONS = ("created", "cloned", "rolled", "deactivated", "expiring", "leaked")


def key_changed(key, action: str, actor=None, *, request=None, **context) -> None:
    """Email the recipients of ``key``'s account about ``action``, after the transaction commits.

    ``actor`` is the user who acted, a label (``"secret scanning"``) or None. ``context`` reaches the
    templates as is (e.g. ``url`` for a leak). Recipients are read when the email is sent.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown key notification: {action!r}")
    path = key.get_absolute_url()
    link = request.build_absolute_uri(path) if request is not None else f"{conf.get('SITE_URL')}{path}"
    context = {
        "key": key,
        "account": key.account,
        "actor": _actor_label(actor),
        "link": link,
        **context,
    }
    transaction.on_commit(functools.partial(_send, key.account, action, context), robust=True)


def _send(account, action: str, context: dict) -> None:
    mail.send(f"apikeys/email/{action}", get_adapter().key_recipients(account), context)


def _actor_label(actor) -> str:
    if actor is None or isinstance(actor, str):
        return actor or ""
    return get_adapter().actor_label(actor)
