"""Counting visits without a database write per request, and without storing who visited.

The middleware adds each page view to this process's ``VisitBuffer`` (a counter per court day
and page group, and a set of visitor digests) under a lock: no query, no I/O. A daemon thread
per process writes the buffer every ``ECOURT_VISIT_FLUSH_SECONDS`` in one transaction of
upserts, and once more when the process exits normally. A crash loses at most the counts of
the last interval; a failed write keeps them in memory for the next try.

Visitors: a visitor is an address and a browser (user agent) on one court day. The buffer holds
only a SHA-256 digest of the two; at flush time the digest is keyed with the day's random salt
(``VisitSalt``, shared by all processes) into a ``VisitorKey``. After the day is over,
``visits_fold`` (run by the worker's sweep) counts the day's keys into ``VisitorDay`` and deletes
the keys and the salt, after which no key can be linked to an address by anyone.

Tests: the flusher thread never starts inside Django's test environment (a second connection
writing behind a test's transaction would lock SQLite and leak rows); tests call
``visit_buffer().flush()`` themselves, in the test's own transaction.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import close_old_connections, connections, router, transaction
from django.db.models import Field, Model, Sum
from django.utils import timezone

from ecourt.stats.models import VisitDay, VisitorDay, VisitorKey, VisitSalt
from ecourt.stats.rules import visitor_key

if TYPE_CHECKING:
    from ecourt.stats.selectors import Period

logger = logging.getLogger(__name__)

#: Distinct visitors one process holds between two flushes (32-byte digests, a few MB at most).
#: Past it, new visitors are not recorded until the next flush; their page views still are.
MAX_PENDING_VISITORS = 100_000

#: A day's visitor keys are folded this long after the day ended, so that what the web
#: processes still held at midnight has been flushed first.
FOLD_AFTER = timedelta(minutes=15)

#: How often an idle flusher looks at the setting again while counting is off.
IDLE_CHECK_SECONDS = 5.0

_ROWS_PER_STATEMENT = 500


@dataclass
class VisitBatch:
    """What a process counted since its last flush."""

    views: Counter[tuple[date, str]] = field(default_factory=Counter)
    visitors: set[tuple[date, bytes]] = field(default_factory=set)

    def is_empty(self) -> bool:
        return not self.views and not self.visitors

    def merge(self, other: VisitBatch, *, max_visitors: int) -> int:
        """Add ``other``'s counts to these. Returns how many visitors did not fit."""
        self.views.update(other.views)
        room = max(0, max_visitors - len(self.visitors))
        new = other.visitors - self.visitors
        if len(new) <= room:
            self.visitors |= new
            return 0
        kept = set(list(new)[:room])
        self.visitors |= kept
        return len(new) - len(kept)


def flush_seconds() -> int:
    """The flush interval; 0 means visits are not counted at all. Read at every use, so it can
    be changed at run time (``override_settings`` in tests and benchmarks)."""
    return int(settings.ECOURT_VISIT_FLUSH_SECONDS)


def _in_test_environment() -> bool:
    """Whether Django's test environment is set up (by its test runner or pytest-django).

    Django marks it only on a private class; ``test_visits`` checks that this still works.
    A server never imports ``django.test``, so it is not imported here just to ask.
    """
    utils = sys.modules.get("django.test.utils")
    return utils is not None and hasattr(utils._TestState, "saved_data")


