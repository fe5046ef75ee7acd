"""Bad input gets a clear error and changes nothing; never a 500.

- every form field with a maximum length, given one character more, and every form field given a NUL
  character (PostgreSQL refuses NUL in text): the form's own error reaches the page;
- every parameter in a URL (found by walking the URLconf), given junk or an unknown id: 404;
- every JSON body endpoint, given invalid JSON, an array, wrong types, 10 KB strings, NUL and lone
  surrogates: 400 in the API's error shape;
- bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 400 on a form, 413 on the API.

Every case checks that no row of ours changed. The forms, URLs and JSON endpoints are found from the code
(form classes of our modules, the URLconf, the permission matrix), so a new one without a case fails.
"""

from __future__ import annotations

import inspect
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.validators import MaxLengthValidator
from django.test import Client, RequestFactory
from django.urls import Resolver404
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

import accounts.admin
import accounts.forms
import accounts.sudo
import accounts.throttling
import apikeys.admin
import apikeys.forms
import lists.forms
from accounts import twofactor
from accounts.models import Account, Membership, User
from apikeys.validators import CONTROL_CHARACTERS_MESSAGE
from tests.api.helpers import assert_error
from tests.factories import PASSWORD, TOTPDeviceFactory, log_in, totp_now
from tests.security import test_permission_matrix as matrix
from tests.security.database import snapshot
from tests.security.test_permission_matrix import EXPECTED, GET, PATCH, POST, identify, url_for, url_patterns

world = matrix.world  # the fixture: one account with a member in every role, its keys, list, invitation

FORM_MODULES = [
    accounts.forms,
    accounts.admin,
    accounts.sudo,
    accounts.throttling,
    apikeys.forms,
    apikeys.admin,
    lists.forms,
]
NUL = "a\x00b"
NUL_MESSAGE = "Null characters are not allowed."


# Forms ------------------------------------------------------------------------------------------------------


def _admin_form(model, w, data=None, obj=None):
    """The form the admin builds to add (or change) ``model``, as a superuser sees it."""
    request = RequestFactory().get("/")
    request.user = w.superuser
    return admin.site._registry[model].get_form(request, obj)(data, instance=obj)


def _login_request():
    return RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1")


def _sudo_request(user):
    """A request of ``user``, who has an authenticator, so that the prompt shows both of its fields."""
    _device(user)
    request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1")
    request.user = user
    return request


def _device(user):
    return TOTPDevice.objects.filter(user=user).first() or TOTPDeviceFactory(user=user)


def _pending_login(client, user):
    """Put the client between the log-in's password step and its code step, as ``user``."""
    _device(user)
    session = client.session
    session[twofactor.PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": "django.contrib.auth.backends.ModelBackend",
        "at": time.time(),
        "next": "",
    }
    session.save()


@dataclass(frozen=True)
class FormCase:
    """A form as the site serves it: where it is posted, by whom, with which valid data."""

    url: str  # the permission matrix's name for the URL
    persona: str
    form: Callable  # (world, data or None) -> form instance
    valid: Callable  # world -> valid data
    covers: tuple = ()  # the form classes of our modules this case exercises
    prepare: Callable | None = None  # (client, world): what the session needs before the POST


