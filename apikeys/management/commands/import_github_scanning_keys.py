"""Import the public keys GitHub signs secret scanning alerts with, from a file or stdin.

The alert endpoint never fetches them (docs/decisions/secret-scanning.md); import again when GitHub rotates:

    curl -s https://api.github.com/meta/public_keys/secret_scanning > github-keys.json
    python manage.py import_github_scanning_keys github-keys.json
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from apikeys import scanning


class Command(BaseCommand):
    help = "Import GitHub's secret scanning public keys from its published JSON (a file, or - for stdin)."
    stealth_options = ("stdin",)  # a stream to read instead of sys.stdin (tests)

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default="-", help="The public keys JSON file; - or nothing reads stdin."
        )

    def handle(self, *args, path="-", **options):
        try:
            if path == "-":
                text = (options.get("stdin") or sys.stdin).read()
            else:
                with open(path, encoding="utf-8") as file:
                    text = file.read()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            imported, removed = scanning.import_public_keys(json.loads(text))
        except json.JSONDecodeError as error:
            raise CommandError(f"Not JSON: {error}") from None
        except ValueError as error:
            raise CommandError(f"Nothing imported: {error}") from None
        noun = "key" if imported == 1 else "keys"
        self.stdout.write(
            f"Imported {imported} GitHub secret scanning public {noun}; "
            f"removed {removed} no longer published."
        )
