"""Diversions at the same moment: mediation numbers stay gap-free and no mediator is given
more matters than their capacity.

PostgreSQL only (``.ci/run`` runs the suite there too): on SQLite the database serialises
every writer and the test would prove nothing. Each thread has its own connection.

Diversions also take the locked serial counter, which alone serialises them (the test passes
with the mediator rows unlocked); the lock on the mediator rows in ``mediator_pool`` is what
protects re-assignments after a decline, which take no serial: the second test (without
that lock eight declines at once gave one mediator of capacity 1 all eight matters).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services as case_services
from ecourt.cases.models import ApplicationStatus, PartyKind, PartySide
from ecourt.cases.tests.factories import consent
from ecourt.cases.tests.test_case_numbers_concurrency import THREADS, in_threads
from ecourt.mediation import services
from ecourt.mediation.models import Mediation, MediationStatus
from ecourt.mediation.tests.factories import registered_mediator

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PER_THREAD = 6
CAPACITY = 5
MEDIATORS = 3


def drafts_asking_for_mediation(alice: User, count: int) -> list[int]:
    consent(alice)
    ids = []
    for index in range(count):
        pk = case_services.application_create(actor=alice).pk
        case_services.application_set_case_type(
            actor=alice, application_id=pk, code="online_copyright_infringement"
        )
        case_services.party_add(
            actor=alice,
            application_id=pk,
            side=PartySide.DEFENDANT,
            kind=PartyKind.PERSON,
            name=f"Defendant {index}",
            mobile=f"+86139{index + 60_000_000:08d}",
        )
        case_services.claim_add(actor=alice, application_id=pk, text="Stop the infringement.")
        case_services.application_set_facts(
            actor=alice, application_id=pk, facts="The defendant did it online, repeatedly."
        )
        case_services.application_confirm_delivery(
            actor=alice, application_id=pk, mobile=alice.mobile, confirmed=True
        )
        case_services.application_set_preferences(
            actor=alice, application_id=pk, adr_preference=True, simplified_procedure=False
        )
        ids.append(pk)
    return ids


def test_diversions_at_once_number_gap_free_and_respect_capacity(alice, admin):
    for index in range(MEDIATORS):
        user = VerifiedUserFactory(display_name=f"Mediator {index}", roles=[Role.MEDIATOR])
        registered_mediator(user, admin, capacity=CAPACITY)
    ids = drafts_asking_for_mediation(alice, THREADS * PER_THREAD)

    def submit(index: int) -> list[int]:
        me = User.objects.get(pk=alice.pk)
        submitted = [
            case_services.application_submit(actor=me, application_id=pk)
            for pk in ids[index::THREADS]
        ]
        return [application.pk for application in submitted]

    done, errors = in_threads(submit)
    assert errors == []
    assert sorted(done) == sorted(ids)
    mediations = list(Mediation.objects.select_related("application"))
    assert len(mediations) == THREADS * PER_THREAD
    assert {m.application.status for m in mediations} == {ApplicationStatus.DIVERTED}
    assert sorted(m.serial for m in mediations) == list(range(1, THREADS * PER_THREAD + 1))
    load = Counter(m.mediator_id for m in mediations if m.mediator_id is not None)
    assert len(load) == MEDIATORS and set(load.values()) == {CAPACITY}
    waiting = [m for m in mediations if m.status == MediationStatus.AWAITING_MEDIATOR]
    assert len(waiting) == THREADS * PER_THREAD - MEDIATORS * CAPACITY


def test_declines_at_once_never_overfill_the_one_free_mediator(alice, admin):
    """Eight mediators with one place each take eight matters; a ninth has one free place.
    All eight decline at once: no mediator ends up with two."""
    people = [
        VerifiedUserFactory(display_name=f"Mediator {index}", roles=[Role.MEDIATOR])
        for index in range(THREADS + 1)
    ]
    for person in people[:THREADS]:
        registered_mediator(person, admin, capacity=1)
    for pk in drafts_asking_for_mediation(alice, THREADS):
        case_services.application_submit(actor=alice, application_id=pk)
    last = registered_mediator(people[THREADS], admin, capacity=1)
    first_round = {m.mediator.user_id: m.pk for m in Mediation.objects.select_related("mediator")}
    assert len(first_round) == THREADS  # one matter each

    def decline(index: int) -> list[int]:
        me = User.objects.get(pk=people[index].pk)
        services.mediation_decline(
            actor=me, mediation_id=first_round[me.pk], reason="A conflict of interest."
        )
        return [index]

    done, errors = in_threads(decline)
    assert errors == [] and len(done) == THREADS
    # Each decline frees a place, so matters may move on to mediators who declined another
    # one; what must hold is that nobody holds more than their capacity, nor a matter they
    # declined, and every matter is either assigned or waiting.
    for mediation in Mediation.objects.all():
        assert mediation.mediator_id not in mediation.declined_by
        assert mediation.status in (MediationStatus.ASSIGNED, MediationStatus.AWAITING_MEDIATOR)
    load = Counter(Mediation.objects.exclude(mediator=None).values_list("mediator", flat=True))
    assert max(load.values()) == 1
    assert last.pk in load
