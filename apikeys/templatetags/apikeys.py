from __future__ import annotations

from datetime import timedelta

from django import forms, template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.simple_tag
def error_summary(form) -> list[tuple[str, str]]:
    """Return ``(anchor, message)`` for each error of a bound form, in field order, for the error summary.

    A field's anchor is the id of its input (the first radio of a radio group); errors of the form as a
    whole point at the form's first field. A field is named by its label, or by the form's ``summary_labels``.
    """
    if not form.is_bound or not form.errors:
        return []
    fields = list(form)
    labels = getattr(form, "summary_labels", {})
    items = [(f"#{fields[0].auto_id}" if fields else "", str(error)) for error in form.non_field_errors()]
    for field in fields:
        anchor = field.auto_id
        if isinstance(field.field.widget, forms.RadioSelect):
            anchor = f"{anchor}_0"
        label = labels.get(field.name, field.label)
        items += [(f"#{anchor}", f"{label}: {error}") for error in field.errors]
    return items


@register.filter
def ago(when):
    """Say how long ago (or from now) ``when`` is, in words: "just now", "3 hours ago", "in 2 days"."""
    if not when:
        return ""
    now = timezone.now()
    if abs(now - when) < timedelta(minutes=1):
        return "just now"
    if when > now:
        return f"in {_rounded(when - now)}"
    return f"{timesince(when, now, depth=1)} ago"


def _rounded(delta: timedelta) -> str:
    """Say a time ahead in the unit the choices use, rounded: a key made to expire in 7 days (a few
    seconds ago) expires "in 7 days", not "in 6 days"; one that stops in an hour "in 1 hour"."""
    minutes = round(delta / timedelta(minutes=1))
    hours = round(delta / timedelta(hours=1))
    if minutes < 60:
        amount, unit = minutes, "minute"
    elif hours < 48:
        amount, unit = hours, "hour"
    else:
        amount, unit = round(delta / timedelta(days=1)), "day"
    return f"{amount}\xa0{unit}{'s' if amount != 1 else ''}"
