"""Email owners and admins about keys that stop working within 7 days: run once a day (cron).

Each key is announced once: ``expiry_notified_at`` is claimed with a conditional UPDATE before its email is
sent, so a second run, or two runs at once, send nothing more. A rolled key is announced too, as a reminder
to move what still uses it to its replacement before its grace period ends. Links use ``SITE_URL``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from apikeys import notifications
from apikeys.models import EXPIRY_WARNING, PrivateKey


class Command(BaseCommand):
    help = "Email the owners and admins of accounts whose API keys expire within 7 days (once per key)."

    def handle(self, *args, **options):
        now = timezone.now()
        due = (
            PrivateKey.objects.expiring(EXPIRY_WARNING, now=now)
            .filter(expiry_notified_at__isnull=True)
            .select_related("account", "rolled_to")
        )
        sent = 0
        for key in due:
            claimed = PrivateKey.objects.filter(pk=key.pk, expiry_notified_at__isnull=True).update(
                expiry_notified_at=now
            )
            if claimed:
                notifications.key_changed(key, "expiring")
                sent += 1
        noun = "key" if sent == 1 else "keys"
        self.stdout.write(f"Announced {sent} {noun} expiring within 7 days.")
