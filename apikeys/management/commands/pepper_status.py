"""Report how many keys rest on each pepper, so an operator knows when an old pepper can be dropped.

An old pepper is needed while an active or inactive key rests on it; ``--check`` exits with status 1 until
none is. Peppers are named by id, never printed. Why inactive keys count:
docs/decisions/digests-and-peppers.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from apikeys import secrets
from apikeys.models import PrivateKey, unexpired_condition, usable_condition


@dataclass(frozen=True)
class Keys:
    """The keys resting on one pepper."""

    total: int = 0
    active: int = 0  # usable: they move to the current pepper when next used
    inactive: int = 0  # deactivated but may be reactivated: they never move

    @property
    def dead(self) -> int:
        """Expired or leaked: they never work again, whatever the pepper."""
        return self.total - self.active - self.inactive

    @property
    def need_pepper(self) -> bool:
        return bool(self.active or self.inactive)


def keys_per_pepper() -> dict[str, Keys]:
    """Return the keys on each pepper id, in one query."""
    not_expired = unexpired_condition()
    rows = (
        PrivateKey.objects.values("pepper_id")
        .annotate(
            total=Count("id"),
            active=Count("id", filter=usable_condition()),
            inactive=Count(
                "id", filter=not_expired & Q(deactivated_at__isnull=False, leaked_at__isnull=True)
            ),
        )
        .order_by()
    )
    return {row.pop("pepper_id"): Keys(**row) for row in rows}


def _count(n: int, adjective: str) -> str:
    return f"{n} {adjective} key{'' if n == 1 else 's'}"


class Command(BaseCommand):
    help = "Show how many keys rest on each pepper and whether an old pepper can be dropped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit with status 1 while an active or inactive key needs an old or missing pepper.",
        )

    def handle(self, *args, check=False, **options):
        counts = keys_per_pepper()
        configured = [pepper_id for pepper_id, _ in secrets.peppers()]

        def line(pepper_id: str, role: str) -> str:
            keys = counts.get(pepper_id, Keys())
            return (
                f"  {pepper_id}  {role:<7} {keys.total:>6} keys ({keys.active} active, "
                f"{keys.inactive} inactive, {keys.dead} expired or leaked)"
            )

        self.stdout.write("Peppers in API_KEY_PEPPERS, newest first:")
        self.stdout.write(line(configured[0], "current"))
        needed = [pepper_id for pepper_id in configured[1:] if counts.get(pepper_id, Keys()).need_pepper]
        for pepper_id in configured[1:]:
            keys = counts.get(pepper_id, Keys())
            if not keys.need_pepper:
                self.stdout.write(f"{line(pepper_id, 'old')}  {self.style.SUCCESS('can be dropped')}")
                continue
            self.stdout.write(f"{line(pepper_id, 'old')}  {self.style.WARNING('keep it')}")
            if keys.active:
                self.stdout.write(
                    f"    {_count(keys.active, 'active')}: moved to the current pepper when next used."
                )
            if keys.inactive:
                them = "it" if keys.inactive == 1 else "them"
                self.stdout.write(
                    self.style.WARNING(
                        f"    {_count(keys.inactive, 'inactive')}: never moved, as the API refuses inactive "
                        f"keys. Delete {them}, or reactivate and use {them}, before dropping this pepper: "
                        f"reactivated after it is gone, {them} would fail every request."
                    )
                )

        unknown = sorted(set(counts) - set(configured))
        if unknown:
            self.stdout.write(
                self.style.ERROR("Keys on peppers no longer configured, refused until restored:")
            )
            for pepper_id in unknown:
                self.stdout.write(line(pepper_id, "gone"))
        missing = [pepper_id for pepper_id in unknown if counts[pepper_id].need_pepper]

        if needed:
            self.stdout.write(f"Old peppers still needed: {', '.join(needed)}.")
        elif not missing:
            self.stdout.write(
                self.style.SUCCESS(
                    "No old pepper is needed: every key that can still work rests on the current one."
                )
            )
        if check and (needed or missing):
            raise CommandError(
                "Some keys that can still work do not rest on the current pepper.", returncode=1
            )
