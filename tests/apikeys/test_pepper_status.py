from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apikeys import scopes, secrets
from apikeys.models import PrivateKey

NEW, OLD, GONE = "pepper-new", "pepper-old", "pepper-gone"


def run(*args) -> str:
    out = StringIO()
    call_command("pepper_status", *args, stdout=out, no_color=True)
    return out.getvalue()


def line_of(output: str, pepper: str) -> str:
    return next(line for line in output.splitlines() if secrets.pepper_id(pepper) in line)


@pytest.fixture
def old_secrets(settings, account, owner):
    """Two keys (one inactive) made under OLD, then NEW becomes current; one key made under NEW."""
    settings.API_KEY_PEPPERS = [OLD]
    active, active_secret = PrivateKey.objects.issue(account, "Active", scopes.READ_ONLY, owner)
    inactive, inactive_secret = PrivateKey.objects.issue(account, "Inactive", scopes.READ_ONLY, owner)
    inactive.deactivate(by=owner)
    settings.API_KEY_PEPPERS = [NEW, OLD]
    PrivateKey.objects.issue(account, "New", scopes.READ_ONLY, owner)
    return active_secret, inactive_secret


def test_it_counts_keys_per_pepper_and_says_old_one_is_needed(old_secrets):
    output = run()
    assert "current      1 keys (1 active, 0 inactive)" in line_of(output, NEW)
    assert "old          2 keys (1 active, 1 inactive)  keep it" in line_of(output, OLD)
    assert f"Old peppers still needed: {secrets.pepper_id(OLD)}." in output
    assert not any(pepper in output for pepper in (NEW, OLD))


def test_it_says_an_old_pepper_can_be_dropped_once_every_key_moved(old_secrets):
    for secret in old_secrets:  # using a key re-digests it under the current pepper
        assert PrivateKey.objects.for_secret(secret) is not None
    output = run("--check")
    assert "current      3 keys (2 active, 1 inactive)" in line_of(output, NEW)
    assert "old          0 keys (0 active, 0 inactive)  can be dropped" in line_of(output, OLD)
    assert "no old pepper is needed" in output


def test_it_fails_the_check_while_an_old_pepper_is_needed(old_secrets):
    with pytest.raises(CommandError) as error:
        run("--check")
    assert error.value.returncode == 1


def test_it_warns_about_keys_on_a_pepper_no_longer_configured(settings, account, owner):
    settings.API_KEY_PEPPERS = [GONE]
    PrivateKey.objects.issue(account, "Orphan", scopes.READ_ONLY, owner)
    settings.API_KEY_PEPPERS = [NEW]
    output = run()
    assert "no longer configured" in output
    assert "gone         1 keys (1 active, 0 inactive)" in line_of(output, GONE)
    assert "no old pepper is needed" not in output
    with pytest.raises(CommandError):
        run("--check")


def test_it_reports_an_empty_database(db):
    output = run("--check")
    assert "current      0 keys" in output and "no old pepper is needed" in output
