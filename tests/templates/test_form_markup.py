"""Forms with errors, as a screen reader meets them: unique ids, and every error tied to its field.

Django writes ``aria-describedby="<id>_error"`` on a field with errors (and ``aria-invalid``); the page must
hold one element with that id, holding all of the field's errors. Radio groups are fieldsets, which Django
leaves alone: our templates point the fieldset at its errors.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts import sudo
from accounts.models import Invitation
from accounts.roles import Role
from apikeys import scopes
from apikeys.forms import RenameForm
from apikeys.models import PrivateKey
from tests.factories import PASSWORD, TOTPDeviceFactory

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Markup(HTMLParser):
    """Collect ids, aria-describedby references and, for each error, the ids around it."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.described_by: set[str] = set()
        self.invalid: list[str] = []  # names of inputs marked aria-invalid
        self.errors: list[tuple[str, set[str]]] = []  # (text, ids of the element and its ancestors)
        self._open: list[tuple[str, str | None]] = []
        self._error_depth: int | None = None
        self._error_text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        self.described_by.update((attrs.get("aria-describedby") or "").split())
        if attrs.get("aria-invalid") == "true":
            self.invalid.append(attrs.get("name"))
        if tag in VOID:
            return
        self._open.append((tag, attrs.get("id")))
        if "error" in (attrs.get("class") or "").split() and self._error_depth is None:
            self._error_depth = len(self._open)
            self._error_text = []

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self._open and self._open[-1][0] == tag, f"</{tag}> closes {self._open[-1:]}"
        if self._error_depth == len(self._open):
            around = {element_id for _, element_id in self._open if element_id}
            self.errors.append(("".join(self._error_text).strip(), around))
            self._error_depth = None
        self._open.pop()

    def handle_data(self, data):
        if self._error_depth is not None:
            self._error_text.append(data)


def assert_accessible_errors(response, expected_errors: int) -> Markup:
    """The page shows errors, repeats no id, refers to no missing id, and ties every error to a field."""
    assert response.status_code == 200
    markup = Markup(response.content.decode())
    repeated = [element_id for element_id, count in Counter(markup.ids).items() if count > 1]
    assert repeated == []
    assert markup.described_by - set(markup.ids) == set()
    assert len(markup.errors) >= expected_errors, markup.errors
    for text, around in markup.errors:
        assert around & markup.described_by, f"nothing refers to the error “{text}”"
    return markup


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.parametrize(
    ("data", "invalid"),
    [
        pytest.param(
            {
                "name": " ",
                "access": "everything",
                "scope-lists": "admin",
                "scope-profiles": "write-only",
                "expires": "forever",
                "allowed_ips": "not-an-ip\n10.0.0.1\nstill not",
            },
            {"name", "access", "scope-lists", "scope-profiles", "expires", "allowed_ips"},
            id="every-field",
        ),
        pytest.param(
            {"name": "Sync", "access": "custom", "expires": "date", "allowed_ips": "999.1.1.1, nope"},
            {"access", "expires_on", "allowed_ips"},  # access: custom with no scope chosen
            id="custom-date",
        ),
    ],
)
def test_it_ties_every_error_of_the_create_form_to_its_field(owner_client, data, invalid):
    response = owner_client.post(reverse("apikeys:create"), data)
    markup = assert_accessible_errors(response, expected_errors=len(invalid))
    assert set(markup.invalid) == invalid
    assert PrivateKey.objects.count() == 0


def test_it_ties_the_access_matrix_and_expiry_errors_to_their_groups(owner_client):
    response = owner_client.post(
        reverse("apikeys:create"),
        {"name": "Sync", "access": "everything", "scope-lists": "admin", "expires": "forever"},
    )
    markup = assert_accessible_errors(response, expected_errors=3)
    assert {"id_access_error", "id_scope-lists_error", "id_expires_error"} <= markup.described_by
    assert {"access", "scope-lists", "expires"} <= set(markup.invalid)


