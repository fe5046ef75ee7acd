from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

register = template.Library()


@register.filter
def ago(when):
    """Say how long ago (or from now) ``when`` is, in words: "just now", "3 hours ago", "in 2 days"."""
    if not when:
        return ""
    now = timezone.now()
    if abs(now - when) < timedelta(minutes=1):
        return "just now"
    if when > now:
        return f"in {timeuntil(when, now, depth=1)}"
    return f"{timesince(when, now, depth=1)} ago"
