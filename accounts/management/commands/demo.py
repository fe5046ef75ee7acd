"""Seed the demo accounts and users; safe to run again (it creates nothing twice)."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo_keys
from accounts.models import Account, Membership, User
from accounts.roles import Role
from apikeys import notifications

DEMO_MEMBERS = {
    "Demo Store": [
        ("owner@demo.test", "Olivia Owner", Role.OWNER),
        ("admin@demo.test", "Adam Admin", Role.ADMIN),
        ("manager@demo.test", "Maria Manager", Role.MANAGER),
        ("analyst@demo.test", "Ana Analyst", Role.ANALYST),
    ],
    "Other Shop": [
        ("other@demo.test", "Oscar Other", Role.OWNER),
    ],
}
SUPPORT_EMAIL = "support@demo.test"
KEYS_ACCOUNT = "Demo Store"  # gets a key of each kind with a month of history, the first time


class Command(BaseCommand):
    help = "Create the demo accounts and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo login (default: random).")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(12)
        for account_name, members in DEMO_MEMBERS.items():
            account, _ = Account.objects.get_or_create(name=account_name)
            # Ownership may have moved while someone tried the demo: hand it back without ever
            # having two owners (the database refuses that).
            demo_owner = next(email for email, _, role in members if role == Role.OWNER)
            account.memberships.filter(role=Role.OWNER).exclude(user__email=demo_owner).update(
                role=Role.ADMIN
            )
            users = {}
            for email, name, role in members:
                user = users[role] = self._user(email, name, password)
                Membership.objects.update_or_create(user=user, account=account, defaults={"role": role})
            if account_name == KEYS_ACCOUNT:
                with notifications.muted():  # a made-up month of history, not news for anyone's inbox
                    demo_keys.seed(account, users[Role.OWNER], users[Role.ADMIN])
        support = self._user(SUPPORT_EMAIL, "Sam Support", password, is_staff=True)
        support_group = Group.objects.filter(name="Support").first()
        if support_group:
            support.groups.add(support_group)

        port = os.environ.get("PORT") or "8000"  # the port `make run` serves on
        self.stdout.write(f"Keyward demo is ready: http://127.0.0.1:{port}/login/")
        for members in DEMO_MEMBERS.values():
            for email, _, role in members:
                self.stdout.write(f"  {email:<22} {role.label:<8} password: {password}")
        self.stdout.write(f"  {SUPPORT_EMAIL:<22} staff    password: {password}  (/admin/)")
        self.stdout.write("  Staff set up two-factor log-in at /security/ before the admin lets them in.")

    def _user(self, email, name, password, is_staff=False):
        user, _ = User.objects.get_or_create(email=email, defaults={"name": name})
        user.name = name
        user.is_staff = is_staff
        user.set_password(password)
        user.save()
        return user
