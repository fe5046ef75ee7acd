"""Support staff also see members and users: this project's part of the "Support" group.

The API keys app's own migration (apikeys 0002) gives the group the app's permissions and viewing accounts;
members and users are this project's models, so their view permissions are added here. Adds, never removes.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_account", "view_membership", "view_user"]


def add_permissions(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("accounts"), verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name="Support")
    for codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.using(using).get(content_type__app_label="accounts", codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_members_invitations_and_activity"),
        ("apikeys", "0002_support_group"),
    ]

    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
