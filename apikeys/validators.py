"""The one rule for text a person types as a name, reason or label: no control characters.

Unicode's categories Cc (CR, LF, tab, NUL…) and Cf (bidirectional overrides, zero-width…) are refused, so
that such text stays one visible line in emails and logs. Why: docs/decisions/control-characters.md.
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
