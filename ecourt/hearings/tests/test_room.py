"""The hearing room's services: the identity re-check with a fresh code (attendance), the
room's window, the judge beginning and ending the hearing (the case is heard, absent parties
on the docket) and the evidence shown.

Alice sues Beta Tech (Bob represents it); Judge Wang tries it; an assistant keeps the
record. The hearing is on Tuesday 2026-09-22 09:30–10:30, court time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ecourt.accounts.models import User
from ecourt.cases.models import Case, CaseStatus, DocketEntry
from ecourt.conftest import code_sent_to
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.delivery.tests.factories import defendant, plaintiff
from ecourt.evidence.models import EvidenceItem
from ecourt.hearings.models import CourtRecord, Hearing, HearingParticipant, HearingStatus
from ecourt.hearings.services.room import (
    evidence_show,
    evidence_shown_in,
    hearing_end,
    hearing_identity_send,
    hearing_identity_verify,
    hearing_start,
)
from ecourt.hearings.tests.factories import (
    case_ready_for_hearing,
    ensure_seal,
    scheduled_hearing,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)  # a Monday
STARTS = datetime(2026, 9, 22, 9, 30, tzinfo=SHANGHAI)


# --- Helpers the other room test modules share ------------------------------------------------


def make_hearing(alice: User, bob: User, clerk: User, judge: User) -> Hearing:
    """Alice v. Beta Tech, scheduled through the scheduling service for STARTS (60 min)."""
    case = case_ready_for_hearing(alice, bob, clerk, judge)
    return scheduled_hearing(case, judge, starts_at=STARTS)


def join(user: User, hearing: Hearing, commit: Callable[[], AbstractContextManager[Any]]) -> None:
    """The identity check as a participant passes it: a code is texted, then entered."""
    with commit():
        hearing_identity_send(actor=user, hearing_id=hearing.pk, language="en")
    hearing_identity_verify(actor=user, hearing_id=hearing.pk, code=code_sent_to(user.mobile))


def submitted_evidence(case: Case, alice: User, tmp_path: Path) -> EvidenceItem:
    """Alice's screenshot on her list, submitted in the case."""
    from ecourt.evidence.services.items import evidence_item_add, evidence_list_submit
    from ecourt.evidence.services.uploads import upload_from_file

    path = tmp_path / "incoming-screenshot"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"screenshot of the defendant's page" * 10)
    upload = upload_from_file(actor=alice, path=path, filename="page.png")
    party = plaintiff(case)
    item = evidence_item_add(
        actor=alice,
        application=case.application,
        party=party,
        upload=upload,
        title="Screenshot of the defendant's page",
        purpose="The defendant published the photographs.",
        form="web_page",
        kind="copy",
    )
    evidence_list_submit(actor=alice, application=case.application, party=party)
    item.refresh_from_db()
    return item


