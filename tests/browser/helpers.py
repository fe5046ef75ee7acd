"""Steps shared by the browser tests."""

from __future__ import annotations


def tab_to(page, target, limit: int = 60):
    """Press Tab until ``target`` has the focus, as a keyboard user would; fail if it never comes."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def assert_focus_visible(target):
    assert target.evaluate("element => getComputedStyle(element).outlineStyle") == "solid"
