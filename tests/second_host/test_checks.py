"""A host that configures the app wrongly is stopped at start-up by an error naming the setting."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def start_up_errors() -> str:
    with pytest.raises(SystemCheckError) as stopped:
        call_command("check")
    return str(stopped.value)


def test_it_starts_with_orbits_settings():
    call_command("check")  # raises SystemCheckError on any error


def test_it_names_a_missing_adapter(settings):
    del settings.APIKEYS_ADAPTER
    errors = start_up_errors()
    assert "apikeys.E001" in errors and "APIKEYS_ADAPTER is not set" in errors


def test_it_names_an_unknown_account_model(settings):
    settings.APIKEYS_ACCOUNT_MODEL = "orgs.Galaxy"
    errors = start_up_errors()
    assert "apikeys.E004" in errors
    assert "APIKEYS_ACCOUNT_MODEL 'orgs.Galaxy' is not an installed model" in errors


def test_it_names_a_scope_declared_twice(settings):
    settings.APIKEYS_SCOPES = ["projects", {"name": "projects", "levels": ["read"]}]
    errors = start_up_errors()
    assert "apikeys.E005" in errors and "APIKEYS_SCOPES: 'projects' is declared twice" in errors
