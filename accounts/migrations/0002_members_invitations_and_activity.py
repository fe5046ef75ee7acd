"""Users tab: a public id for memberships, invitations, and the account activity log.

Existing memberships get their own random public_id in three steps (add nullable, fill, make unique),
because a column default would give every existing row the same UUID.
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


def fill_membership_public_ids(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    for membership in Membership.objects.filter(public_id__isnull=True).only("pk"):
        membership.public_id = uuid.uuid4()
        membership.save(update_fields=["public_id"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='public_id',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_membership_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='membership',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.CreateModel(
            name='AccountEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('invited', 'Invited'), ('invitation_resent', 'Invitation resent'), ('invitation_revoked', 'Invitation revoked'), ('invitation_accepted', 'Invitation accepted'), ('member_added', 'Member added'), ('role_changed', 'Role changed'), ('member_removed', 'Member removed'), ('member_left', 'Member left'), ('ownership_transferred', 'Ownership transferred')], max_length=32)),
                ('actor_label', models.CharField(blank=True, help_text="The actor's email, kept if the user is deleted.", max_length=254)),
                ('target_label', models.CharField(blank=True, help_text="The member's or invitee's email.", max_length=254)),
                ('old_role', models.CharField(blank=True, choices=[('owner', 'Owner'), ('admin', 'Admin'), ('manager', 'Manager'), ('analyst', 'Analyst'), ('campaign_coordinator', 'Campaign coordinator'), ('content_creator', 'Content creator'), ('support', 'Support')], max_length=32)),
                ('new_role', models.CharField(blank=True, choices=[('owner', 'Owner'), ('admin', 'Admin'), ('manager', 'Manager'), ('analyst', 'Analyst'), ('campaign_coordinator', 'Campaign coordinator'), ('content_creator', 'Content creator'), ('support', 'Support')], max_length=32)),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='accounts.account')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('target_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['account', 'created_at'], name='accountevent_account_created')],
            },
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('email', models.EmailField(max_length=254)),
                ('role', models.CharField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('manager', 'Manager'), ('analyst', 'Analyst'), ('campaign_coordinator', 'Campaign coordinator'), ('content_creator', 'Content creator'), ('support', 'Support')], max_length=32)),
                ('token_digest', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='accounts.account')),
                ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-sent_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True)), fields=('account', 'email'), name='invitation_one_pending_per_email'), models.CheckConstraint(condition=models.Q(('role__in', ['admin', 'manager', 'analyst', 'campaign_coordinator', 'content_creator', 'support'])), name='invitation_role_not_owner')],
            },
        ),
    ]
