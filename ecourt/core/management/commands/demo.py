from __future__ import annotations

import argparse
import sys
from time import perf_counter
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
        parser.add_argument(
            "--scenario",
            choices=["press-2018"],
            help="Instead of the demo people and cases, build a whole court: press-2018 is the "
            "reference court's first 53 days (figures in docs/statistics.md).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="With --scenario: build it this many times over (100 gives 549,700 applications).",
        )
        parser.add_argument("--seed", type=int, default=2018, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["forced"]:
            raise CommandError(
                "Demo data has known passwords. Run it only with ECOURT_DEBUG=1, or pass "
                "--i-know-this-is-not-production on a server that is not in service."
            )
        if options["scenario"]:
            self._scenario(options["scale"], options["seed"])
            return
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

    def _scenario(self, scale: int, seed: int) -> None:
        from ecourt.core import scenario_press

        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        if scenario_press.is_loaded():
            raise CommandError(
                "The press-2018 scenario is already in this database; build it into an empty "
                "one (figures would double otherwise)."
            )
        started = perf_counter()
        try:
            with translation.override("zh-hans"):
                figures = scenario_press.build(scale=scale, seed=seed, out=sys.stderr)
        except scenario_press.ScenarioUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"press-2018 x{scale} built in {perf_counter() - started:,.0f} s: "
            f"{figures.applications:,} applications, {figures.diverted_to_adr:,} diverted, "
            f"{figures.filed:,} filed, {figures.closed:,} closed, "
            f"{figures.registered_users:,} users, {figures.visits:,} visits "
            "(see /stats/?from=2018-09-09&until=2018-10-31)."
        )
