"""Upgrading a database built at 0.1's migrations (apikeys 0003, accounts 0002) loses no key, event, usage."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apikeys.models import KeyEvent, KeyUsage, PrivateKey

RELEASE_0_1 = [
    ("accounts", "0002_members_invitations_and_activity"),
    ("apikeys", "0003_roll_expiry_allowlist_usage_scanning"),
]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_key_event_and_usage_row():
    executor = MigrationExecutor(connection)
    executor.migrate(RELEASE_0_1)
    old = executor.loader.project_state(RELEASE_0_1).apps
    account = old.get_model("accounts", "Account").objects.create(name="Acme", public_key="AbC123")
    key = old.get_model("apikeys", "PrivateKey").objects.create(
        account=account, name="Zapier", scopes=["lists:read"], digest="d" * 64, pepper_id="p1", hint="wxyz"
    )
    old.get_model("apikeys", "KeyEvent").objects.create(
        account=account,
        key=key,
        key_public_id=key.public_id,
        key_name="Zapier",
        key_hint="wxyz",
        action="created",
    )
    old.get_model("apikeys", "KeyUsage").objects.create(key=key, day=date(2026, 12, 1), requests=42)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    upgraded = PrivateKey.objects.select_related("account").get()
    assert (upgraded.public_id, upgraded.name, upgraded.scopes) == (key.public_id, "Zapier", ["lists:read"])
    assert (upgraded.digest, upgraded.account.public_key) == ("d" * 64, "AbC123")
    assert KeyEvent.objects.get().key == upgraded
    assert KeyUsage.objects.get().requests == 42
