"""The Support group comes from a data migration, so every deployment has it after `migrate`."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection

# The app's migration: its own permissions and viewing the account model (APIKEYS_ACCOUNT_MODEL).
FROM_THE_APP = {
    "accounts.view_account",
    "apikeys.view_privatekey",
    "apikeys.view_keyevent",
    "apikeys.deactivate_privatekey",
}
# This project's migration adds its own models (accounts 0003).
EXPECTED = FROM_THE_APP | {"accounts.view_membership", "accounts.view_user"}


def support_permissions():
    group = Group.objects.get(name="Support")
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db(transaction=True)
def test_it_exists_after_migrate_with_the_expected_permissions():
    # No support_group fixture (it would make the group itself): delete the group, unapply the data
    # migration and apply it again with `migrate`, so only the migration can bring the group back.
    Group.objects.filter(name="Support").delete()
    try:
        call_command("migrate", "apikeys", "0001", verbosity=0)
        assert not Group.objects.filter(name="Support").exists()
        call_command("migrate", "apikeys", verbosity=0)
        assert support_permissions() == FROM_THE_APP
        call_command("migrate", verbosity=0)
        assert support_permissions() == EXPECTED
    finally:
        call_command("migrate", verbosity=0)  # later tests need every migration applied


def test_it_gives_support_staff_exactly_these_permissions(support):
    assert support.get_all_permissions() == EXPECTED
    assert not support.has_perm("apikeys.change_privatekey")
    assert not support.has_perm("accounts.change_account")


def test_it_creates_the_permissions_it_needs_before_post_migrate(db):
    # On a fresh database, permissions appear only after every migration (post_migrate): the
    # migration must create them itself. Rebuild that situation and run it again.
    Group.objects.filter(name="Support").delete()
    Permission.objects.filter(content_type__app_label__in=["accounts", "apikeys"]).delete()
    migration = importlib.import_module("apikeys.migrations.0002_support_group")
    schema_editor = SimpleNamespace(connection=connection)  # all the function uses of it
    migration.create_support_group(apps, schema_editor)
    migration.create_support_group(apps, schema_editor)  # safe to run twice
    assert support_permissions() == FROM_THE_APP
    assert Group.objects.filter(name="Support").count() == 1


def test_it_keeps_permissions_an_operator_added(support_group):
    support_group.permissions.add(Permission.objects.get(codename="change_account"))
    migration = importlib.import_module("apikeys.migrations.0002_support_group")
    migration.create_support_group(apps, SimpleNamespace(connection=connection))
    assert support_permissions() == EXPECTED | {"accounts.change_account"}
