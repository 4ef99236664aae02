from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from ecourt.core.demo import loaders


class Command(BaseCommand):
    help = "Create demo accounts (one per role) and demo data. Idempotent. Never in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="forced",
            help="Allow running with ECOURT_DEBUG off (for a staging server).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["forced"]:
            raise CommandError(
                "Demo data has known passwords. Run it only with ECOURT_DEBUG=1, or pass "
                "--i-know-this-is-not-production on a server that is not in service."
            )
        rows: list[dict[str, str]] = []
        # The printed table (and README) use English role names; columns line up in ASCII.
        with transaction.atomic(), translation.override("en"):
            for load in loaders():
                rows.extend(load())
        self.stdout.write("")
        self.stdout.write("Demo logins (password for all: see below)")
        width = max((len(r["role"]) for r in rows), default=10)
        for row in rows:
            extra = f"  TOTP key {row['totp']}" if row.get("totp") else ""
            self.stdout.write(f"  {row['role']:<{width}}  {row['login']:<16} {row['name']}{extra}")
        if rows:
            self.stdout.write(f"  password: {rows[0]['password']}")
            self.stdout.write(
                "  Staff also need a TOTP code: add the key to an authenticator app, or run "
                "'ECOURT_DEBUG=1 .venv/bin/ecourt totp-code <login>' (demo accounts only)."
            )
