"""``ecourt worker``: the django-tasks-db worker plus a sweeper for outbound messages.

A message row is committed before its task is enqueued (on commit). If the process dies in
between, or a worker dies while sending, the row would wait forever; the sweeper re-enqueues
such rows, so every acknowledged message is sent at least once. The same loop ends
mediations whose period ran out (``ecourt.mediation.services.mediations_expire``) and sweeps
deliveries (``ecourt.delivery.services.dispatch.deliveries_sweep``: interrupted rounds are
recorded and requeued; retries and texts held over quiet hours go out when due). A second
thread runs the evidence log's sequencer (``ecourt.evidence.sequencer``); the sweep also
clears what unfinished evidence uploads left, hourly, and folds the visitor keys of days that
have ended into daily counts (``ecourt.stats.visits.visits_fold``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from ecourt.core.services import messages_sweep
from ecourt.delivery.services.dispatch import deliveries_sweep
from ecourt.documents.decisions import decisions_settle
from ecourt.evidence.sequencer import sequence_forever
from ecourt.evidence.services.uploads import evidence_cleanup
from ecourt.mediation.services import mediations_expire
from ecourt.stats.visits import visits_fold

logger = logging.getLogger("ecourt.worker")

SWEEP_EVERY_SECONDS = 30.0


CLEANUP_EVERY_SECONDS = 3600.0


def _sweep_forever(stop: threading.Event) -> None:
    last_cleanup = 0.0
    while not stop.wait(SWEEP_EVERY_SECONDS):
        try:
            close_old_connections()
            # Only when the queue is drained: a backlog is not a lost message.
            if DBTaskResult.objects.ready().exists():
                continue
            requeued = messages_sweep()
            if requeued:
                logger.warning("re-enqueued %d outbound message(s) left behind", requeued)
            # Deliveries: interrupted rounds recorded and requeued, due retries dispatched.
            swept = deliveries_sweep()
            if any(swept.values()):
                logger.info("delivery sweep: %s", swept)
            # Decisions no party appealed within its period take effect; the case closes.
            settled = decisions_settle()
            if settled:
                logger.info("%d decision(s) took effect; case(s) closed", settled)
            # Mediations whose period ended go back to filing review (idempotent).
            ended = mediations_expire()
            if ended:
                logger.info("ended %d mediation(s) whose period ran out", ended)
            # What failed or abandoned evidence uploads left behind (storage scan: hourly).
            if time.monotonic() - last_cleanup >= CLEANUP_EVERY_SECONDS:
                last_cleanup = time.monotonic()
                removed = evidence_cleanup()
                if removed:
                    logger.info("removed %d file(s) left by unfinished evidence uploads", removed)
            # Visitor keys of days that ended become daily counts; the keys and salts go.
            folded = visits_fold()
            if folded:
                logger.info("folded the visitor keys of %d day(s)", folded)
        except Exception:  # the sweeper must never take the worker down
            logger.exception("outbound message sweep failed")
        finally:
            close_old_connections()


class Command(DbWorkerCommand):
    help = "Run background tasks (deliveries, messages) and re-enqueue any left behind."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        # With --reload the parent only watches files; the sweeper belongs in the child.
        if not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            threading.Thread(target=_sweep_forever, args=(stop,), daemon=True).start()
            # The evidence log's sequencer: pending deposits under a new checkpoint.
            threading.Thread(target=sequence_forever, args=(stop,), daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