def use_own_storage(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.ECOURT_CLAMD = ""


@contextmanager
def refused(code: str, says: str = "") -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, info.value.message
    assert says in str(info.value.message)


def docket_texts(case: Case) -> list[str]:
    return list(
        DocketEntry.objects.filter(case=case).order_by("number").values_list("text_en", flat=True)
    )


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _monday(time_machine: Any) -> None:
    ensure_seal()
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def hearing(alice: User, bob: User, clerk: User, judge: User) -> Hearing:
    return make_hearing(alice, bob, clerk, judge)


def at(time_machine: Any, minutes_from_start: int) -> None:
    time_machine.move_to(STARTS + timedelta(minutes=minutes_from_start), tick=False)


# --- Identity re-check ------------------------------------------------------------------------


def test_it_records_attendance_with_a_fresh_code(hearing, alice, time_machine, commit):
    at(time_machine, -10)
    with commit():
        hearing_identity_send(actor=alice, hearing_id=hearing.pk, language="en")
    code = code_sent_to(alice.mobile)

    with refused("otp_wrong"):
        hearing_identity_verify(
            actor=alice, hearing_id=hearing.pk, code="000000" if code != "000000" else "111111"
        )
    participant = hearing.participants.get(user=alice)
    assert participant.verified_at is None and participant.joined_at is None

    hearing_identity_verify(actor=alice, hearing_id=hearing.pk, code=code)
    participant.refresh_from_db()
    assert participant.verified_at == STARTS - timedelta(minutes=10)
    assert participant.joined_at == participant.verified_at
    assert f"{participant.name} attended (identity checked at 09:20)." in docket_texts(hearing.case)

    # The same code again is not a fresh code.
    with refused("otp_missing"):
        hearing_identity_verify(actor=alice, hearing_id=hearing.pk, code=code)


def test_a_re_check_later_keeps_the_first_attendance_on_the_docket_once(
    hearing, alice, time_machine, commit
):
    at(time_machine, -10)
    join(alice, hearing, commit)
    at(time_machine, 5)
    join(alice, hearing, commit)
    participant = hearing.participants.get(user=alice)
    assert participant.joined_at == STARTS - timedelta(minutes=10)
    assert participant.verified_at == STARTS + timedelta(minutes=5)
    attended = [t for t in docket_texts(hearing.case) if "attended" in t]
    assert len(attended) == 1


def test_the_room_opens_30_minutes_before_and_closes_at_the_end(
    hearing, alice, time_machine, commit
):
    at(time_machine, -31)
    with refused("room_not_open", "09:00"):
        hearing_identity_send(actor=alice, hearing_id=hearing.pk, language="en")
    at(time_machine, 60)  # never started, its time is over
    with refused("hearing_time_over"):
        hearing_identity_send(actor=alice, hearing_id=hearing.pk, language="en")


def test_an_ended_hearing_takes_no_identity_check(hearing, alice, judge, time_machine, commit):
    at(time_machine, -5)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    hearing_end(actor=judge, hearing_id=hearing.pk)
    with refused("hearing_closed"):
        hearing_identity_send(actor=alice, hearing_id=hearing.pk, language="en")


def test_a_participant_attending_in_person_cannot_join_online(hearing, alice, time_machine, commit):
    HearingParticipant.objects.filter(hearing=hearing, user=alice).update(offline=True)
    at(time_machine, -5)
    with refused("attends_offline"):
        hearing_identity_send(actor=alice, hearing_id=hearing.pk, language="en")
    with refused("attends_offline"):
        hearing_identity_verify(actor=alice, hearing_id=hearing.pk, code="123456")


def test_an_outsider_is_not_in_the_hearing(hearing, oscar, time_machine):
    at(time_machine, -5)
    with refused("not_found"):
        hearing_identity_send(actor=oscar, hearing_id=hearing.pk, language="en")


# --- Beginning and ending ---------------------------------------------------------------------


def test_the_judge_begins_from_30_minutes_before(hearing, judge, time_machine):
    at(time_machine, -31)
    with refused("room_not_open"):
        hearing_start(actor=judge, hearing_id=hearing.pk)
    assert not CourtRecord.objects.filter(hearing=hearing).exists()

    at(time_machine, -29)
    started = hearing_start(actor=judge, hearing_id=hearing.pk)
    assert started.status == HearingStatus.IN_PROGRESS
    assert started.started_at == STARTS - timedelta(minutes=29)
    record = CourtRecord.objects.get(hearing=hearing)
    assert record.case == hearing.case and record.version == 0 and not record.is_closed
    with refused("illegal_transition"):
        hearing_start(actor=judge, hearing_id=hearing.pk)


def test_only_the_judge_begins_and_ends(hearing, judge, time_machine):
    at(time_machine, 0)
    with pytest.raises(PermissionDenied):
        hearing_start(actor=hearing.clerk, hearing_id=hearing.pk)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    with pytest.raises(PermissionDenied):
        hearing_end(actor=hearing.clerk, hearing_id=hearing.pk)


def test_ending_hears_the_case_and_dockets_absent_parties(
    hearing, alice, bob, judge, time_machine, commit
):
    at(time_machine, -10)
    join(alice, hearing, commit)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    at(time_machine, 50)
    ended = hearing_end(actor=judge, hearing_id=hearing.pk)

    assert ended.status == HearingStatus.ENDED
    assert ended.ended_at == STARTS + timedelta(minutes=50)
    case = Case.objects.get(pk=hearing.case_id)
    assert case.status == CaseStatus.HEARD
    texts = docket_texts(case)
    assert f"Absent from the hearing: {defendant(case).name}" in " ".join(texts)
    assert plaintiff(case).name not in next(t for t in texts if t.startswith("Absent"))
    assert "The online hearing ended at 10:20." in texts
    assert texts[-1] == "Hearing held."
    assert hearing.participants.get(user=alice).left_at == ended.ended_at
    with refused("illegal_transition"):
        hearing_end(actor=judge, hearing_id=hearing.pk)


def test_the_case_waits_for_another_hearing_still_to_come(hearing, judge, time_machine):
    later = scheduled_hearing(hearing.case, judge, starts_at=STARTS + timedelta(days=7))
    at(time_machine, 0)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    hearing_end(actor=judge, hearing_id=hearing.pk)
    assert Case.objects.get(pk=hearing.case_id).status == CaseStatus.HEARING_SCHEDULED
    assert later.status == HearingStatus.SCHEDULED


# --- Evidence shown ---------------------------------------------------------------------------


def test_the_judge_shows_evidence_of_the_case(
    hearing, alice, judge, time_machine, settings, tmp_path
):
    use_own_storage(settings, tmp_path)
    item = submitted_evidence(hearing.case, alice, tmp_path)
    at(time_machine, -5)
    with refused("hearing_not_in_progress"):
        evidence_show(actor=judge, hearing_id=hearing.pk, item_id=item.pk)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    with pytest.raises(PermissionDenied):
        evidence_show(actor=alice, hearing_id=hearing.pk, item_id=item.pk)

    at(time_machine, 10)
    shown = evidence_show(actor=judge, hearing_id=hearing.pk, item_id=item.pk)

    assert shown.item_id == item.pk and item.title in shown.label
    assert [(s.item_id, s.shown_at) for s in evidence_shown_in(hearing)] == [
        (item.pk, STARTS + timedelta(minutes=10))
    ]
    assert any(
        t.startswith("Evidence shown in the hearing at 09:40") and item.title in t
        for t in docket_texts(hearing.case)
    )


def test_evidence_of_another_case_or_not_submitted_is_refused(hearing, judge, time_machine):
    at(time_machine, 0)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    with refused("evidence_invalid"):
        evidence_show(actor=judge, hearing_id=hearing.pk, item_id=999_999)


def test_the_case_is_not_heard_while_an_async_trial_is_open(
    hearing, alice, bob, judge, time_machine
):
    from ecourt.hearings.services.async_trial import (
        async_consent_record,
        async_trial_close,
        async_trial_open,
    )

    case = hearing.case
    for user, party in ((alice, plaintiff(case)), (bob, defendant(case))):
        async_consent_record(actor=user, case_id=case.pk, party_id=party.pk, consent=True)
    trial = async_trial_open(
        actor=judge, case_id=case.pk, questions="Who licensed the photographs?", window_hours=72
    )
    at(time_machine, 0)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    hearing_end(actor=judge, hearing_id=hearing.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED
    assert "Hearing held." not in docket_texts(case)

    async_trial_close(actor=judge, trial_id=trial.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD


def test_nothing_happens_in_the_room_of_a_closed_case(hearing, alice, judge, time_machine):
    from ecourt.cases.services import case_close

    case_close(actor=judge, case_id=hearing.case_id, mode="mediation")
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.CANCELLED
    at(time_machine, -5)
    with refused("case_closed"):
        hearing_start(actor=judge, hearing_id=hearing.pk)
    with refused("case_closed"):
        hearing_identity_send(actor=alice, hearing_id=hearing.pk, language="en")
    with refused("case_closed"):
        hearing_identity_verify(actor=alice, hearing_id=hearing.pk, code="123456")


def test_a_party_linked_after_scheduling_joins(hearing, bob, time_machine, commit):
    # As if Bob had linked Beta Tech only after the hearing was scheduled: its row has no
    # account yet.
    row = hearing.participants.get(party=defendant(hearing.case))
    HearingParticipant.objects.filter(pk=row.pk).update(user=None)
    at(time_machine, -10)
    join(bob, hearing, commit)
    row.refresh_from_db()
    assert row.user == bob and row.verified_at is not None and row.joined_at is not None
