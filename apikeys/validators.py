"""The one rule for text a person types as a name, reason or label: no control characters.

Names and reasons are copied into plain-text emails, activity logs and the admin. A line break there lets
whoever typed it start a line of their own ("Bcc: …" in a body, a forged entry in a log), and invisible
format characters (bidirectional overrides, zero-width characters) make a name read as another. So every
character of Unicode's categories Cc (control: CR, LF, tab, NUL, …) and Cf (format) is refused; the
ordinary space is a separator (Zs) and stays.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

CONTROL_CATEGORIES = frozenset({"Cc", "Cf"})
CONTROL_CHARACTERS_MESSAGE = (
    "Use a single line of visible text: line breaks, tabs and other control or invisible formatting "
    "characters are not allowed."
)


def has_control_characters(value: str) -> bool:
    """Return whether ``value`` holds a control (Cc) or format (Cf) character."""
    return any(unicodedata.category(character) in CONTROL_CATEGORIES for character in value)


def refuse_control_characters(value) -> None:
    """A Django validator for form and model fields: raise ValidationError if ``value`` has any."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")
