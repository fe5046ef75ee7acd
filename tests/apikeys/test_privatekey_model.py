import pytest

from apikeys import scopes, secrets
from apikeys.models import KeyEvent, KeyStateError, PrivateKey


@pytest.fixture
def key_and_secret(account, owner):
    return PrivateKey.objects.issue(account, "  Zapier  ", scopes.READ_ONLY, owner)


def test_it_issues_a_well_formed_secret_and_stores_only_its_digest(key_and_secret):
    key, secret = key_and_secret
    assert secrets.is_well_formed(secret)
    assert len(secret) == 37 and secret.startswith("pk_")
    key.refresh_from_db()
    assert key.digest == secrets.digest(secret)
    assert key.hint == secret[-4:]
    assert key.name == "Zapier"
    stored = [str(v) for v in PrivateKey.objects.filter(pk=key.pk).values().get().values()]
    assert not any(secret in value for value in stored)


def test_it_records_a_created_event_with_actor(key_and_secret, owner):
    key, _ = key_and_secret
    event = KeyEvent.objects.get(key=key)
    assert event.action == "created" and event.actor == owner and event.key_hint == key.hint


def test_it_refuses_unknown_or_empty_scopes(account, owner):
    with pytest.raises(ValueError):
        PrivateKey.objects.issue(account, "x", ["lists:delete"], owner)
    with pytest.raises(ValueError):
        PrivateKey.objects.issue(account, "x", [], owner)
    assert PrivateKey.objects.count() == 0


def test_it_clones_with_new_secret_same_name_and_scopes(key_and_secret, admin):
    key, secret = key_and_secret
    clone, clone_secret = key.clone(by=admin)
    assert clone_secret != secret and clone.digest != key.digest
    assert (clone.name, clone.scopes, clone.cloned_from) == (key.name, key.scopes, key)
    for event in (key.events.get(action="cloned"), clone.events.get(action="cloned")):
        assert (event.actor, event.actor_label) == (admin, admin.email)


def test_it_refuses_to_clone_a_key_deleted_meanwhile(key_and_secret, admin):
    key, _ = key_and_secret
    PrivateKey.objects.filter(pk=key.pk).delete()  # another request deleted it after this copy was read
    with pytest.raises(PrivateKey.DoesNotExist):
        key.clone(by=admin)
    assert not PrivateKey.objects.exists()
    assert not KeyEvent.objects.filter(action=KeyEvent.Action.CLONED).exists()


def test_it_deactivates_idempotently_with_one_event(key_and_secret, owner):
    key, _ = key_and_secret
    assert key.deactivate(by=owner, reason="leaked") is True
    assert key.deactivate(by=owner, reason="again") is False
    key.refresh_from_db()
    assert not key.is_active and key.deactivation_reason == "leaked"
    assert key.events.filter(action="deactivated").count() == 1


def test_it_reactivates_only_inactive_keys(key_and_secret, owner):
    key, _ = key_and_secret
    with pytest.raises(KeyStateError):
        key.reactivate(by=owner)
    key.deactivate(by=owner)
    key.reactivate(by=owner)
    key.refresh_from_db()
    assert key.is_active
    assert key.events.filter(action="reactivated").count() == 1


def test_it_deletes_only_inactive_keys_and_keeps_events(key_and_secret, owner):
    key, _ = key_and_secret
    with pytest.raises(KeyStateError):
        key.remove(by=owner)
    key.deactivate(by=owner)
    key.remove(by=owner)
    assert not PrivateKey.objects.filter(pk=key.pk).exists()
    actions = list(KeyEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["created", "deactivated", "deleted"]


def test_it_finds_a_key_by_secret_and_rehashes_old_pepper(key_and_secret, settings):
    key, secret = key_and_secret
    assert PrivateKey.objects.for_secret(secret) == key
    settings.API_KEY_PEPPERS = ["new-pepper", *settings.API_KEY_PEPPERS]
    found = PrivateKey.objects.for_secret(secret)
    assert found == key
    found.refresh_from_db()
    assert found.pepper_id == secrets.pepper_id("new-pepper")
    assert found.digest == secrets.digest(secret, "new-pepper")


def test_it_finds_nothing_for_a_bad_checksum_without_a_query(key_and_secret, django_assert_num_queries):
    _, secret = key_and_secret
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    with django_assert_num_queries(0):
        assert PrivateKey.objects.for_secret(tampered) is None


def test_it_reports_levels_per_resource_including_one_way_resources():
    levels = dict((r.name, level) for r, level in scopes.levels_of(["accounts:read", "data-privacy:write"]))
    assert levels["accounts"] == "read"
    assert levels["data-privacy"] == "full"
    assert levels["lists"] == "none"
    full = dict((r.name, level) for r, level in scopes.levels_of(scopes.FULL_ACCESS))
    assert full["lists"] == "full" and full["accounts"] == "read"


@pytest.mark.parametrize("name", ["Zapier\r\nBcc: someone@evil.test", "Zap\tier", "Zap\u202eier"])
def test_it_refuses_a_name_with_control_characters(account, owner, name):
    with pytest.raises(ValueError, match="line breaks"):
        PrivateKey.objects.issue(account, name, scopes.READ_ONLY, owner)
    assert PrivateKey.objects.count() == 0


def test_it_refuses_a_deactivation_reason_with_control_characters(key_and_secret, owner):
    key, _ = key_and_secret
    with pytest.raises(ValueError, match="line breaks"):
        key.deactivate(by=owner, reason="Leaked\nBcc: someone@evil.test")
    key.refresh_from_db()
    assert key.is_active and not KeyEvent.objects.filter(action="deactivated").exists()


def test_it_keeps_the_reason_of_a_leak_on_one_line_whatever_the_url_holds(key_and_secret):
    key, _ = key_and_secret
    key.mark_leaked("https://example.test/a\r\nBcc: someone@evil.test")
    key.refresh_from_db()
    assert key.deactivation_reason == "Leaked: https://example.test/aBcc: someone@evil.test"
