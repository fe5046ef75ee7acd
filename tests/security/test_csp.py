"""A strict Content-Security-Policy on every page, and nothing in the HTML that it would block."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from apikeys.models import PrivateKey
from tests.factories import log_in, login_with_two_factor
from tests.security.inline import assert_strict_csp, inline_code, template_problems

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [
    Path(app.path) / "templates" for app in apps.get_app_configs() if Path(app.path).parent == ROOT
]  # ours only: Django's own admin templates are checked through the rendered admin pages below
TEMPLATE_FILES = sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))

PAGES = [
    ("anonymous", "/login/", 200),
    ("anonymous", "/admin/login/", 302),  # to /login/
    ("anonymous", "/no-such-page/", 404),
    ("owner", "/settings/", 200),
    ("owner", "/settings/users/", 200),
    ("owner", "/settings/api-keys/", 200),
    ("owner", "/password/", 200),
    ("owner", "/password/done/", 200),
    ("owner", "/security/", 200),
    ("owner", "/security/two-factor/", 200),  # the QR code, inline SVG without styles
    ("owner", "/no-such-page/", 404),
    ("manager", "/settings/api-keys/", 403),
    ("loner", "/settings/", 200),
    ("support", "/admin/", 200),
]


def test_it_sends_the_strict_policy(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }


def test_it_finds_inline_code_when_there_is_some():
    html = """<p style="color:red" onclick="x()">a</p><script>alert(1)</script><style>p{}</style>
    <a href="javascript:x()">b</a><script src="/static/js/app.js"></script>
    <script type="application/json" id="data">{}</script>"""
    assert len(inline_code(html)) == 5
    assert len(template_problems(html)) == 5
    assert inline_code('<p class="x" data-onclick="y">ok</p><script src="/a.js" defer></script>') == []


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_it_finds_no_inline_code_in_template(path):
    assert template_problems(path.read_text()) == []


@pytest.mark.parametrize(("persona", "url", "status"), PAGES)
def test_it_serves_pages_without_inline_code(client, request, persona, url, status):
    if persona != "anonymous":
        log_in(client, request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == status
    assert_strict_csp(response)


def test_it_renders_form_errors_without_inline_code(client, owner):
    response = client.post("/login/", {"username": owner.email, "password": "wrong"})
    assert b"Please enter a correct" in response.content
    assert_strict_csp(response)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label_lower)
def test_it_serves_admin_pages_without_inline_code(client, support, owner, account, model):
    PrivateKey.objects.issue(account, "Checkout", ["lists:read"], by=owner)  # a row for the key models
    login_with_two_factor(client, support)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
    if (instance := model._default_manager.first()) is not None:
        urls.append(reverse(f"{prefix}_change", args=[instance.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert_strict_csp(response)
