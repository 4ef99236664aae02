"""Several sequencers at once, while deposits keep arriving: the compare-and-swap on LogHead
lets one batch through at a time and rolls the others back whole, so no deposit is integrated
twice, leaf indexes have no gaps and every checkpoint extends the one before.

PostgreSQL only (``.ci/run`` runs the suite there too): SQLite serialises every writer from
the start of its transaction, so sequencers could never race there. Each thread has its own
connection; the transactional database makes what they commit visible to each other.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection

from ecourt.cases.tests.test_case_numbers_concurrency import in_threads
from ecourt.evidence.models import Deposit, LogHead
from ecourt.evidence.services.log import LogRaced, deposits_create, log_integrate
from ecourt.evidence.tests.factories import assert_log_sound, institution, records

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEPOSITORS = 2
INITIAL = 1500
LATER_BATCHES = 10


def test_racing_sequencers_integrate_every_deposit_exactly_once():
    inst, _secret = institution("Busy Platform")
    acknowledged = {
        d.deposit_no
        for d, _c in deposits_create(
            actor=None, institution=inst, records=records(INITIAL, "initial")
        )
    }
    assert not LogHead.objects.exists()  # the sequencers also race to create the head row
    lock = threading.Lock()
    depositors_done = threading.Barrier(DEPOSITORS + 1)
    finished = threading.Event()
    races: list[int] = []

    def work(index: int) -> list[int]:
        rng = random.Random(index)
        if index < DEPOSITORS:
            for batch in range(LATER_BATCHES):
                results = deposits_create(
                    actor=None,
                    institution=inst,
                    records=records(rng.randint(10, 80), f"later-{index}-{batch}"),
                )
                with lock:
                    acknowledged.update(d.deposit_no for d, _c in results)
                time.sleep(rng.uniform(0, 0.02))
            depositors_done.wait()
            return []
        integrated: list[int] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                n = log_integrate(limit=rng.randint(20, 150))
            except LogRaced:
                with lock:
                    races.append(index)
                continue
            if n:
                integrated.append(n)
            elif finished.is_set():
                break
        return integrated

    def watch() -> None:
        depositors_done.wait()
        finished.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    counts, errors = in_threads(work)
    watcher.join(timeout=10)
    assert errors == []
    # Some batches lost the race (otherwise this test proved nothing) and were rolled back.
    assert races, "no sequencer ever lost a race"
    # A batch that lost never counted: the winners' batches add up to every deposit once.
    assert sum(counts) == len(acknowledged) == Deposit.objects.count()
    assert not Deposit.objects.filter(leaf_index__isnull=True).exists()
    size = assert_log_sound()  # gap-free leaves, naive root, every checkpoint consistent
    assert size == len(acknowledged)
    integrated = set(Deposit.objects.values_list("deposit_no", flat=True))
    assert integrated == acknowledged
