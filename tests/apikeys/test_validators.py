"""apikeys.validators: a name, reason or label is one line of visible text."""

import pytest
from django.core.exceptions import ValidationError

from apikeys.validators import CONTROL_CHARACTERS_MESSAGE, refuse_control_characters


@pytest.mark.parametrize(
    "character",
    ["\r", "\n", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u200b", "\u200e", "\u202e", "\u2066", "\ufeff"],
)
def test_it_refuses_control_and_format_characters(character):
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(f"Zap{character}ier")
    assert refused.value.messages == [CONTROL_CHARACTERS_MESSAGE]
    assert refused.value.code == "control_characters"


@pytest.mark.parametrize(
    "text", ["Warehouse sync", "Zoë's key", "東京 \u00a0orders", "🔑 deploy", "a-b_c.d/e"]
)
def test_it_accepts_ordinary_text_in_any_language(text):
    assert refuse_control_characters(text) is None
