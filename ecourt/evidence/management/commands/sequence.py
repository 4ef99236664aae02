"""``ecourt sequence``: run the evidence log's sequencer on its own (``ecourt worker`` runs
it too). ``--once`` integrates what is pending and stops."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ecourt.evidence.sequencer import sequence_forever
from ecourt.evidence.services.log import log_integrate_all


class Command(BaseCommand):
    help = "Integrate pending evidence deposits into the log under signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Integrate what is pending, then stop."
        )
        parser.add_argument("--period-ms", type=int, default=None, help="Batch period (ms).")
        parser.add_argument("--batch-size", type=int, default=None, help="Deposits per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            n = log_integrate_all(limit=options["batch_size"])
            self.stdout.write(f"integrated {n} deposit(s)")
            return
        if options["batch_size"]:
            from django.conf import settings

            settings.ECOURT_LOG_BATCH_SIZE = options["batch_size"]
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        sequence_forever(stop, period_ms=options["period_ms"])
