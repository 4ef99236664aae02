"""A sequencer killed (SIGKILL) at any moment loses no acknowledged deposit and leaves a log
whose every checkpoint is consistent with every earlier one.

``manage.py sequence`` runs as a real process on the test database, with small batches and a
10 ms period so that it is nearly always inside a batch's transaction, and is killed after a
random delay, again and again, while more deposits arrive (some while it runs). After every
kill the log as stored must hold together; at the end everything acknowledged is in it once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from ecourt.evidence.models import Checkpoint, Deposit, LogHead
from ecourt.evidence.services.log import deposits_create, log_integrate_all
from ecourt.evidence.tests.factories import assert_log_sound, institution, records

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPO = Path(__file__).resolve().parents[3]
ROUNDS = 8
INITIAL = 3000
BACKLOG = 2000  # pending deposits at the start of each round: more than a child gets through
CHUNK = 1000  # deposits_create takes at most 10,000 at a time


def database_url() -> str:
    """The URL of the test database (not the configured one) for the child process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(settings["NAME"]).resolve())
    assert connection.vendor == "postgresql"
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}{settings['HOST'] or ''}{port}/{quote(settings['NAME'])}"


def spawn_sequencer(batch_size: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ecourt.test_settings",
        "DATABASE_URL": database_url(),
        "PYTHONUNBUFFERED": "1",
    }
    assert env.get("ECOURT_LOG_KEY") and env.get("ECOURT_VAR_DIR"), "the child must sign alike"
    with log.open("ab") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "sequence",
                "--period-ms",
                "10",
                "--batch-size",
                str(batch_size),
            ],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def log_size() -> int:
    return LogHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0


def test_sigkill_during_sequencing_loses_nothing_and_never_forks(tmp_path: Path):
    rng = random.Random(20_261_129)
    inst, _secret = institution("Crash Test Platform")
    acknowledged: set[str] = set()
    seed = 0

    def deposit(n: int) -> None:
        nonlocal seed
        while n > 0:
            take = min(n, CHUNK)
            seed += 1
            results = deposits_create(actor=None, institution=inst, records=records(take, seed))
            acknowledged.update(d.deposit_no for d, _created in results)
            n -= take

    deposit(INITIAL)
    child_log = tmp_path / "sequencer.log"
    killed_mid_work = advanced = 0
    for round_number in range(ROUNDS):
        size_before = log_size()
        connection.close()  # nothing of ours is open while the child writes
        child = spawn_sequencer(rng.randint(50, 400), child_log)
        try:
            if round_number % 4 == 3:
                # Any moment from the start: perhaps before it even reached the database.
                time.sleep(rng.uniform(0.05, 1.5))
            else:
                # Django takes a while to start: wait until it integrates a batch, then kill it
                # at a random moment while it works through the backlog.
                started = time.monotonic()
                while log_size() == size_before and time.monotonic() - started < 20:
                    assert child.poll() is None, child_log.read_text()[-3000:]
                    time.sleep(0.01)
                if round_number % 2:
                    deposit(rng.randint(100, 500))  # acknowledged while the sequencer runs
                # Short: SQLite sequences a 2,000-deposit backlog in a few tenths of a second
                # on a quiet machine, and a kill after it caught up proves less.
                time.sleep(rng.uniform(0, 0.08))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL, child_log.read_text()[-3000:]
        pending = Deposit.objects.filter(leaf_index__isnull=True).count()
        moved = log_size() > size_before
        advanced += moved
        killed_mid_work += moved and pending > 0  # it was sequencing, with more to do
        # What the killed process left is a sound log: no half batch, no fork.
        size = assert_log_sound()
        assert size + pending == len(acknowledged) == Deposit.objects.count()
        deposit(max(0, BACKLOG - pending))

    # Most children were killed while sequencing, at least a few of them with work left (the
    # others perhaps while starting, or idle after catching up).
    assert advanced >= ROUNDS * 3 // 4, f"only {advanced} children sequenced anything"
    assert killed_mid_work >= 3, f"only {killed_mid_work} kills came while it had work left"
    log_integrate_all()
    size = assert_log_sound()
    integrated = set(
        Deposit.objects.filter(leaf_index__isnull=False).values_list("deposit_no", flat=True)
    )
    assert integrated == acknowledged and size == len(acknowledged)
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest is not None and latest.size == size == log_size()
