"""apikeys.checks: a host that configures the app wrongly gets an error naming the setting at start-up."""

import pytest

from apikeys.checks import check_settings


def ids(settings_errors):
    return {(error.id, error.msg.split(" ")[0]) for error in settings_errors}


def test_it_passes_the_reference_host():
    assert check_settings() == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("APIKEYS_ADAPTER", None, ("apikeys.E001", "APIKEYS_ADAPTER")),
        ("APIKEYS_ADAPTER", "nowhere.Adapter", ("apikeys.E002", "APIKEYS_ADAPTER")),
        ("APIKEYS_ADAPTER", "apikeys.models.PrivateKey", ("apikeys.E003", "APIKEYS_ADAPTER")),
        ("APIKEYS_ACCOUNT_MODEL", "tenants.Organization", ("apikeys.E004", "APIKEYS_ACCOUNT_MODEL")),
        ("APIKEYS_ACCOUNT_MODEL", "not a label", ("apikeys.E004", "APIKEYS_ACCOUNT_MODEL")),
        ("APIKEYS_SCOPES", ["lists", "lists"], ("apikeys.E005", "APIKEYS_SCOPES:")),
        ("APIKEYS_BASE_TEMPLATE", "nowhere/base.html", ("apikeys.E006", "APIKEYS_BASE_TEMPLATE")),
        ("API_KEY_PEPPERS", ["current", " "], ("apikeys.E007", "API_KEY_PEPPERS")),
        ("API_KEY_PEPPERS", [], ("apikeys.E007", "API_KEY_PEPPERS")),
    ],
)
def test_it_names_the_wrong_setting(settings, name, value, expected):
    setattr(settings, name, value)
    assert ids(check_settings()) == {expected}


def test_it_names_a_missing_adapter_setting(settings):
    del settings.APIKEYS_ADAPTER
    assert ids(check_settings()) == {("apikeys.E001", "APIKEYS_ADAPTER")}
