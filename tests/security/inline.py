"""Find what a strict Content-Security-Policy would block: inline scripts, styles and event handlers.

Use ``assert_strict_csp(response)`` in any view test, so each new page proves it needs no 'unsafe-inline'.
``test_csp.py`` also reads every template file (``template_problems``), so a template no test renders is
covered too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Script types a browser never runs (data blocks such as Django's json_script); CSP does not block them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}

# The same rules, for template source: a style attribute, a <style> element, a <script> without src, an
# on* event handler attribute, a javascript: URL.
TEMPLATE_PATTERNS = {
    "style attribute": re.compile(r"""\sstyle\s*=""", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "inline <script>": re.compile(
        r"""<script(?![^>]*\ssrc\s*=)(?![^>]*type=["']application/json)[^>]*>""", re.I
    ),
    "event handler attribute": re.compile(r"""\son[a-z]+\s*=""", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        script_type = (dict(attrs).get("type") or "").lower()
        if tag == "script" and "src" not in dict(attrs) and script_type not in DATA_SCRIPT_TYPES:
            self.problems.append(f"inline <script> at line {line}")
        if tag == "style":
            self.problems.append(f"<style> element at line {line}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}> at line {line}")
            elif name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}> at line {line}")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> at line {line}")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    """Return a description of every inline script, style or handler in ``html`` (empty: none)."""
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def template_problems(source: str) -> list[str]:
    """Return what a strict CSP would block in a template's source."""
    return [
        f"{label} at line {source.count(chr(10), 0, match.start()) + 1}"
        for label, pattern in TEMPLATE_PATTERNS.items()
        for match in pattern.finditer(source)
    ]


def assert_strict_csp(response) -> None:
    """Assert the response carries the strict policy and its HTML needs nothing the policy blocks."""
    policy = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, f"no strict Content-Security-Policy header: {policy!r}"
    assert "unsafe-inline" not in policy
    if response.get("Content-Type", "").startswith("text/html"):
        problems = inline_code(response.content.decode())
        assert not problems, f"{response.request['PATH_INFO']}: {problems}"
