"""Properties of the forms under arbitrary input: they never raise, an invalid form says why, and a valid
one holds only what the model verbs may receive. The data mixes the real field names (with real and
arbitrary values) with unknown ``scope-*`` and other names, huge strings, NUL and non-BMP characters, and
repeated fields. The create view is fuzzed too: never a 500, and a key only when the form is valid.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import InviteForm, RoleForm
from accounts.roles import Role, assignable_roles
from apikeys import scopes
from apikeys.forms import GRACE_PERIODS, SCOPE_FIELD_PREFIX, DeactivateForm, KeyForm, RollForm
from apikeys.models import PrivateKey

fuzzing = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

SCOPE_FIELDS = [SCOPE_FIELD_PREFIX + resource.name for resource in scopes.CATALOGUE]
REAL_VALUES = [
    scopes.ACCESS_FULL,
    scopes.ACCESS_READ_ONLY,
    scopes.ACCESS_CUSTOM,
    scopes.NONE_LEVEL,
    scopes.READ_LEVEL,
    scopes.FULL_LEVEL,
    "never",
    "date",
    "30",
    "90",
    "now",
    "24h",
    "7d",
    *Role.values,
    "someone@example.test",
    "203.0.113.7",
    "2001:db8::/32",
    "10.0.0.0/8\n192.168.1.1",
    "2030-01-01",
]
ODD_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "😀" * 60,  # non-BMP
    "x" * 101,
    "x" * 501,
    "x" * 5001,
    "y" * 100_000,
    "0",
    "-1",
    "Infinity",
    "1.2.3.4/99",
    "9999-12-31",
    "<script>alert(1)</script>",
]
values = st.one_of(
    st.sampled_from(REAL_VALUES), st.sampled_from(ODD_VALUES), st.text(max_size=60), st.dates().map(str)
)


def form_data(field_names: list[str]):
    """Arbitrary POST data: real and unknown field names, one or two values each."""
    names = st.one_of(
        st.sampled_from(field_names),
        st.text(max_size=12).map(lambda s: SCOPE_FIELD_PREFIX + s),  # unknown resources
        st.text(max_size=12),
    )
    return st.dictionaries(
        names, st.lists(values, min_size=1, max_size=2), max_size=len(field_names) + 3
    ).map(as_query_dict)


def as_query_dict(data: dict[str, list[str]]) -> QueryDict:
    """Return ``data`` exactly as a view reads it from an urlencoded POST."""
    return QueryDict(urlencode(data, doseq=True))


def assert_says_why(form) -> None:
    assert form.errors, "an invalid form without a single error"
    for messages in form.errors.values():
        assert all(isinstance(message, str) and message for message in messages)


KEY_FORM_FIELDS = ["name", "access", "expires", "expires_on", "allowed_ips", *SCOPE_FIELDS]
# Near-valid key data, so that the properties of valid forms get exercised too: a real choice for every
# field, arbitrary names, and now and then an arbitrary value or an unknown scope field.
plausible_key_data = st.builds(
    lambda fields, extra: as_query_dict({**fields, **extra}),
    st.fixed_dictionaries(
        {
            "name": st.lists(
                st.one_of(st.text(max_size=40), st.sampled_from(ODD_VALUES)), min_size=1, max_size=1
            ),
            "access": st.sampled_from(
                [scopes.ACCESS_FULL, scopes.ACCESS_READ_ONLY, scopes.ACCESS_CUSTOM]
            ).map(lambda access: [access]),
            "expires": st.sampled_from(["never", "30", "60", "90", "date"]).map(lambda expires: [expires]),
        },
        optional={
            "expires_on": st.dates().map(lambda day: [str(day)]),
            "allowed_ips": st.sampled_from(["", "203.0.113.7", "2001:db8::/32\n10.0.0.0/8", "nope"]).map(
                lambda ips: [ips]
            ),
            **{
                field: st.sampled_from([scopes.NONE_LEVEL, scopes.READ_LEVEL, scopes.FULL_LEVEL]).map(
                    lambda level: [level]
                )
                for field in SCOPE_FIELDS
            },
        },
    ),
    st.dictionaries(
        st.sampled_from([*SCOPE_FIELDS, "scope-unknown", "name", "other"]),
        st.lists(values, min_size=1, max_size=2),
        max_size=1,
    ),
)
key_form_data = st.one_of(form_data(KEY_FORM_FIELDS), plausible_key_data)
KNOWN_SCOPES = {
    scope for resource in scopes.CATALOGUE for scope in resource.scopes_for(resource.ui_levels[-1])
}


@fuzzing
@given(data=key_form_data)
def test_it_validates_any_key_form_data_without_raising(data):
    form = KeyForm(data)
    if not form.is_valid():
        assert_says_why(form)
        return
    cleaned = form.cleaned_data
    assert cleaned["name"] == cleaned["name"].strip() and 0 < len(cleaned["name"]) <= 100
    assert "\x00" not in cleaned["name"]
    assert cleaned["scopes"] and set(cleaned["scopes"]) <= KNOWN_SCOPES
    assert not [name for name in data if name.startswith(SCOPE_FIELD_PREFIX) and name not in SCOPE_FIELDS]
    assert all("\x00" not in entry for entry in cleaned["allowed_ips"])


@fuzzing
@given(data=form_data(["reason"]))
def test_it_validates_any_deactivation_reason_without_raising(data):
    form = DeactivateForm(data)
    if not form.is_valid():
        assert_says_why(form)
        return
    reason = form.cleaned_data["reason"]
    assert len(reason) <= 500 and "\x00" not in reason


@fuzzing
@given(data=form_data(["grace"]))
def test_it_validates_any_roll_data_without_raising(data):
    form = RollForm(data)
    if not form.is_valid():
        assert_says_why(form)
        return
    assert form.cleaned_data["grace"] in GRACE_PERIODS.values()
    assert isinstance(form.cleaned_data["grace"], timedelta)


@fuzzing
@given(data=form_data(["email", "role"]))
def test_it_validates_any_invitation_without_raising(account, owner, data):
    form = InviteForm(data, account=account)
    if not form.is_valid():
        assert_says_why(form)
        return
    email = form.cleaned_data["email"]
    assert email == email.strip().lower() and len(email) <= 254 and "\x00" not in email
    assert form.cleaned_data["role"] in {role.value for role in assignable_roles()}
    assert form.cleaned_data["role"] != Role.OWNER


@fuzzing
@given(data=form_data(["role"]))
def test_it_validates_any_role_change_without_raising(data):
    form = RoleForm(data)
    if not form.is_valid():
        assert_says_why(form)
        return
    assert form.cleaned_data["role"] in Role.values


class _RolledBack(Exception):
    pass


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=key_form_data)
def test_it_creates_a_key_only_from_valid_data_and_never_fails(client, owner, data):
    client.force_login(owner)
    try:
        with transaction.atomic():  # every example starts from the same keys
            before = set(PrivateKey.objects.values_list("pk", flat=True))
            body = data.urlencode()
            response = client.post(
                "/settings/api-keys/new/", body, content_type="application/x-www-form-urlencoded"
            )
            created = PrivateKey.objects.exclude(pk__in=before)
            form = KeyForm(data)
            if len(body) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                assert response.status_code == 400  # refused before any form sees it
                assert not created.exists()
            elif form.is_valid():
                assert response.status_code == 302
                key = created.get()
                assert response["Location"] == f"/settings/api-keys/{key.public_id}/reveal/"
                assert key.name == form.cleaned_data["name"] and key.scopes == form.cleaned_data["scopes"]
            else:
                assert response.status_code == 200
                assert not created.exists()
                assert response.context["form"].errors == form.errors
            raise _RolledBack
    except _RolledBack:
        pass
