"""The "Support" group and its permissions, so that every deployment has it after `migrate`.

Support staff (is_staff users in this group) look at accounts, keys and key activity in the admin, and may
deactivate a key; they change nothing else. A host adds its own view permissions (members, users) in a
migration of its own. Django creates permissions on post_migrate,
after every migration has run, so this migration creates the ones it needs first. It adds permissions to an
existing group and removes none, so an operator's additions survive.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from apikeys import conf

SUPPORT_GROUP = "Support"
SUPPORT_PERMISSIONS = [
    ("apikeys", "view_privatekey"),
    ("apikeys", "view_keyevent"),
    ("apikeys", "deactivate_privatekey"),
]


def support_permissions() -> list[tuple[str, str]]:
    """The app's own permissions, and viewing the account model (the host may add more to the group)."""
    app_label, model = conf.account_model_label().lower().split(".")
    return [(app_label, f"view_{model}"), *SUPPORT_PERMISSIONS]


def create_support_group(apps, schema_editor):
    using = schema_editor.connection.alias
    for app_label in sorted({app_label for app_label, _ in support_permissions()}):
        create_permissions(global_apps.get_app_config(app_label), verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=SUPPORT_GROUP)
    for app_label, codename in support_permissions():
        group.permissions.add(
            Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(conf.account_model_label()),
        ("apikeys", "0001_private_keys"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="privatekey",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [("deactivate_privatekey", "Can deactivate private keys")],
            },
        ),
        migrations.RunPython(create_support_group, migrations.RunPython.noop),
    ]
