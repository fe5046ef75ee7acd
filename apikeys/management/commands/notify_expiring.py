"""Email owners and admins about keys that stop working within EXPIRY_WARNING: run once a day (cron).

Each key is announced once (``PrivateKey.announce_expiry``), so a second run, or two runs at once, send
nothing more. A rolled key is announced too, as a reminder to move what still uses it to its replacement
before its grace period ends.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from apikeys.forms import lifetime_label
from apikeys.models import EXPIRY_WARNING, PrivateKey


class Command(BaseCommand):
    help = (
        "Email the owners and admins of accounts whose API keys expire within "
        f"{lifetime_label(EXPIRY_WARNING)} (once per key)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        due = (
            PrivateKey.objects.expiring(EXPIRY_WARNING, now=now)
            .filter(expiry_notified_at__isnull=True)
            .select_related("account", "rolled_to")
        )
        sent = sum(key.announce_expiry(now=now) for key in due)
        noun = "key" if sent == 1 else "keys"
        self.stdout.write(f"Announced {sent} {noun} expiring within {lifetime_label(EXPIRY_WARNING)}.")
