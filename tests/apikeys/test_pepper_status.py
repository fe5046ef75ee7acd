"""manage.py pepper_status: which pepper each key rests on, and whether an old pepper can be dropped."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apikeys import scopes, secrets
from apikeys.models import PrivateKey
from apikeys.verification import verify

NEW, OLD, GONE = "pepper-new", "pepper-old", "pepper-gone"


def run(*args) -> str:
    out = StringIO()
    call_command("pepper_status", *args, stdout=out, no_color=True)
    return out.getvalue()


def line_of(output: str, pepper: str) -> str:
    return next(line for line in output.splitlines() if secrets.pepper_id(pepper) in line)


def assert_check_fails():
    with pytest.raises(CommandError) as error:
        run("--check")
    assert error.value.returncode == 1


@pytest.fixture
def rotate(settings):
    """Keys are made under OLD until the test calls ``rotate()``: then NEW is current and OLD stays."""
    settings.API_KEY_PEPPERS = [OLD]

    def to_new():
        settings.API_KEY_PEPPERS = [NEW, OLD]

    return to_new


@pytest.fixture
def old_keys(rotate, account, owner):
    """Under OLD: an active key and an inactive one; then NEW becomes current and gets one key.

    Return ``{name: (key, secret)}``.
    """
    keys = {
        name: PrivateKey.objects.issue(account, name, scopes.READ_ONLY, owner)
        for name in ("Active", "Inactive")
    }
    keys["Inactive"][0].deactivate(by=owner)
    rotate()
    keys["New"] = PrivateKey.objects.issue(account, "New", scopes.READ_ONLY, owner)
    return keys


def test_it_counts_active_and_inactive_keys_per_pepper_and_keeps_the_old_one(old_keys):
    output = run()
    assert "current      1 keys (1 active, 0 inactive, 0 expired or leaked)" in line_of(output, NEW)
    assert "old          2 keys (1 active, 1 inactive, 0 expired or leaked)  keep it" in line_of(output, OLD)
    assert "1 active key: moved to the current pepper when next used." in output
    assert f"Old peppers still needed: {secrets.pepper_id(OLD)}." in output
    assert not any(pepper in output for pepper in (NEW, OLD))


def test_it_says_inactive_keys_never_move_and_must_be_deleted_first(old_keys):
    _, inactive_secret = old_keys["Inactive"]
    assert verify(inactive_secret) is None  # refused, so never re-digested
    output = run()
    assert "1 inactive key: never moved, as the API refuses inactive keys." in output
    assert "Delete it, or reactivate and use it, before dropping this pepper" in output
    assert "reactivated after it is gone, it would fail every request" in output


def test_it_keeps_the_old_pepper_while_an_inactive_key_rests_on_it(old_keys):
    _, active_secret = old_keys["Active"]
    assert verify(active_secret) is not None  # the API's look-up moves the key
    output = run()
    assert "old          1 keys (0 active, 1 inactive, 0 expired or leaked)  keep it" in line_of(output, OLD)
    assert "moved to the current pepper when next used" not in output
    assert_check_fails()


def test_it_lets_the_old_pepper_go_once_the_inactive_key_is_deleted(old_keys, owner):
    _, active_secret = old_keys["Active"]
    verify(active_secret)
    old_keys["Inactive"][0].remove(by=owner)
    output = run("--check")
    assert "old          0 keys (0 active, 0 inactive, 0 expired or leaked)  can be dropped" in line_of(
        output, OLD
    )
    assert "No old pepper is needed" in output


def test_it_lets_the_old_pepper_go_once_the_inactive_key_is_reactivated_and_used(old_keys, owner):
    for name in ("Active", "Inactive"):
        key, secret = old_keys[name]
        if name == "Inactive":
            key.reactivate(by=owner)
        assert verify(secret) is not None
    output = run("--check")
    assert "current      3 keys (3 active, 0 inactive, 0 expired or leaked)" in line_of(output, NEW)
    assert "can be dropped" in line_of(output, OLD)


def test_it_fails_the_check_while_an_active_key_needs_an_old_pepper(old_keys, owner):
    old_keys["Inactive"][0].remove(by=owner)
    assert_check_fails()


def test_it_lets_expired_and_leaked_keys_go_with_their_pepper(rotate, account, owner):
    rolled, leaked, expired = (
        PrivateKey.objects.issue(account, name, scopes.READ_ONLY, owner)[0]
        for name in ("Rolled", "Leaked", "Expired")
    )
    leaked.mark_leaked("https://gist.example/1")  # inactive for good
    rotate()
    rolled.roll(by=owner, grace=timedelta(0))  # expired at once; its replacement rests on NEW
    PrivateKey.objects.filter(pk=expired.pk).update(expires_at=rolled.expires_at)  # active but expired
    output = run("--check")
    assert "old          3 keys (0 active, 0 inactive, 3 expired or leaked)  can be dropped" in line_of(
        output, OLD
    )
    assert "current      1 keys (1 active, 0 inactive, 0 expired or leaked)" in line_of(output, NEW)


def test_it_warns_about_keys_on_a_pepper_no_longer_configured(settings, account, owner):
    settings.API_KEY_PEPPERS = [GONE]
    PrivateKey.objects.issue(account, "Orphan", scopes.READ_ONLY, owner)
    settings.API_KEY_PEPPERS = [NEW]
    output = run()
    assert "no longer configured" in output
    assert "gone         1 keys (1 active, 0 inactive, 0 expired or leaked)" in line_of(output, GONE)
    assert "No old pepper is needed" not in output
    assert_check_fails()


def test_it_reports_an_empty_database(db):
    output = run("--check")
    assert "current      0 keys" in output and "No old pepper is needed" in output