FORM_CASES = {
    "create a key": FormCase(
        "apikeys:create",
        "owner",
        lambda w, data=None: apikeys.forms.KeyForm(data),
        lambda w: {"name": "Zapier", "access": "read_only", "expires": "never"},
        covers=(apikeys.forms.KeyForm, apikeys.forms.ExpiryForm),
    ),
    "clone a key": FormCase(
        "apikeys:clone",
        "owner",
        lambda w, data=None: apikeys.forms.CloneForm(data, original=w.key),
        lambda w: {"name": "Full (copy)", "expires": "never"},
        covers=(apikeys.forms.CloneForm,),
    ),
    "rename a key": FormCase(
        "apikeys:rename",
        "owner",
        lambda w, data=None: apikeys.forms.RenameForm(data),
        lambda w: {"name": "Renamed"},
        covers=(apikeys.forms.RenameForm,),
    ),
    "roll a key": FormCase(
        "apikeys:roll",
        "owner",
        lambda w, data=None: apikeys.forms.RollForm(data),
        lambda w: {"grace": "24h"},
        covers=(apikeys.forms.RollForm,),
    ),
    "deactivate a key": FormCase(
        "apikeys:deactivate",
        "owner",
        lambda w, data=None: apikeys.forms.DeactivateForm(data),
        lambda w: {"reason": "Leaked"},
        covers=(apikeys.forms.DeactivateForm,),
    ),
    "invite": FormCase(
        "accounts:invite",
        "owner",
        lambda w, data=None: accounts.forms.InviteForm(data, account=w.account),
        lambda w: {"email": "new-person@new.test", "role": "manager"},
        covers=(accounts.forms.InviteForm,),
    ),
    "change a role": FormCase(  # errors come back as a message on the Users tab
        "accounts:change_role",
        "owner",
        lambda w, data=None: accounts.forms.RoleForm(data),
        lambda w: {"role": "manager"},
        covers=(accounts.forms.RoleForm,),
    ),
    "accept an invitation": FormCase(
        "accept_invitation",
        "anonymous",
        lambda w, data=None: accounts.forms.AcceptInvitationForm(User(email=w.invitation.email), data),
        lambda w: {"name": "Ann", "new_password1": PASSWORD, "new_password2": PASSWORD},
        covers=(accounts.forms.AcceptInvitationForm,),
    ),
    "log in": FormCase(
        "login",
        "anonymous",
        lambda w, data=None: accounts.throttling.ThrottledAuthenticationForm(_login_request(), data=data),
        lambda w: {"username": "owner@acme.test", "password": PASSWORD},
        covers=(accounts.throttling.ThrottledAuthenticationForm,),
    ),
    "change the password": FormCase(
        "password_change",
        "owner",
        lambda w, data=None: accounts.forms.ThrottledPasswordChangeForm(
            w.owner, data, request=_login_request()
        ),
        lambda w: {
            "old_password": PASSWORD,
            "new_password1": "n3w-Passw0rd!",
            "new_password2": "n3w-Passw0rd!",
        },
        covers=(accounts.forms.ThrottledPasswordChangeForm,),
    ),
    "set up two-factor log-in": FormCase(
        "two_factor_setup",
        "owner",
        lambda w, data=None: accounts.forms.CodeForm(data),
        lambda w: {"code": "123456"},
        covers=(accounts.forms.CodeForm,),
    ),
    "type the log-in's second step code": FormCase(
        "login_verify",
        "anonymous",
        lambda w, data=None: accounts.forms.LoginCodeForm(data, request=_login_request(), user=w.owner),
        lambda w: {"code": totp_now(_device(w.owner))},
        covers=(accounts.forms.LoginCodeForm,),
        prepare=lambda client, w: _pending_login(client, w.owner),
    ),
    "require two-factor log-in": FormCase(
        "accounts:two_factor_policy",
        "owner",
        lambda w, data=None: accounts.forms.TwoFactorPolicyForm(data),
        lambda w: {"required": "on"},
        covers=(accounts.forms.TwoFactorPolicyForm,),
    ),
    "confirm a sensitive action with the password": FormCase(
        "apikeys:create",
        "owner",
        lambda w, data=None: accounts.sudo.SudoForm(_sudo_request(w.owner), data),
        lambda w: {"sudo-password": PASSWORD},
        covers=(accounts.sudo.SudoForm,),
    ),
    "deactivate a key in the admin": FormCase(
        "admin:apikeys_privatekey_deactivate",
        "support_staff",
        lambda w, data=None: apikeys.admin.SupportDeactivateForm(data),
        lambda w: {"reason": "Leaked on a forum"},
        covers=(apikeys.admin.SupportDeactivateForm,),
    ),
    "find a key by its secret in the admin": FormCase(
        "admin:apikeys_privatekey_find",
        "support_staff",
        lambda w, data=None: apikeys.admin.FindBySecretForm(data),
        lambda w: {"secret": w.full_key},
        covers=(apikeys.admin.FindBySecretForm,),
    ),
    "add a user in the admin": FormCase(
        "admin:accounts_user_add",
        "superuser",
        lambda w, data=None: _admin_form(User, w, data),
        lambda w: {"email": "new-user@new.test", "name": "New", "usable_password": "false"},
        covers=(accounts.admin.UserCreationAdminForm,),
    ),
    "change a user in the admin": FormCase(
        "admin:accounts_user_change",
        "superuser",
        lambda w, data=None: _admin_form(User, w, data, obj=w.member.user),
        lambda w: {
            "email": w.member.user.email,
            "name": "Renamed",
            "is_active": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "12:00:00",
        },
        covers=(accounts.admin.UserChangeAdminForm,),
    ),
    "add an account in the admin": FormCase(
        "admin:accounts_account_add",
        "superuser",
        lambda w, data=None: _admin_form(Account, w, data),
        lambda w: {"name": "New account"},
    ),
    "add a membership in the admin": FormCase(
        "admin:accounts_membership_add",
        "superuser",
        lambda w, data=None: _admin_form(Membership, w, data),
        lambda w: {"user": w.outsider.pk, "account": w.account.pk, "role": "manager"},
        covers=(accounts.admin.MembershipAdminForm,),
    ),
}
# The JSON API validates bodies with these forms; their cases are in JSON_CASES below.
JSON_FORMS = (lists.forms.ListForm, lists.forms.SubscriptionForm)
# Filters read from a GET query, which change nothing; their bad input is tested with their pages
# (tests/apikeys/test_list_search.py, tests/apikeys/test_activity.py).
GET_FORMS = (apikeys.forms.KeyFilterForm, apikeys.forms.ActivityFilterForm)


