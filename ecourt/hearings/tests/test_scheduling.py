"""Scheduling services: double bookings refused with the resource named, the notice period,
weekend and holiday warnings, participants and the summons, attendance, rescheduling,
cancelling and judge assignment.

Alice sues Beta Tech (Bob represents it); Judge Wang tries it; Assistant Sun keeps the
record. Carol, a lawyer, is Alice's agent in some tests and a plaintiff in another case.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services as case_services
from ecourt.cases.models import Agent, Case, CaseStatus, DocketEntry
from ecourt.cases.tests.factories import docketed_case, pdf_upload
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent
from ecourt.delivery.models import Delivery
from ecourt.delivery.tests.factories import defendant, plaintiff
from ecourt.hearings.models import (
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
    RescheduleStatus,
)
from ecourt.hearings.services.scheduling import (
    attendance_confirm,
    case_judge_assign,
    hearing_cancel,
    hearing_schedule,
    reschedule_decide,
    reschedule_request,
)
from ecourt.hearings.tests.factories import (
    assistant,
    case_ready_for_hearing,
    courtroom,
    ensure_seal,
    scheduled_hearing,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)  # a Monday
TUESDAY = datetime(2026, 9, 22, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _monday(time_machine, settings) -> None:
    ensure_seal()
    settings.LANGUAGE_CODE = "en"  # the summons is written in the court's language
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case(alice, bob, clerk, judge) -> Case:
    return case_ready_for_hearing(alice, bob, clerk, judge)


@pytest.fixture
def sun() -> User:
    return assistant()


def _staff(role: str, name: str) -> User:
    return VerifiedUserFactory(display_name=name, roles=[role])


def other_case(plaintiff_user: User, clerk: User, judge: User) -> Case:
    """A second case; the road to evidence exchange is not under test here."""
    other = docketed_case(plaintiff_user, clerk, judge=judge)
    Case.objects.filter(pk=other.pk).update(status=CaseStatus.EVIDENCE_EXCHANGE)
    other.refresh_from_db()
    return other


def schedule(actor, case, clerk, *, starts_at=TUESDAY, minutes=60, room=None):
    return hearing_schedule(
        actor=actor,
        case_id=case.pk,
        starts_at=starts_at,
        minutes=minutes,
        courtroom_id=(room or courtroom()).pk,
        clerk_id=clerk.pk,
    )


@contextmanager
def refused(code: str, *, field: str | None = None, says: str = "") -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, info.value.message
    if field is not None:
        assert info.value.field == field
    assert says in str(info.value.message)


# --- Scheduling ---------------------------------------------------------------------------------


def test_it_schedules_a_hearing_with_participants_and_a_served_summons(case, judge, sun, bob):
    hearing = schedule(judge, case, sun)

    assert hearing.ends_at - hearing.starts_at == timedelta(minutes=60)
    assert hearing.status == HearingStatus.SCHEDULED
    assert hearing.warnings == []
    assert len(hearing.room) >= 24
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED
    roles = sorted(hearing.participants.values_list("role", "name"))
    assert roles == sorted(
        [
            ("judge", "Judge Wang"),
            ("clerk", "Assistant Sun"),
            ("party", plaintiff(case).name),
            ("party", defendant(case).name),
        ]
    )
    assert hearing.participants.get(party=defendant(case)).user == bob
    summons = hearing.summons
    assert summons is not None and summons.kind == "summons"
    assert summons.pdf is not None and summons.sha256 == summons.pdf.sha256
    assert "2026-09-22" in summons.body and "Courtroom 1" in summons.body
    assert set(Delivery.objects.filter(document=summons).values_list("party", flat=True)) == {
        plaintiff(case).pk,
        defendant(case).pk,
    }
    assert DocketEntry.objects.filter(case=case, code="hearings.scheduled").exists()
    assert AuditEvent.objects.filter(code="ecourt.hearings.scheduled").count() == 1


def test_a_party_that_refused_online_litigation_attends_offline(case, judge, sun, bob):
    case_services.online_litigation_decide(actor=bob, case_id=case.pk, consent=False)

    hearing = schedule(judge, case, sun)

    assert hearing.participants.get(party=defendant(case)).offline is True
    assert hearing.participants.get(party=plaintiff(case)).offline is False
    assert "in person" in hearing.summons.body


def test_only_the_judge_of_the_case_schedules(case, clerk, sun, alice):
    other_judge = _staff(Role.JUDGE, "Judge Liu")
    for actor in (clerk, other_judge, alice):
        with pytest.raises(PermissionDenied):
            schedule(actor, case, sun)


def test_a_start_in_the_past_or_without_three_days_notice_is_refused(case, judge, sun):
    with refused("start_past", field="starts_at"):
        schedule(judge, case, sun, starts_at=NOW - timedelta(minutes=1))
    with refused("notice_too_short", field="starts_at", says="Art. 139"):
        schedule(judge, case, sun, starts_at=NOW + timedelta(days=2, hours=23))
    assert schedule(judge, case, sun, starts_at=NOW + timedelta(days=3))


def test_the_length_is_bounded(case, judge, sun):
    with refused("minutes_invalid", field="minutes"):
        schedule(judge, case, sun, minutes=5)
    with refused("minutes_invalid", field="minutes"):
        schedule(judge, case, sun, minutes=481)


def test_a_case_in_the_wrong_status_is_refused(alice, clerk, judge, sun):
    docketed = docketed_case(alice, clerk, judge=judge)
    with translation.override("en"), refused("illegal_transition", says="Docketed"):
        schedule(judge, docketed, sun)


def test_the_clerk_must_be_a_judicial_assistant(case, judge, clerk):
    with refused("clerk_invalid", field="clerk"):
        schedule(judge, case, clerk)


def test_a_weekend_and_a_holiday_are_warned_about_not_refused(case, judge, sun):
    saturday = schedule(judge, case, sun, starts_at=datetime(2026, 9, 26, 9, 30, tzinfo=SHANGHAI))
    national_day = schedule(
        judge, case, sun, starts_at=datetime(2026, 10, 1, 9, 30, tzinfo=SHANGHAI)
    )

    saturday.refresh_from_db()
    assert saturday.warnings == ["weekend"]
    national_day.refresh_from_db()
    assert national_day.warnings == ["holiday"]


# --- Double bookings ----------------------------------------------------------------------------


def test_the_judge_cannot_be_in_two_hearings(case, judge, sun, carol, clerk):
    second = other_case(carol, clerk, judge)
    first = schedule(judge, case, sun)

    with refused("conflict", field="starts_at", says="Judge Wang") as _:
        schedule(judge, second, assistant("Assistant Ma"), room=courtroom("Room 2", "room-2"))
    # The judge may see the other case's number.
    with pytest.raises(DomainError) as info:
        schedule(
            judge,
            second,
            assistant("Assistant Qian"),
            starts_at=TUESDAY + timedelta(minutes=59),
            room=courtroom("Room 3", "room-3"),
        )
    assert case.number in str(info.value.message) and "09:30" in str(info.value.message)
    # Back to back is fine (half-open intervals).
    assert schedule(
        judge,
        second,
        assistant("Assistant Zhu"),
        starts_at=first.ends_at,
        room=courtroom("Room 4", "room-4"),
    )


def test_the_clerk_cannot_keep_two_records_at_once(case, judge, sun, carol, clerk):
    judge_liu = _staff(Role.JUDGE, "Judge Liu")
    second = other_case(carol, clerk, judge_liu)
    schedule(judge, case, sun)

    with refused("conflict", field="clerk", says="Clerk Assistant Sun"):
        schedule(judge_liu, second, sun, room=courtroom("Room 2", "room-2"))


def test_the_courtroom_cannot_hold_two_hearings(case, judge, sun, carol, clerk):
    judge_liu = _staff(Role.JUDGE, "Judge Liu")
    second = other_case(carol, clerk, judge_liu)
    schedule(judge, case, sun)

    with refused("conflict", field="courtroom", says="Courtroom Courtroom 1"):
        schedule(judge_liu, second, assistant("Assistant Ma"))


def test_an_agent_cannot_be_in_two_hearings(case, judge, sun, carol, clerk, alice):
    # Carol is a plaintiff in another case, heard on Tuesday by another judge.
    judge_liu = _staff(Role.JUDGE, "Judge Liu")
    second = other_case(carol, clerk, judge_liu)
    schedule(judge_liu, second, assistant("Assistant Ma"), room=courtroom("Room 2", "room-2"))
    # Alice appoints Carol (the appointment service is not under test here).
    Agent.objects.create(
        party=plaintiff(case),
        kind="lawyer",
        user=carol,
        scope="general",
        power_of_attorney=pdf_upload(),
        appointed_by=alice,
    )

    with refused("conflict", field="starts_at", says="Agent Carol Chen"):
        schedule(judge, case, sun)
    hearing = schedule(judge, case, sun, starts_at=TUESDAY + timedelta(hours=2))
    agent = hearing.participants.get(role=ParticipantRole.AGENT)
    assert (agent.user, agent.party) == (carol, plaintiff(case))


def test_a_cancelled_hearing_holds_nothing(case, judge, sun):
    first = schedule(judge, case, sun)
    hearing_cancel(actor=judge, hearing_id=first.pk, reason="The plaintiff withdrew a claim.")
    case.refresh_from_db()
    assert case.status == CaseStatus.EVIDENCE_EXCHANGE

    assert schedule(judge, case, sun).status == HearingStatus.SCHEDULED


def _open_async_trial(case: Case, judge: User, alice: User, bob: User):
    from ecourt.hearings.services.async_trial import async_consent_record, async_trial_open

    for user, party in ((alice, plaintiff(case)), (bob, defendant(case))):
        async_consent_record(actor=user, case_id=case.pk, party_id=party.pk, consent=True)
    return async_trial_open(
        actor=judge, case_id=case.pk, questions="Did Beta Tech publish them?", window_hours=72
    )


def test_cancelling_while_an_async_trial_is_open_keeps_the_case_scheduled(
    case, judge, sun, alice, bob
):
    hearing = schedule(judge, case, sun)
    _open_async_trial(case, judge, alice, bob)
    hearing_cancel(actor=judge, hearing_id=hearing.pk, reason="The trial goes on in writing.")
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED


def test_cancelling_after_an_async_trial_closed_hears_the_case(case, judge, sun, alice, bob):
    from ecourt.hearings.services.async_trial import async_trial_close

    hearing = schedule(judge, case, sun)
    trial = _open_async_trial(case, judge, alice, bob)
    async_trial_close(actor=judge, trial_id=trial.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED  # the hearing was still to come

    hearing_cancel(actor=judge, hearing_id=hearing.pk, reason="The written trial was enough.")
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD
    assert DocketEntry.objects.filter(case=case, code="cases.heard").exists()


def test_cancelling_a_further_hearing_after_one_was_held_hears_the_case(
    case, judge, sun, time_machine
):
    from ecourt.hearings.services.room import hearing_end, hearing_start

    first = schedule(judge, case, sun)
    second = schedule(judge, case, sun, starts_at=TUESDAY + timedelta(days=7))
    time_machine.move_to(TUESDAY, tick=False)
    hearing_start(actor=judge, hearing_id=first.pk)
    hearing_end(actor=judge, hearing_id=first.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED  # the second is still to come

    hearing_cancel(actor=judge, hearing_id=second.pk, reason="One hearing was enough.")
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD


def test_closing_the_case_cancels_its_hearings_and_frees_who_they_held(
    case, judge, sun, bob, carol, clerk
):
    hearing = schedule(judge, case, sun)
    request = reschedule_request(
        actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is abroad that week."
    )

    case_services.case_close(actor=judge, case_id=case.pk, mode="withdrawal")

    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.CANCELLED
    assert hearing.cancelled_reason == "Case closed: Withdrawal."
    request.refresh_from_db()
    assert request.status == RescheduleStatus.REFUSED
    assert DocketEntry.objects.filter(case=case, code="hearings.cancelled").exists()
    # The judge, the clerk and the courtroom are free at that time again.
    other = schedule(judge, other_case(carol, clerk, judge), sun)
    assert other.status == HearingStatus.SCHEDULED


def test_a_missing_seal_is_a_clear_refusal_not_a_crash(case, judge, sun, bob, settings, tmp_path):
    hearing = schedule(judge, case, sun)
    request = reschedule_request(
        actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is abroad that week."
    )
    settings.ECOURT_SEAL_KEY_FILE = str(tmp_path / "missing-key.pem")

    with refused("seal_unavailable", says="seal is not configured"):
        schedule(judge, case, sun, starts_at=TUESDAY + timedelta(days=1))
    with refused("seal_unavailable"):
        reschedule_decide(
            actor=judge, request_id=request.pk, grant=True, starts_at=TUESDAY + timedelta(days=1)
        )
    assert case.hearings.count() == 1
    request.refresh_from_db()
    assert request.status == RescheduleStatus.PENDING


# --- Attendance and rescheduling ---------------------------------------------------------------


def test_a_party_confirms_attendance(case, judge, sun, bob, oscar):
    hearing = schedule(judge, case, sun)

    rows = attendance_confirm(actor=bob, hearing_id=hearing.pk)

    assert [row.party for row in rows] == [defendant(case)]
    assert rows[0].confirmed_at is not None
    assert hearing.participants.get(party=plaintiff(case)).confirmed_at is None
    with pytest.raises(PermissionDenied):
        attendance_confirm(actor=oscar, hearing_id=hearing.pk)


def test_one_pending_request_per_party_and_the_judge_refuses_with_a_note(case, judge, sun, bob):
    hearing = schedule(judge, case, sun)
    request = reschedule_request(
        actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is abroad that week."
    )
    with refused("reschedule_pending"):
        reschedule_request(actor=bob, hearing_id=hearing.pk, reasons="And we need more time.")

    with refused("note_missing", field="note"):
        reschedule_decide(actor=judge, request_id=request.pk, grant=False, note="")
    with pytest.raises(PermissionDenied):
        reschedule_decide(actor=bob, request_id=request.pk, grant=False, note="Not a judge.")
    request = reschedule_decide(
        actor=judge, request_id=request.pk, grant=False, note="A lawyer can join online."
    )

    assert request.status == RescheduleStatus.REFUSED
    assert DocketEntry.objects.filter(case=case, code="hearings.reschedule_refused").exists()
    # Decided: Bob may ask again.
    assert reschedule_request(
        actor=bob, hearing_id=hearing.pk, reasons="The director is in hospital."
    )


def test_granting_moves_the_hearing_rechecks_conflicts_and_issues_a_new_summons(
    case, judge, sun, bob, carol, clerk
):
    hearing = schedule(judge, case, sun)
    attendance_confirm(actor=bob, hearing_id=hearing.pk)
    first_summons = hearing.summons
    # The judge is busy on Wednesday morning in another case.
    second = other_case(carol, clerk, judge)
    wednesday = TUESDAY + timedelta(days=1)
    schedule(judge, second, assistant("Assistant Ma"), starts_at=wednesday)
    request = reschedule_request(
        actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is abroad that week."
    )

    with refused("conflict", says="Judge Wang"):
        reschedule_decide(actor=judge, request_id=request.pk, grant=True, starts_at=wednesday)
    # Moving onto its own old slot's neighbour is fine: the hearing does not clash with itself.
    request = reschedule_decide(
        actor=judge,
        request_id=request.pk,
        grant=True,
        starts_at=TUESDAY + timedelta(minutes=30),
        minutes=90,
    )

    hearing.refresh_from_db()
    assert request.status == RescheduleStatus.GRANTED
    assert request.old_starts_at == TUESDAY
    assert hearing.starts_at == TUESDAY + timedelta(minutes=30)
    assert hearing.minutes == 90
    assert hearing.summons_id != first_summons.pk
    assert "10:00" in hearing.summons.body
    assert not HearingParticipant.objects.filter(
        hearing=hearing, confirmed_at__isnull=False
    ).exists()
    assert Delivery.objects.filter(document=hearing.summons).count() == 2
    assert DocketEntry.objects.filter(case=case, code="hearings.rescheduled").exists()


def test_no_request_once_the_hearing_started(case, judge, sun, bob, time_machine):
    hearing = schedule(judge, case, sun)
    time_machine.move_to(TUESDAY + timedelta(minutes=1), tick=False)
    with refused("hearing_started"):
        reschedule_request(actor=bob, hearing_id=hearing.pk, reasons="We are running late.")


# --- Judge assignment ---------------------------------------------------------------------------


def test_a_division_head_assigns_a_judge_and_hearings_follow(case, judge, sun):
    head = _staff(Role.DIVISION_HEAD, "Head Gao")
    judge_liu = _staff(Role.JUDGE, "Judge Liu")
    hearing = schedule(judge, case, sun)

    with pytest.raises(PermissionDenied):
        case_judge_assign(actor=judge, case_id=case.pk, judge_id=judge_liu.pk)
    with refused("judge_invalid", field="judge"):
        case_judge_assign(actor=head, case_id=case.pk, judge_id=sun.pk)
    case = case_judge_assign(actor=head, case_id=case.pk, judge_id=judge_liu.pk)

    assert case.judge == judge_liu
    hearing.refresh_from_db()
    assert hearing.judge == judge_liu
    assert hearing.participants.get(role=ParticipantRole.JUDGE).user == judge_liu
    assert DocketEntry.objects.filter(case=case, code="cases.judge_assigned").exists()
    assert AuditEvent.objects.filter(code="ecourt.cases.judge_assigned").exists()


def test_the_system_picks_the_judge_with_the_fewest_open_cases(case, judge):
    head = _staff(Role.DIVISION_HEAD, "Head Gao")
    idle = _staff(Role.JUDGE, "Judge Idle")

    case = case_judge_assign(actor=head, case_id=case.pk)

    assert case.judge == idle


def test_the_judge_of_a_decided_case_does_not_change(case, judge):
    head = _staff(Role.DIVISION_HEAD, "Head Gao")
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DECIDED)  # the road is not tested
    with refused("case_decided"):
        case_judge_assign(actor=head, case_id=case.pk)


def test_the_scheduled_hearing_factory(case, judge):
    hearing = scheduled_hearing(case, judge)
    assert hearing.summons is not None
