"""Plain-text emails from a template pair, one message per recipient, never an exception.

An email reports a change that has already happened (a member added, a key deactivated); a mail server that
is down must not undo or fail that change, so a failure is logged as a warning and reported as ``False``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def render(template: str, context: dict) -> tuple[str, str]:
    """Return ``(subject, body)`` from ``<template>_subject.txt`` and ``<template>_body.txt``."""
    subject = "".join(render_to_string(f"{template}_subject.txt", context).splitlines())
    return subject.strip(), render_to_string(f"{template}_body.txt", context)


def send(template: str, recipients: Iterable[str], context: dict) -> bool:
    """Send the email to each recipient on their own (no one sees the others); return False if any failed."""
    subject, body = render(template, context)
    sent_all = True
    for to in recipients:
        try:
            send_mail(subject, body, None, [to])
        except Exception:  # whatever the backend raises, the change it reports stands
            logger.warning("Could not send the %s email", template, exc_info=True)
            sent_all = False
    return sent_all
