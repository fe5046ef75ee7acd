"""apikeys.verification: the one hand-written SQL statement, on whichever database the tests run."""

import uuid
from datetime import timedelta

from django.db.models.signals import post_init

from apikeys import secrets
from apikeys.models import PrivateKey
from apikeys.verification import KEY_FIELDS, find, verify


def test_it_returns_the_key_with_its_account_in_one_query(full_key, account, django_assert_num_queries):
    key, secret = full_key
    with django_assert_num_queries(1):
        found = verify(secret)
        assert found.account == account and found.account.public_key == account.public_key
    assert found.pk == key.pk
    assert found.public_id == key.public_id and isinstance(found.public_id, uuid.UUID)
    assert found.scopes == key.scopes and isinstance(found.scopes, list)
    assert found.created_at == key.created_at and found.created_at.tzinfo is not None
    assert found.last_used_at is None and found.is_active
    assert found.has_scope("lists:write") and not found._state.adding
    # What requests need is read; the rest loads when asked for.
    assert found.get_deferred_fields() == {
        f.attname for f in PrivateKey._meta.concrete_fields if f.name not in KEY_FIELDS
    }
    assert found.account.get_deferred_fields() == set()
    assert found.account.created_at == account.created_at and found.account.created_at.tzinfo


def test_it_reads_back_a_recorded_use(full_key):
    key, secret = full_key
    key.record_use("2001:db8::1", "curl")
    found = verify(secret)
    assert found.last_used_at == key.last_used_at
    assert (found.last_used_ip, found.last_used_user_agent) == ("2001:db8::1", "curl")


def test_it_finds_no_inactive_key(full_key, owner):
    key, secret = full_key
    key.deactivate(by=owner)
    assert verify(secret) is None


def test_it_finds_the_key_an_inactive_or_expired_secret_belongs_to_in_one_query(
    full_key, owner, django_assert_num_queries
):
    key, secret = full_key
    key.roll(by=owner, grace=timedelta(0))
    with django_assert_num_queries(1):
        expired = find(secret)
    key.deactivate(by=owner)
    inactive = find(secret)
    assert (expired.pk, expired.is_usable, expired.status) == (key.pk, False, PrivateKey.Status.ROLLED)
    assert (inactive.pk, inactive.is_active) == (key.pk, False)
    assert inactive.last_refused_at is None and "last_refused_at" not in inactive.get_deferred_fields()


def test_it_finds_nothing_for_an_unknown_secret(db):
    assert find(secrets.generate()) is None


def test_it_finds_nothing_for_malformed_secrets_without_a_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        for secret in ("", "pk_", "x" * 37, secrets.generate()[:-1] + "!", None, 42):
            assert verify(secret) is None


def test_it_tells_keys_apart(account, other_account, owner):
    mine, my_secret = PrivateKey.objects.issue(account, "Mine", ["lists:read"], owner)
    theirs, their_secret = PrivateKey.objects.issue(other_account, "Theirs", ["lists:read"], None)
    assert verify(my_secret).account == account
    assert verify(their_secret).account == other_account


def test_it_makes_the_same_instances_as_the_orm(full_key, owner):
    key, secret = full_key
    key.record_use("192.0.2.1", "curl")
    found, loaded = verify(secret), PrivateKey.objects.select_related("account").get()
    for model_field in PrivateKey._meta.concrete_fields:
        assert getattr(found, model_field.attname) == getattr(loaded, model_field.attname), model_field.name
    for model_field in type(loaded.account)._meta.concrete_fields:
        assert getattr(found.account, model_field.attname) == getattr(loaded.account, model_field.attname)
    assert found == loaded and found._state.db == "default"
    assert found.deactivate(by=owner) is True  # verbs work on it like on any instance
    assert verify(secret) is None


def test_it_lets_init_receivers_see_the_instances(full_key):
    _, secret = full_key
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=PrivateKey)
    try:
        found = verify(secret)
    finally:
        post_init.disconnect(receiver, sender=PrivateKey)
    assert seen == [found] and found.name == "Full" and found.account.name == "Acme"