def test_it_gives_several_password_errors_one_element(client, account, owner):
    _, token = Invitation.objects.issue(account, "new@new.test", Role.ANALYST, by=owner.memberships.get())
    response = client.post(
        f"/invitations/{token}/", {"name": "Nina", "new_password1": "1234", "new_password2": "1234"}
    )
    markup = assert_accessible_errors(response, expected_errors=3)
    password_errors = [around for _, around in markup.errors if "id_new_password2_error" in around]
    assert len(password_errors) >= 3  # too short, too common, entirely numeric: all in one element
    assert markup.ids.count("id_new_password2_error") == 1


def test_it_ties_the_roll_grace_error_to_its_group(owner_client, account, owner):
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    response = owner_client.post(reverse("apikeys:roll", args=[key.public_id]), {"grace": "forever"})
    markup = assert_accessible_errors(response, expected_errors=1)
    assert "id_grace_error" in markup.described_by
    assert "grace" in markup.invalid
    key.refresh_from_db()
    assert key.rolled_to_id is None


def _start(client, user, setup):
    """Bring ``user`` to where the case's form is."""
    if setup == "anonymous":
        return
    if setup == "password-step":  # the log-in's second step: the password passed, a code is due
        TOTPDeviceFactory(user=user)
        client.post("/login/", {"username": user.email, "password": PASSWORD})
        return
    client.force_login(user)
    if setup == "sudo-expired":  # with an authenticator app, so the prompt asks for a code too
        TOTPDeviceFactory(user=user)
        session = client.session
        session[sudo.SESSION_KEY] = 0
        session.save()


FORM_PAGES = {
    # form: (how the user arrives, URL ({key} filled in), posted data, the id of the field in error)
    "KeyForm": ("owner", "/settings/api-keys/new/", {"name": "", "access": "read_only"}, "id_name"),
    "CloneForm": ("owner", "/settings/api-keys/{key}/clone/", {"name": ""}, "id_name"),
    "RollForm": ("owner", "/settings/api-keys/{key}/roll/", {"grace": "forever"}, "id_grace_0"),
    "RenameForm": ("owner", "/settings/api-keys/{key}/rename/", {"name": ""}, "id_name"),
    "DeactivateForm": ("owner", "/settings/api-keys/{key}/deactivate/", {"reason": "a\x07b"}, "id_reason"),
    "InviteForm": ("owner", "/settings/users/invite/", {"email": "nope", "role": "manager"}, "id_email"),
    "ThrottledPasswordChangeForm": ("owner", "/password/", {"old_password": "wrong"}, "id_old_password"),
    "CodeForm": ("owner", "/security/two-factor/", {"code": ""}, "id_code"),
    "SudoForm": ("sudo-expired", "/settings/api-keys/new/", {"sudo-code": "1" * 13}, "id_sudo-code"),
    "ThrottledAuthenticationForm": ("anonymous", "/login/", {"username": "a@b.test"}, "id_password"),
    "LoginCodeForm": ("password-step", "/login/verify/", {"code": ""}, "id_code"),
}


@pytest.mark.parametrize(("setup", "path", "data", "field_id"), FORM_PAGES.values(), ids=FORM_PAGES.keys())
def test_it_renders_each_form_through_the_one_field_template(
    client, owner, account, setup, path, data, field_id
):
    """Every form, the app's and the host's: an error summary linking to the field, whose errors sit in the
    field template's element that the field's aria-describedby names."""
    key, _ = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    _start(client, owner, setup)
    response = client.post(path.format(key=key.public_id), data)
    markup = assert_accessible_errors(response, expected_errors=1)
    html = response.content.decode()
    assert f'<li><a href="#{field_id}">' in html and "data-error-summary" in html
    error_id = field_id.removesuffix("_0") + "_error"
    assert f'<div class="errors" id="{error_id}">' in html and error_id in markup.described_by


def test_it_renders_the_apps_forms_with_the_apps_templates_whatever_the_host_renderer(settings):
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    html = str(RenameForm({"name": ""}))
    assert "data-error-summary" in html and '<div class="errors" id="id_name_error">' in html
