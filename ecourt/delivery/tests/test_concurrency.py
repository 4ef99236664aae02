"""Several workers claiming at once: every queued delivery is claimed by exactly one of them.

The threaded test runs on PostgreSQL only (``.ci/run`` runs the suite there too), where
claims use ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite serialises writers, so workers could
never race there. Its conditional ``UPDATE … WHERE status = 'queued'`` path is tested below
on any database. Each thread has its own connection; the transactional database makes what
they commit visible to each other.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.delivery.models import Delivery, DeliveryStatus
from ecourt.delivery.services.dispatch import deliveries_claim

S = DeliveryStatus
WORKERS = 4
QUEUED = 200


def queue(user: User, count: int) -> list[int]:
    """``count`` notices, due a second ago, written in bulk (no task is enqueued for them)."""
    now = timezone.now()
    rows = [
        Delivery(
            user=user,
            legal=False,
            purpose="bench",
            subject_en=f"Notice {n}",
            subject_zh=f"通知 {n}",
            notice_en=f"Notice {n}",
            notice_zh=f"通知 {n}",
            plan=[{"channel": "sms", "address": user.mobile, "confirmed": True}],
            status=S.QUEUED,
            next_attempt_at=now - timedelta(seconds=1),
            created_at=now,
        )
        for n in range(count)
    ]
    Delivery.objects.bulk_create(rows)
    return list(Delivery.objects.filter(user=user).values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_workers_claim_every_delivery_exactly_once(alice):
    ids = queue(alice, QUEUED)
    barrier = threading.Barrier(WORKERS)
    lock = threading.Lock()
    claimed: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def work(index: int) -> None:
        worker = f"w{index}"
        mine: list[int] = []
        try:
            barrier.wait()
            while batch := deliveries_claim(worker=worker, limit=7 + index):
                mine.extend(batch)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            with lock:
                claimed[worker] = mine
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    assert not errors, errors
    counts = Counter(pk for mine in claimed.values() for pk in mine)
    assert sorted(counts) == sorted(ids)
    assert set(counts.values()) == {1}, [pk for pk, n in counts.items() if n > 1]
    owners = dict(Delivery.objects.values_list("pk", "claimed_by"))
    for worker, mine in claimed.items():
        assert all(owners[pk] == worker for pk in mine)
    assert not Delivery.objects.filter(status=S.QUEUED).exists()
    # Two or more workers took a share: they ran side by side, not one after the other.
    assert sum(1 for mine in claimed.values() if mine) >= 2


def test_claiming_twice_takes_each_delivery_once(alice):
    ids = queue(alice, 30)
    first = deliveries_claim(worker="w1", limit=20)
    second = deliveries_claim(worker="w2", limit=20)
    assert len(first) == 20 and len(second) == 10
    assert sorted(first + second) == sorted(ids)
    assert deliveries_claim(worker="w3", limit=20) == []
    assert Counter(Delivery.objects.values_list("claimed_by", flat=True)) == {"w1": 20, "w2": 10}
    assert set(Delivery.objects.values_list("status", flat=True)) == {S.SENDING}


def test_only_due_and_queued_rows_are_claimed(alice):
    due, later, taken = queue(alice, 3)
    Delivery.objects.filter(pk=later).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    Delivery.objects.filter(pk=taken).update(status=S.SENDING, claimed_by="other")
    assert deliveries_claim(worker="w1", ids=[due, later, taken]) == [due]
    assert Delivery.objects.get(pk=taken).claimed_by == "other"
