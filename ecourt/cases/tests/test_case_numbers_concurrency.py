"""Case numbers stay gap-free and unique when clerks docket at the same moment.

Runs on PostgreSQL only (``.ci/run`` runs the suite there too), where row locks decide: on
SQLite the database serialises every writer and the test would prove nothing. Each thread has
its own connection; the transactional database makes what they commit visible to each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from ecourt.accounts.models import User
from ecourt.cases import services
from ecourt.cases.models import Case, CaseNumberSerial, PartyKind, PartySide
from ecourt.cases.tests.factories import consent, paid

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
    # serialized_rollback: the flush after each test would otherwise also remove the
    # catalogue and the terms that data migrations shipped.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 8
PER_THREAD = 25


def in_threads(work: Callable[[int], list[int]]) -> tuple[list[int], list[BaseException]]:
    """Run ``work(i)`` in THREADS threads started together; collect results and errors."""
    barrier = threading.Barrier(THREADS)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            mine = work(index)
            with lock:
                results.extend(mine)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results, errors


def filed(alice: User, clerk: User, count: int) -> list[int]:
    """``count`` submitted applications, their fee paid and confirmed."""
    consent(alice)
    ids = []
    for index in range(count):
        application = services.application_create(actor=alice)
        pk = application.pk
        services.application_set_case_type(
            actor=alice, application_id=pk, code="online_copyright_infringement"
        )
        services.party_add(
            actor=alice,
            application_id=pk,
            side=PartySide.DEFENDANT,
            kind=PartyKind.PERSON,
            name=f"Defendant {index}",
            mobile=f"+86139{index + 50_000_000:08d}",
        )
        services.claim_add(actor=alice, application_id=pk, text="Stop the infringement.")
        services.application_set_facts(
            actor=alice, application_id=pk, facts="The defendant did it online, repeatedly."
        )
        services.application_confirm_delivery(
            actor=alice, application_id=pk, mobile=alice.mobile, confirmed=True
        )
        paid(services.application_submit(actor=alice, application_id=pk), clerk)
        ids.append(pk)
    return ids


def test_clerks_docketing_together_get_every_serial_once(alice, clerk, judge):
    application_ids = filed(alice, clerk, THREADS * PER_THREAD)
    CaseNumberSerial.objects.filter(year__gte=2000).delete()

    def docket(index: int) -> list[int]:
        me = User.objects.get(pk=clerk.pk)
        return [
            services.filing_accept(actor=me, application_id=pk).serial
            for pk in application_ids[index::THREADS]
        ]

    taken, errors = in_threads(docket)
    assert errors == []
    assert sorted(taken) == list(range(1, THREADS * PER_THREAD + 1))
    cases = Case.objects.all()
    assert cases.count() == THREADS * PER_THREAD
    assert len({case.number for case in cases}) == THREADS * PER_THREAD
    [counter] = CaseNumberSerial.objects.all()
    assert counter.last_serial == THREADS * PER_THREAD
    # Each case's docket is numbered 1, 2 even though eight clerks wrote at once.
    assert {tuple(c.docket.values_list("number", flat=True)) for c in cases} == {(1, 2)}


def test_the_counter_alone_is_gap_free_when_some_takers_roll_back(db):
    """Every fifth taker fails after taking a serial; its serial goes to the next taker."""

    class DocketingFailed(Exception):
        pass

    def take(index: int) -> list[int]:
        kept = []
        for attempt in range(50):
            try:
                with transaction.atomic():
                    serial = services.case_number_next(year=2099, type_code="民特")
                    if attempt % 5 == 4:
                        raise DocketingFailed
                kept.append(serial)
            except DocketingFailed:
                pass
        return kept

    taken, errors = in_threads(take)
    assert errors == []
    assert sorted(taken) == list(range(1, THREADS * 40 + 1))
    assert CaseNumberSerial.objects.get(year=2099, type_code="民特").last_serial == THREADS * 40
