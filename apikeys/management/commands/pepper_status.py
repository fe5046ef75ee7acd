"""Report how many keys rest on each pepper, so an operator knows when an old pepper can be dropped.

A key moves to the current pepper only when it is next used (``PrivateKey.objects.for_secret`` re-digests
it), since the server never holds a secret to re-digest it with. An old pepper can leave
``API_KEY_PEPPERS`` once no key rests on it, inactive keys included: an inactive key on a dropped pepper
could be reactivated but would never authenticate again. Keys on a pepper no longer configured are shown
as a warning: they are refused until that pepper comes back. Peppers are named by id, never printed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from apikeys import secrets
from apikeys.models import PrivateKey


class Command(BaseCommand):
    help = "Show how many keys rest on each pepper and whether an old pepper can be dropped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit with status 1 unless every key rests on the current pepper.",
        )

    def handle(self, *args, check=False, **options):
        totals = PrivateKey.objects.pepper_counts()
        active = {
            row["pepper_id"]: row["n"]
            for row in PrivateKey.objects.active().values("pepper_id").annotate(n=Count("id")).order_by()
        }
        configured = [pepper_id for pepper_id, _ in secrets.peppers()]

        def line(pepper_id: str, role: str) -> str:
            total, live = totals.get(pepper_id, 0), active.get(pepper_id, 0)
            return f"  {pepper_id}  {role:<7} {total:>6} keys ({live} active, {total - live} inactive)"

        self.stdout.write("Peppers in API_KEY_PEPPERS, newest first:")
        self.stdout.write(line(configured[0], "current"))
        in_use = [pepper_id for pepper_id in configured[1:] if totals.get(pepper_id)]
        for pepper_id in configured[1:]:
            if pepper_id in in_use:
                note = self.style.WARNING("keep it: its keys move to the current pepper when next used")
            else:
                note = self.style.SUCCESS("can be dropped")
            self.stdout.write(f"{line(pepper_id, 'old')}  {note}")

        unknown = sorted(set(totals) - set(configured))
        if unknown:
            self.stdout.write(
                self.style.ERROR("Keys on peppers no longer configured, refused until restored:")
            )
            for pepper_id in unknown:
                self.stdout.write(line(pepper_id, "gone"))

        if in_use:
            self.stdout.write(f"Old peppers still needed: {', '.join(in_use)}.")
        elif not unknown:
            self.stdout.write(
                self.style.SUCCESS("Every key rests on the current pepper: no old pepper is needed.")
            )
        if check and (in_use or unknown):
            raise CommandError("Some keys do not rest on the current pepper.", returncode=1)
