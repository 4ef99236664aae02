"""The sequencer loop: integrate pending deposits every ``ECOURT_LOG_BATCH_PERIOD_MS``.

It runs as a thread of ``ecourt worker`` and as ``ecourt sequence`` on its own. Running two
is safe (the compare-and-swap on ``LogHead`` rolls the loser back), only wasteful.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, close_old_connections

from ecourt.evidence.services.log import LogRaced, log_integrate

logger = logging.getLogger("ecourt.evidence.sequencer")


def sequence_once() -> int:
    """One batch; 0 when nothing was pending or another sequencer won the race."""
    try:
        return log_integrate()
    except LogRaced as exc:
        logger.warning("sequencer lost a race: %s", exc)
        return 0


def sequence_forever(stop: threading.Event, *, period_ms: int | None = None) -> None:
    period = (period_ms or settings.ECOURT_LOG_BATCH_PERIOD_MS) / 1000
    while not stop.is_set():
        integrated = 0
        try:
            close_old_connections()
            integrated = sequence_once()
            if integrated:
                logger.info("integrated %d deposit(s)", integrated)
        except ImproperlyConfigured as exc:
            logger.error("the evidence log cannot sign: %s", exc)
            stop.wait(60)
        except DatabaseError:
            logger.exception("sequencer batch failed; retrying")
        finally:
            close_old_connections()
        # A full batch means more is waiting: go again at once.
        if integrated < settings.ECOURT_LOG_BATCH_SIZE:
            stop.wait(period)