def as_posted(data: dict) -> MultiValueDict:
    """Return ``data`` as a form reads a POST (a list per name)."""
    return MultiValueDict({key: value if isinstance(value, list) else [value] for key, value in data.items()})


def post_form(w, case: FormCase, data: dict):
    """POST ``data`` as the case's persona and follow redirects to the page that shows the outcome."""
    client = Client()
    if case.persona != "anonymous":
        log_in(client, getattr(w, case.persona))
    if case.prepare:
        case.prepare(client, w)
    cache.clear()  # log-in throttling
    return client.post(url_for(case.url, w), data, follow=True)


def limited_fields(form: forms.BaseForm) -> dict[str, forms.Field]:
    """Return the fields whose maximum length is enforced (the log-in forms' username only sets the
    widget's maxlength: a longer one simply fails to log in)."""
    return {
        name: field
        for name, field in form.fields.items()
        if any(isinstance(validator, MaxLengthValidator) for validator in field.validators)
    }


def overlong(field: forms.Field) -> str:
    """Return a value one character longer than ``field`` takes, otherwise well formed."""
    size = field.max_length + 1
    if isinstance(field, forms.EmailField):
        return "a" * (size - len("@example.test")) + "@example.test"
    return "x" * size


def assert_refused(w, case: FormCase, name: str, value: str) -> list[str]:
    """POST the case's valid data with ``name`` set to ``value``: the form's errors for that field reach
    the page, and nothing changes. Return those errors."""
    form = case.form(w)
    widget = form.fields[name].widget
    name_posted = form.add_prefix(name)
    names = (
        [name_posted + suffix for suffix in widget.widgets_names]
        if hasattr(widget, "widgets_names")
        else [name_posted]
    )
    data = {**case.valid(w), **dict.fromkeys(names, value)}
    form = case.form(w, as_posted(data))
    assert not form.is_valid() and name in form.errors, f"the form takes {name}={value!r}"
    before = snapshot()
    response = post_form(w, case, data)
    assert response.status_code == 200
    html = response.content.decode()
    for error in form.errors[name]:
        assert escape(error) in html, f"{error!r} is not on the page"
    assert snapshot() == before
    return form.errors[name]


def test_it_has_a_case_for_every_form_of_ours():
    ours = {
        form
        for module in FORM_MODULES
        for _, form in inspect.getmembers(module, inspect.isclass)
        if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__ and form.base_fields
    }  # a form without fields (apikeys.forms.Form, the app's base) is never posted
    covered = (
        {form for case in FORM_CASES.values() for form in case.covers} | set(JSON_FORMS) | set(GET_FORMS)
    )
    assert ours - covered == set(), "forms without a case in FORM_CASES"
    ours_in_admin = {model for model in admin.site._registry if model._meta.app_label in ("accounts",)}
    assert ours_in_admin == {User, Account, Membership}  # the keys' admin adds and changes nothing
    assert {case.url for case in FORM_CASES.values()} <= set(EXPECTED)


