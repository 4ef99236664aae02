"""The court record: the clerk's saves with version checks, closing (frozen, hashed,
deposited), signing with a fresh code against the hash read, completion when every online
participant signed, and supplementary records for corrections."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from ecourt.accounts.models import User
from ecourt.conftest import code_sent_to
from ecourt.core.errors import PermissionDenied
from ecourt.evidence.models import Deposit
from ecourt.hearings.models import CourtRecord, Hearing, RecordSignature
from ecourt.hearings.services.records import (
    RecordConflict,
    record_close,
    record_save,
    record_sign,
    record_sign_send,
    record_signers,
    record_supplement,
)
from ecourt.hearings.services.room import hearing_end, hearing_start
from ecourt.hearings.tests.factories import ensure_seal
from ecourt.hearings.tests.test_room import NOW, STARTS, docket_texts, make_hearing, refused

pytestmark = pytest.mark.django_db

TEXT = "审判长：现在开庭。\nJudge: the hearing is open.\n"


@pytest.fixture(autouse=True)
def _monday(time_machine: Any) -> Iterator[None]:
    ensure_seal()
    time_machine.move_to(NOW, tick=False)
    with translation.override("en"):  # the messages checked below are the English ones
        yield


@pytest.fixture
def hearing(alice: User, bob: User, clerk: User, judge: User, time_machine: Any) -> Hearing:
    hearing = make_hearing(alice, bob, clerk, judge)
    time_machine.move_to(STARTS, tick=False)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    return hearing


@pytest.fixture
def record(hearing: Hearing) -> CourtRecord:
    return CourtRecord.objects.get(hearing=hearing)


def closed(hearing: Hearing, record: CourtRecord, judge: User) -> CourtRecord:
    record_save(actor=hearing.clerk, record_id=record.pk, text=TEXT, base_version=record.version)
    hearing_end(actor=judge, hearing_id=hearing.pk)
    return record_close(actor=hearing.clerk, record_id=record.pk)


def sign(user: User, record: CourtRecord, commit: Any) -> RecordSignature:
    with commit():
        record_sign_send(actor=user, record_id=record.pk, language="en")
    return record_sign(
        actor=user, record_id=record.pk, code=code_sent_to(user.mobile), sha256=record.sha256
    )


# --- Writing ----------------------------------------------------------------------------------


def test_the_clerk_saves_and_a_stale_tab_is_refused(hearing, record, alice):
    saved = record_save(actor=hearing.clerk, record_id=record.pk, text="Line one", base_version=0)
    assert (saved.version, saved.text, saved.updated_by) == (1, "Line one", hearing.clerk)

    # A second tab still on version 0 would overwrite "Line one".
    with pytest.raises(RecordConflict) as info:
        record_save(actor=hearing.clerk, record_id=record.pk, text="Other", base_version=0)
    assert info.value.code == "version_conflict" and info.value.status_code == 409
    record.refresh_from_db()
    assert (record.version, record.text) == (1, "Line one")

    # Line ends from a form (CRLF) are kept as LF; the text is not trimmed while typing.
    saved = record_save(
        actor=hearing.clerk, record_id=record.pk, text="Line one\r\nTwo ", base_version=1
    )
    assert (saved.version, saved.text) == (2, "Line one\nTwo ")

    with pytest.raises(PermissionDenied):
        record_save(actor=alice, record_id=record.pk, text="mine", base_version=2)


def test_the_record_closes_only_after_the_hearing(hearing, record, judge):
    with refused("hearing_not_ended"):
        record_close(actor=hearing.clerk, record_id=record.pk)


def test_closing_freezes_hashes_and_deposits(hearing, record, judge, alice, time_machine):
    frozen = closed(hearing, record, judge)

    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert frozen.sha256 == digest
    assert frozen.closed_at is not None and frozen.closed_by == hearing.clerk
    deposit = Deposit.objects.get(pk=frozen.deposit_id)
    assert deposit.sha256 == digest
    assert deposit.size == len(TEXT.encode("utf-8")) and deposit.media_type == "text/plain"
    assert any(
        t.startswith("Court record closed for signature") and deposit.deposit_no in t
        for t in docket_texts(hearing.case)
    )

    with refused("record_closed", "A closed record cannot change"):
        record_save(
            actor=hearing.clerk, record_id=record.pk, text="changed", base_version=frozen.version
        )
    with refused("record_closed"):
        record_close(actor=hearing.clerk, record_id=record.pk)


# --- Signing ----------------------------------------------------------------------------------


def test_signing_needs_the_right_code_and_the_hash_read(
    hearing, record, judge, alice, oscar, commit
):
    with refused("record_open"):
        record_sign_send(actor=alice, record_id=record.pk, language="en")
    frozen = closed(hearing, record, judge)
    with pytest.raises(PermissionDenied):
        record_sign_send(actor=oscar, record_id=record.pk, language="en")

    with commit():
        record_sign_send(actor=alice, record_id=record.pk, language="en")
    code = code_sent_to(alice.mobile)
    with refused("record_changed", "changed since you read it"):
        record_sign(actor=alice, record_id=record.pk, code=code, sha256="0" * 64)
    wrong = "000000" if code != "000000" else "111111"
    with refused("otp_wrong"):
        record_sign(actor=alice, record_id=record.pk, code=wrong, sha256=frozen.sha256)
    assert not RecordSignature.objects.filter(record=record).exists()

    signature = record_sign(actor=alice, record_id=record.pk, code=code, sha256=frozen.sha256)
    assert signature.sha256 == frozen.sha256 and signature.user == alice
    assert signature.party is not None and signature.participant is not None
    with refused("already_signed"):
        record_sign(actor=alice, record_id=record.pk, code=code, sha256=frozen.sha256)


def test_the_record_is_complete_when_every_online_participant_signed(
    hearing, record, judge, alice, bob, commit, time_machine
):
    frozen = closed(hearing, record, judge)
    signers = {s.user_id for s in record_signers(frozen)}
    assert signers == {judge.pk, hearing.clerk_id, alice.pk, bob.pk}

    for user in (judge, hearing.clerk, alice):
        sign(user, frozen, commit)
    frozen.refresh_from_db()
    assert frozen.completed_at is None
    time_machine.move_to(STARTS + timedelta(hours=2), tick=False)
    sign(bob, frozen, commit)
    frozen.refresh_from_db()
    assert frozen.completed_at == STARTS + timedelta(hours=2)
    assert docket_texts(hearing.case)[-1].startswith("Court record signed by all participants")


def test_an_offline_participant_does_not_sign(hearing, record, judge, bob):
    hearing.participants.filter(user=bob).update(offline=True)
    frozen = closed(hearing, record, judge)
    assert bob.pk not in {s.user_id for s in record_signers(frozen)}
    with pytest.raises(PermissionDenied):
        record_sign_send(actor=bob, record_id=record.pk, language="en")


def test_a_party_linked_and_an_agent_appointed_after_scheduling_sign(
    hearing, record, judge, alice, bob, carol, commit
):
    from ecourt.cases.models import Agent
    from ecourt.cases.tests.factories import pdf_upload
    from ecourt.delivery.tests.factories import defendant, plaintiff
    from ecourt.hearings.models import HearingParticipant, ParticipantRole

    # As if Bob had linked Beta Tech only after the hearing was scheduled (its row has no
    # account), and Alice appointed Carol after it (the appointment service is not tested).
    HearingParticipant.objects.filter(hearing=hearing, party=defendant(hearing.case)).update(
        user=None
    )
    Agent.objects.create(
        party=plaintiff(hearing.case),
        kind="lawyer",
        user=carol,
        scope="general",
        power_of_attorney=pdf_upload(),
        appointed_by=alice,
    )
    frozen = closed(hearing, record, judge)

    assert {s.user_id for s in record_signers(frozen)} == {
        judge.pk,
        hearing.clerk_id,
        alice.pk,
        bob.pk,
        carol.pk,
    }
    signature = sign(bob, frozen, commit)
    assert signature.party == defendant(hearing.case) and signature.participant is not None
    sign(carol, frozen, commit)
    agent = hearing.participants.get(user=carol)
    assert (agent.role, agent.party) == (ParticipantRole.AGENT, plaintiff(hearing.case))
    assert hearing.participants.filter(user=bob).count() == 1


# --- Supplementary records --------------------------------------------------------------------


def test_a_correction_is_a_supplementary_record(hearing, record, judge, alice, commit):
    with refused("record_open"):
        record_supplement(actor=hearing.clerk, record_id=record.pk, text="Correction")
    frozen = closed(hearing, record, judge)

    supplement = record_supplement(
        actor=hearing.clerk, record_id=record.pk, text="Correction: the plaintiff said 2025."
    )
    assert supplement.supplements == frozen and supplement.hearing is None
    assert supplement.case == frozen.case and supplement.version == 1
    frozen.refresh_from_db()
    assert frozen.text == TEXT  # the closed record did not change
    with pytest.raises(PermissionDenied):
        record_supplement(actor=alice, record_id=record.pk, text="mine")

    # Written, closed and signed like the record it corrects, by the same people.
    record_save(
        actor=hearing.clerk, record_id=supplement.pk, text="Correction: 2025.", base_version=1
    )
    supplement = record_close(actor=hearing.clerk, record_id=supplement.pk)
    assert {s.user_id for s in record_signers(supplement)} == {
        s.user_id for s in record_signers(frozen)
    }
    sign(alice, supplement, commit)
    assert supplement.signatures.filter(user=alice).exists()