class VisitBuffer:
    """One process's page-view counts between flushes. ``add`` is the hot path: a lock and a
    few dictionary operations. ``flush`` writes; it never raises.

    ``write`` stores a batch (the database by default; tests pass a failing one).
    ``background``: start the flusher thread on the first count; ``None`` decides by the
    environment (never inside Django's test environment).
    """

    def __init__(
        self,
        *,
        write: Callable[[VisitBatch], None] | None = None,
        background: bool | None = None,
        max_visitors: int = MAX_PENDING_VISITORS,
    ) -> None:
        self._write = write or self._write_to_database
        self._background = background
        self._max_visitors = max_visitors
        self._salts: dict[date, str] = {}
        self._reset_state()

    def _reset_state(self) -> None:
        self._lock = threading.Lock()  # guards _pending and _dropped
        self._flush_lock = threading.Lock()  # one flush at a time (thread, exit, tests)
        self._pending = VisitBatch()
        self._dropped = 0
        self._flusher_pid: int | None = None
        self._stop = threading.Event()

    def after_fork(self) -> None:
        """In a forked child (a gunicorn worker): the parent's counts are the parent's to
        write, its locks may have been held at the fork, and its thread did not come along."""
        self._reset_state()

    def add(self, *, day: date, group: str, visitor: bytes) -> None:
        """Count one page view of ``group`` on ``day`` by the visitor with this digest."""
        with self._lock:
            self._pending.views[(day, group)] += 1
            if len(self._pending.visitors) < self._max_visitors:
                self._pending.visitors.add((day, visitor))
            elif (day, visitor) not in self._pending.visitors:
                self._dropped += 1
        if self._flusher_pid != os.getpid():
            self._start_flusher()

    def snapshot(self) -> VisitBatch:
        """A copy of what is waiting to be written (tests, benchmarks)."""
        with self._lock:
            return VisitBatch(
                views=Counter(self._pending.views), visitors=set(self._pending.visitors)
            )

    def flush(self) -> int:
        """Write what was counted since the last flush in one transaction. Returns the page
        views written. On failure the batch goes back into the buffer (merged with what was
        counted meanwhile) and a warning is logged."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, VisitBatch()
                dropped, self._dropped = self._dropped, 0
            if dropped:
                logger.warning("visit buffer full: %d visitor(s) not recorded", dropped)
            if batch.is_empty():
                return 0
            try:
                self._write(batch)
            except Exception:
                logger.warning("visit counts not written; kept for the next flush", exc_info=True)
                with self._lock:
                    # The failed batch is older: merge the newer counts into it.
                    lost = batch.merge(self._pending, max_visitors=self._max_visitors)
                    self._pending = batch
                    self._dropped += lost
                return 0
            return sum(batch.views.values())

    def stop(self) -> None:
        """Stop this process's flusher thread (after one last flush by the thread)."""
        self._stop.set()

    # --- the flusher thread ----------------------------------------------------------------

    def _start_flusher(self) -> None:
        with self._lock:
            pid = os.getpid()
            if self._flusher_pid == pid:
                return
            self._flusher_pid = pid
        background = self._background
        if background is None:
            background = not _in_test_environment()
        if not background:
            return
        stop = self._stop
        threading.Thread(
            target=self._flush_forever, args=(stop,), name="ecourt-visit-flusher", daemon=True
        ).start()
        # A normal exit (gunicorn's graceful restart, Ctrl-C) writes the last seconds too.
        atexit.register(self.flush)

    def _flush_forever(self, stop: threading.Event) -> None:
        while not stop.wait(flush_seconds() or IDLE_CHECK_SECONDS):
            try:
                close_old_connections()
                self.flush()
            except Exception:  # the flusher must never die; flush() logs its own failures
                logger.exception("visit flusher failed")
            finally:
                close_old_connections()
        self.flush()
        close_old_connections()

    # --- writing -------------------------------------------------------------------------

    def _write_to_database(self, batch: VisitBatch) -> None:
        batch_write(batch, salts=self._salts)


def batch_write(batch: VisitBatch, *, salts: dict[date, str]) -> None:
    """Store a batch: page views added to ``VisitDay``, visitor keys inserted into
    ``VisitorKey`` (a key already there is left alone), in one transaction.

    ``salts`` caches the days' salts in this process; a salt is read (or created) once per
    day per process, before the transaction, so concurrent flushes agree on it.
    """
    by_day: dict[date, str] = {}
    for day in sorted({day for day, _digest in batch.visitors}):
        by_day[day] = _day_salt(day, salts)
    keys = {(day, visitor_key(by_day[day], digest)) for day, digest in batch.visitors}
    alias = router.db_for_write(VisitDay)
    with transaction.atomic(using=alias):
        _upsert_add(
            VisitDay,
            keys=("day", "page_group"),
            value="views",
            rows=[(day, group, n) for (day, group), n in sorted(batch.views.items()) if n],
            using=alias,
        )
        VisitorKey.objects.using(alias).bulk_create(
            [VisitorKey(day=day, key=key) for day, key in sorted(keys)],
            ignore_conflicts=True,
            batch_size=_ROWS_PER_STATEMENT,
        )