@pytest.mark.parametrize("case", FORM_CASES)
def test_it_accepts_the_valid_data_of_every_case(world, case):
    """The cases' valid data is valid, so that each refusal below is caused by the one bad field."""
    case = FORM_CASES[case]
    form = case.form(world, as_posted(case.valid(world)))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("case", FORM_CASES)
def test_it_refuses_one_character_too_many_in_every_field(world, case):
    case = FORM_CASES[case]
    for name, field in limited_fields(case.form(world)).items():
        errors = assert_refused(world, case, name, overlong(field))
        limit = field.max_length
        assert f"Ensure this value has at most {limit} characters (it has {limit + 1})." in errors


@pytest.mark.parametrize("case", FORM_CASES)
def test_it_refuses_nul_characters_in_every_field(world, case):
    case = FORM_CASES[case]
    for name, field in case.form(world).fields.items():
        if field.disabled or isinstance(field, forms.BooleanField):
            continue  # a disabled field ignores what is sent; a checkbox is on whatever it sends
        errors = assert_refused(world, case, name, NUL)
        if isinstance(field, forms.CharField):
            assert NUL_MESSAGE in errors, (name, errors)


# What a person types as a name, reason or label: one line of visible text (apikeys.validators). The other
# text fields take something else, with rules of their own.
NOT_A_NAME = {
    "username": "an email address to log in with",
    "allowed_ips": "one address or range per line",
    "secret": "a whole secret, checked for its shape",
    "code": "an authenticator or recovery code, checked against the stored ones",
}
CONTROL_CHARACTERS = [
    "Zapier\r\nBcc: someone@evil.test",
    "Zap\tier",
    "Zap\u202eier",
    "Zap\u200bier",
    "Zap\x1bier",
]


def typed_text_fields(form: forms.BaseForm) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if type(field) is forms.CharField
        and not field.disabled
        and not isinstance(field.widget, forms.PasswordInput)
        and name not in NOT_A_NAME
    ]


@pytest.mark.parametrize("case", FORM_CASES)
def test_it_refuses_control_characters_in_every_name_reason_and_label(world, case):
    case = FORM_CASES[case]
    for name in typed_text_fields(case.form(world)):
        for value in CONTROL_CHARACTERS:
            assert CONTROL_CHARACTERS_MESSAGE in assert_refused(world, case, name, value), (name, value)


def test_it_checks_control_characters_in_the_names_and_reasons_people_type(world):
    """Guard against a sweep that checks nothing, or misses a field."""
    checked = {
        (label, name) for label, case in FORM_CASES.items() for name in typed_text_fields(case.form(world))
    }
    assert checked == {
        ("create a key", "name"),
        ("clone a key", "name"),
        ("rename a key", "name"),
        ("deactivate a key", "reason"),
        ("accept an invitation", "name"),
        ("deactivate a key in the admin", "reason"),
        ("add a user in the admin", "name"),
        ("change a user in the admin", "name"),
        ("add an account in the admin", "name"),
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("new@new.test\r\nBcc: someone@evil.test", "Enter a valid email address."),
        ("new@new.test\u202e", CONTROL_CHARACTERS_MESSAGE),  # an address Django's validator takes
    ],
)
def test_it_refuses_control_characters_in_an_invited_address(world, value, message):
    assert message in assert_refused(world, FORM_CASES["invite"], "email", value)


def test_it_counts_the_fields_it_checks(world):
    """Guard against a sweep that checks nothing: the key form alone has two limited fields."""
    assert list(limited_fields(FORM_CASES["create a key"].form(world))) == ["name", "allowed_ips"]


# Junk in URLs -----------------------------------------------------------------------------------------------

JUNK_IDS = [
    "not-a-uuid",
    "0",
    "-1",
    "9" * 30,
    "00000000-0000-0000-0000-00000000000g",
    "\x00",
    "' OR '1'='1",
    "😀",
    "a" * 2000,
]
PARAMETER_URLS = sorted(name for name, route in url_patterns() if "<" in route)


def persona_for(path: str) -> str:
    """Who may reach the object behind a URL of this kind, so that only the junk can make it a 404."""
    if path.startswith("/api/"):
        return "full_key"
    if path.startswith(("/client/", "/invitations/")):
        return "anonymous"
    if path.startswith("/admin/"):
        return "superuser"
    return "owner"


def request_as(w, persona: str, method: str, path: str, data=None, *, json_body: bool = False):
    client = Client()
    headers = {}
    if persona in ("full_key", "read_key", "other_key"):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {getattr(w, persona)}"
    elif persona != "anonymous":
        log_in(client, getattr(w, persona))
    cache.clear()  # throttling counters
    if json_body:
        body = data if isinstance(data, bytes) else json.dumps(data)
        return client.generic(method, path, body, content_type="application/json", **headers)
    return getattr(client, method.lower())(path, data or {}, **headers)


def with_parameter(path: str, route: str, index: int, value: str) -> str:
    """Return ``path`` with the URL segment that the route's ``index``-th part captures set to ``value``."""
    parts = path.lstrip("/").split("/")
    parts[index] = quote(value, safe="")
    return "/" + "/".join(parts)


def _reaches(path: str, name: str) -> bool:
    try:
        return identify(path) == name
    except Resolver404:
        return False


def test_it_finds_the_urls_with_parameters():
    assert {"apikeys:detail", "accounts:change_role", "api:list", "accept_invitation"} <= set(PARAMETER_URLS)
    assert "admin:accounts_account_change" in PARAMETER_URLS