def _day_salt(day: date, cache: dict[date, str]) -> str:
    salt = cache.get(day)
    if salt is None:
        # get_or_create is safe against a concurrent creator: the loser reads the winner's row.
        row, _created = VisitSalt.objects.get_or_create(
            day=day, defaults={"salt": secrets.token_hex(32)}
        )
        salt = cache[day] = row.salt
        # Only today's and yesterday's salts can still be needed.
        oldest = timezone.localdate() - timedelta(days=1)
        for stale in [d for d in cache if d < oldest]:
            del cache[stale]
    return salt


def _upsert_add(
    model: type[Model],
    *,
    keys: Sequence[str],
    value: str,
    rows: Sequence[tuple[object, ...]],
    using: str,
) -> None:
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET value = value + excluded.value``: adds to
    an existing row or creates it, atomically (SQLite ≥ 3.24, PostgreSQL). Django's
    ``bulk_create(update_conflicts=True)`` can only overwrite, not add."""
    if not rows:
        return
    connection = connections[using]
    qn = connection.ops.quote_name
    meta = model._meta
    table = qn(meta.db_table)
    key_columns = [qn(_column(model, name)) for name in keys]
    target = qn(_column(model, value))
    columns = ", ".join([*key_columns, target])
    row_sql = "(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[start : start + _ROWS_PER_STATEMENT]
        params: list[Any] = []
        for row in chunk:
            params.extend(
                connection.ops.adapt_datefield_value(cell) if isinstance(cell, date) else cell
                for cell in row
            )
        values = ", ".join([row_sql] * len(chunk))
        # Identifiers come from the model and are quoted; every value is a parameter.
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({', '.join(key_columns)}) "
            f"DO UPDATE SET {target} = {table}.{target} + excluded.{target}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # our own models' concrete fields
    return str(field.column)


# --- the process's buffer ------------------------------------------------------------------

_buffer = VisitBuffer()


def visit_buffer() -> VisitBuffer:
    """This process's buffer (the middleware counts into it)."""
    return _buffer


def visit_buffer_install(buffer: VisitBuffer) -> VisitBuffer:
    """Replace this process's buffer (tests, benchmarks); returns the previous one."""
    global _buffer
    previous, _buffer = _buffer, buffer
    return previous


def _after_fork_in_child() -> None:
    _buffer.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- after the day: fold visitor keys, read the figures ------------------------------------


def visits_fold(*, today: date | None = None) -> int:
    """Count each closed day's visitor keys into ``VisitorDay``, then delete the keys and the
    salts of closed days. Returns how many days were folded.

    A day is closed once ``today`` has begun; by default ``today`` is the court date
    ``FOLD_AFTER`` ago, so keys still buffered at midnight are in. Keys that arrive even later
    (a flush held back by a database outage) are added by the next run. Idempotent, and two
    runs at once do not count twice: each day's keys are deleted first and only the rows this
    run deleted are added.
    """
    if today is None:
        today = timezone.localdate(timezone.now() - FOLD_AFTER)
    alias = router.db_for_write(VisitorKey)
    days = list(
        VisitorKey.objects.using(alias)
        .filter(day__lt=today)
        .order_by("day")
        .values_list("day", flat=True)
        .distinct()
    )
    for day in days:
        with transaction.atomic(using=alias):
            deleted, _by_model = VisitorKey.objects.using(alias).filter(day=day).delete()
            _upsert_add(
                VisitorDay,
                keys=("day",),
                value="visitors",
                rows=[(day, deleted)] if deleted else [],
                using=alias,
            )
    stale_salts = VisitSalt.objects.using(alias).filter(day__lt=today)
    if stale_salts.exists():  # a read every sweep, a write only when a day has ended
        stale_salts.delete()
    return len(days)


def visitors_in(period: Period) -> int:
    """Visitors in the period: for each day, the distinct visitors of that day, summed (someone
    who came on two days counts twice). Folded days from ``VisitorDay``, the days not folded
    yet (today, and yesterday until the fold has run) from their live keys."""
    days = {"day__gte": period.start, "day__lte": period.end}
    folded = VisitorDay.objects.filter(**days).aggregate(n=Sum("visitors"))["n"] or 0
    # (day, key) is unique, so the rows of a day are its distinct visitors.
    live = VisitorKey.objects.filter(**days).count()
    return int(folded) + live