@pytest.mark.parametrize("name", PARAMETER_URLS)
def test_it_answers_404_to_junk_and_unknown_ids_in_every_url(world, name):
    routes = dict(url_patterns())
    path, _, query = url_for(name, world).partition("?")
    persona = persona_for(path)
    route_parts = routes[name].split("/")
    parameters = [i for i, part in enumerate(route_parts) if "<" in part]
    assert parameters, name
    before = snapshot()
    wrong = []
    for index in parameters:
        for junk in [*JUNK_IDS, str(uuid.uuid4())]:
            junk_path = with_parameter(path, routes[name], index, junk) + (f"?{query}" if query else "")
            same_view = _reaches(junk_path, name)
            for method, by_persona in EXPECTED[name].items():
                response = request_as(world, persona, method, junk_path)
                if same_view and by_persona[persona] in (403, 405):
                    # The method or the permission is refused before any look-up.
                    expected = response.status_code == by_persona[persona]
                elif path.startswith("/admin/"):
                    # Django's admin sends a missing object back to its index with a message.
                    expected = response.status_code == 404 or (
                        response.status_code == 302 and response["Location"].startswith("/admin/")
                    )
                else:
                    expected = response.status_code == 404
                if path.startswith(("/api/", "/client/")) and response.status_code == 404:
                    assert_error(response, 404)
                if not expected:
                    wrong.append(f"{method} {junk_path[:120]} as {persona}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


# JSON bodies ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonCase:
    """An API endpoint that reads a JSON object: its method, the persona allowed in, valid data."""

    method: str
    persona: str
    valid: Callable


JSON_CASES = {
    ("api:lists", POST): JsonCase(POST, "full_key", lambda w: {"name": "Launch"}),
    ("api:list", PATCH): JsonCase(PATCH, "full_key", lambda w: {"name": "Renamed"}),
    ("client:subscriptions", POST): JsonCase(
        POST, "anonymous", lambda w: {"email": "fan@example.test", "list_id": str(w.list.public_id)}
    ),
}
BAD_BODIES = [b"", b"{", b"[1, 2]", b'"text"', b"null", b"123", b"\xff\xfe{}", b"{}", b"[" * 50_000]
WRONG_VALUES = [5, 1.5, True, None, [], {}, ["x"], "", "x" * 10_240, "a\x00b", "\ud800"]


def test_it_has_a_case_for_every_json_body_endpoint():
    """Every API or client endpoint that accepts a body (some persona gets a 2xx) has a case here."""
    routes = dict(url_patterns())
    takes_bodies = {
        (name, method)
        for name, by_method in EXPECTED.items()
        if routes[name].startswith(("api/", "client/"))
        for method, by_persona in by_method.items()
        if method in (POST, PATCH, "PUT")
        and any(isinstance(e, int) and 200 <= e < 300 for e in by_persona.values())
    }
    # GitHub's secret scanning alerts are signed JSON: tests/api/test_secret_scanning.py refuses bad ones.
    takes_bodies.discard(("api:secret_scanning_github", POST))
    assert takes_bodies == set(JSON_CASES)


@pytest.mark.parametrize(("name", "method"), JSON_CASES)
def test_it_answers_400_to_bad_json_bodies(world, name, method):
    case = JSON_CASES[name, method]
    path = url_for(name, world)
    valid = case.valid(world)
    bodies = [*BAD_BODIES, json.dumps({**valid, "unknown": "x"}).encode()]
    bodies += [json.dumps({**valid, field: value}).encode() for field in valid for value in WRONG_VALUES]
    before = snapshot()
    for body in bodies:
        response = request_as(world, case.persona, method, path, body, json_body=True)
        assert_error(response, 400)
    assert snapshot() == before
    # The valid body goes through: the refusals above were the bad values' doing.
    assert request_as(world, case.persona, method, path, valid, json_body=True).status_code < 300


@pytest.mark.parametrize(("name", "method"), JSON_CASES)
def test_it_points_at_the_field_of_the_wrong_type(world, name, method):
    case = JSON_CASES[name, method]
    for field in case.valid(world):
        body = {**case.valid(world), field: 5}
        response = request_as(world, case.persona, method, url_for(name, world), body, json_body=True)
        assert assert_error(response, 400)["source"] == {"pointer": f"/{field}"}


def test_it_explains_a_lone_surrogate(world):
    response = request_as(world, "full_key", POST, "/api/lists/", {"name": "\ud800"}, json_body=True)
    error = assert_error(response, 400, "invalid")
    assert error["detail"] == "name must be valid Unicode text." and error["source"] == {"pointer": "/name"}


# Oversized bodies -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), JSON_CASES)
def test_it_refuses_an_oversized_json_body(world, name, method):
    case = JSON_CASES[name, method]
    field = next(iter(case.valid(world)))
    body = json.dumps({**case.valid(world), field: "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()
    before = snapshot()
    response = request_as(world, case.persona, method, url_for(name, world), body, json_body=True)
    assert_error(response, 413, "too_large")
    assert snapshot() == before


@pytest.mark.parametrize("case", ["create a key", "invite", "log in", "deactivate a key in the admin"])
@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_it_refuses_an_oversized_form(world, case, encoding):
    case = FORM_CASES[case]
    client = Client()
    if case.persona != "anonymous":
        log_in(client, getattr(world, case.persona))
    data = {**case.valid(world), "padding": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    before = snapshot()
    if encoding == "multipart":
        response = client.post(url_for(case.url, world), data)
    else:
        body = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in data.items())
        response = client.post(
            url_for(case.url, world), body, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert snapshot() == before


# Junk in the admin's filters --------------------------------------------------------------------------------

FILTER_JUNK = ["a\x00b", "9" * 30, "😀"]


@pytest.mark.parametrize("model", [m._meta.label for m in admin.site._registry], ids=str)
def test_it_never_fails_on_junk_in_admin_filters_and_search(world, model):
    """Filter values reach the database as typed; PostgreSQL refuses NUL in text."""
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == model)
    request = RequestFactory().get("/")
    request.user = world.superuser
    changelist = model_admin.get_changelist_instance(request)
    parameters = {"q", "o", "p"} | {p for spec in changelist.filter_specs for p in spec.expected_parameters()}
    path = f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/"
    before = snapshot()
    wrong = []
    for parameter in sorted(parameters):
        for junk in FILTER_JUNK:
            response = request_as(world, "superuser", GET, path, {parameter: junk})
            # 200: shown (unfiltered); 302 to ?e=1: the admin's "bad filter" notice; 400: a refused lookup.
            if response.status_code not in (200, 302, 400):
                wrong.append(f"{path}?{parameter}={junk!r}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before
