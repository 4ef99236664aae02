"""Asynchronous trial (Online Litigation Rules 2021, Art. 20): consent gates it, each party
answers once per round within the window (late answers accepted and marked), the judge adds
and closes rounds, and closing turns the exchange into the frozen, hashed court record."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from ecourt.accounts.models import User
from ecourt.cases.models import Case, CaseStatus, DocketEntry, Party
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent
from ecourt.delivery.models import Delivery
from ecourt.delivery.tests.factories import beta_case, defendant, link_beta, plaintiff
from ecourt.evidence.models import Deposit
from ecourt.hearings.models import AsyncConsent, AsyncTrialStatus, CourtRecord
from ecourt.hearings.services.async_trial import (
    async_answer_submit,
    async_consent_record,
    async_round_add,
    async_round_close,
    async_trial_close,
    async_trial_open,
    rounds_for_viewer,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
QUESTIONS = "1. Did Beta Tech publish the photographs? 2. Under what licence?"


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit, time_machine) -> Case:
    """Alice v. Beta Tech with Judge Wang, Bob linked for Beta Tech."""
    time_machine.move_to(START, tick=False)
    with commit():
        case = beta_case(alice, bob, clerk, judge)
    link_beta(bob, case)
    # Straight to evidence exchange: these tests are about asynchronous trial, not the road
    # there (answer period, service of the complaint).
    case.status = CaseStatus.EVIDENCE_EXCHANGE
    case.save(update_fields=["status"])
    return case


def consent_all(alice: User, bob: User, case: Case) -> None:
    async_consent_record(actor=alice, case_id=case.pk, party_id=plaintiff(case).pk, consent=True)
    async_consent_record(actor=bob, case_id=case.pk, party_id=defendant(case).pk, consent=True)


def open_trial(judge: User, case: Case, hours: int = 72):
    return async_trial_open(actor=judge, case_id=case.pk, questions=QUESTIONS, window_hours=hours)


@pytest.fixture
def trial(alice: User, bob: User, judge: User, case: Case):
    consent_all(alice, bob, case)
    return open_trial(judge, case)


# --- Consent ------------------------------------------------------------------------------------


def test_it_refuses_to_open_until_every_party_has_answered(alice, judge, case):
    async_consent_record(actor=alice, case_id=case.pk, party_id=plaintiff(case).pk, consent=True)
    with pytest.raises(DomainError) as exc:
        open_trial(judge, case)
    assert exc.value.code == "async_consent_missing"
    assert defendant(case).name in str(exc.value)
    assert plaintiff(case).name not in str(exc.value)


def test_it_refuses_to_open_when_a_party_refused(alice, bob, judge, case):
    async_consent_record(actor=alice, case_id=case.pk, party_id=plaintiff(case).pk, consent=True)
    async_consent_record(actor=bob, case_id=case.pk, party_id=defendant(case).pk, consent=False)
    with pytest.raises(DomainError) as exc:
        open_trial(judge, case)
    assert exc.value.code == "async_consent_refused"
    assert defendant(case).name in str(exc.value)


def test_it_refuses_to_open_when_a_party_refused_online_litigation(alice, bob, judge, case):
    consent_all(alice, bob, case)
    Party.objects.filter(pk=defendant(case).pk).update(online_litigation=False)
    with pytest.raises(DomainError) as exc:
        open_trial(judge, case)
    assert exc.value.code == "online_litigation_refused"
    assert defendant(case).name in str(exc.value)


def test_it_lets_a_party_change_its_answer_until_a_trial_opens(alice, bob, judge, case):
    beta = defendant(case)
    async_consent_record(actor=bob, case_id=case.pk, party_id=beta.pk, consent=False)
    async_consent_record(actor=bob, case_id=case.pk, party_id=beta.pk, consent=True)
    assert AsyncConsent.objects.get(case=case, party=beta).consent is True
    async_consent_record(actor=alice, case_id=case.pk, party_id=plaintiff(case).pk, consent=True)
    open_trial(judge, case)
    with pytest.raises(DomainError) as exc:
        async_consent_record(actor=bob, case_id=case.pk, party_id=beta.pk, consent=False)
    assert exc.value.code == "async_trial_open"
    codes = list(DocketEntry.objects.filter(case=case).values_list("code", flat=True))
    assert codes.count("hearings.async_consent") == 3


def test_it_refuses_a_consent_for_the_other_side(bob, case):
    with pytest.raises(PermissionDenied) as exc:
        async_consent_record(actor=bob, case_id=case.pk, party_id=plaintiff(case).pk, consent=False)
    assert exc.value.code == "not_your_party"
    assert not AsyncConsent.objects.exists()


# --- Opening ------------------------------------------------------------------------------------


def test_only_the_judge_of_the_case_opens_a_trial(alice, bob, clerk, case):
    consent_all(alice, bob, case)
    for someone in (alice, clerk):
        with pytest.raises(PermissionDenied) as exc:
            open_trial(someone, case)
        assert exc.value.code == "not_judge"


@pytest.mark.parametrize("hours", [23, 337, 0])
def test_the_window_is_one_to_fourteen_days(alice, bob, judge, case, hours):
    consent_all(alice, bob, case)
    with pytest.raises(DomainError) as exc:
        open_trial(judge, case, hours=hours)
    assert exc.value.code == "window_out_of_range"
    assert exc.value.field == "window_hours"


def test_it_refuses_a_case_not_ready_for_trial(alice, bob, judge, case):
    consent_all(alice, bob, case)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ANSWER_PERIOD)
    with pytest.raises(DomainError) as exc:
        open_trial(judge, case)
    assert exc.value.code == "illegal_transition"


def test_opening_posts_round_one_moves_the_case_and_tells_the_parties(
    alice, bob, judge, case, commit
):
    consent_all(alice, bob, case)
    with commit():
        trial = open_trial(judge, case, hours=24 * 14)
    first = trial.rounds.get()
    assert (first.number, first.questions) == (1, QUESTIONS)
    assert first.opened_at == START
    assert first.due_at == START + timedelta(days=14)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED
    assert DocketEntry.objects.filter(case=case, code="hearings.async_opened").exists()
    for user in (alice, bob):
        notice = Delivery.objects.filter(user=user, legal=False).order_by("-pk").first()
        assert notice is not None
        assert "2026-03-16 10:00" in notice.notice_en
    with pytest.raises(DomainError) as exc:
        open_trial(judge, case)
    assert exc.value.code == "async_trial_open"


# --- Answers ------------------------------------------------------------------------------------


def test_an_answer_on_time_is_not_late_and_one_after_the_window_is(
    alice, bob, case, trial, time_machine
):
    first = trial.rounds.get()
    time_machine.move_to(START + timedelta(hours=71, minutes=59), tick=False)
    on_time = async_answer_submit(
        actor=alice, round_id=first.pk, party_id=plaintiff(case).pk, text="We own them."
    )
    time_machine.move_to(START + timedelta(hours=72, seconds=1), tick=False)
    late = async_answer_submit(
        actor=bob, round_id=first.pk, party_id=defendant(case).pk, text="We hold a licence."
    )
    assert on_time.late is False
    assert late.late is True
    assert DocketEntry.objects.filter(case=case, code="hearings.async_answer").count() == 2


def test_a_party_answers_a_round_once(alice, case, trial):
    first = trial.rounds.get()
    async_answer_submit(actor=alice, round_id=first.pk, party_id=plaintiff(case).pk, text="A")
    with pytest.raises(DomainError) as exc:
        async_answer_submit(actor=alice, round_id=first.pk, party_id=plaintiff(case).pk, text="B")
    assert exc.value.code == "already_answered"
    assert first.answers.get().text == "A"


def test_a_party_cannot_answer_for_the_other_side(bob, case, trial):
    with pytest.raises(PermissionDenied) as exc:
        async_answer_submit(
            actor=bob, round_id=trial.rounds.get().pk, party_id=plaintiff(case).pk, text="X"
        )
    assert exc.value.code == "not_your_party"


def test_a_closed_round_refuses_answers(alice, judge, case, trial):
    first = trial.rounds.get()
    async_round_close(actor=judge, round_id=first.pk)
    with pytest.raises(DomainError) as exc:
        async_answer_submit(
            actor=alice, round_id=first.pk, party_id=plaintiff(case).pk, text="Too late"
        )
    assert exc.value.code == "round_closed"
    with pytest.raises(DomainError) as exc:
        async_round_close(actor=judge, round_id=first.pk)
    assert exc.value.code == "round_closed"


def test_only_the_judge_closes_a_round(alice, trial):
    with pytest.raises(PermissionDenied):
        async_round_close(actor=alice, round_id=trial.rounds.get().pk)


def test_adding_a_round_closes_the_current_one(judge, trial, time_machine):
    time_machine.move_to(START + timedelta(days=4), tick=False)
    second = async_round_add(
        actor=judge, trial_id=trial.pk, questions="Who took the photographs?", window_hours=48
    )
    first = trial.rounds.get(number=1)
    assert first.closed_at == START + timedelta(days=4)
    assert second.number == 2
    assert second.due_at == START + timedelta(days=6)
    third = async_round_add(actor=judge, trial_id=trial.pk, questions="When?", window_hours=24)
    assert third.number == 3
    assert list(trial.rounds.filter(closed_at__isnull=True)) == [third]


def test_parties_see_the_other_sides_answers_once_the_window_ends(
    alice, bob, judge, case, trial, time_machine
):
    first = trial.rounds.get()
    async_answer_submit(
        actor=bob, round_id=first.pk, party_id=defendant(case).pk, text="We hold a licence."
    )
    [view] = rounds_for_viewer(alice, trial)
    assert (view.answers, view.hidden) == ([], 1)
    [view] = rounds_for_viewer(bob, trial)
    assert [a.text for a in view.answers] == ["We hold a licence."]
    [view] = rounds_for_viewer(judge, trial)
    assert view.hidden == 0 and len(view.answers) == 1
    time_machine.move_to(first.due_at, tick=False)
    [view] = rounds_for_viewer(alice, trial)
    assert (len(view.answers), view.hidden) == (1, 0)


# --- Closing ------------------------------------------------------------------------------------


def test_closing_builds_the_frozen_record_and_the_case_is_heard(
    alice, bob, judge, case, trial, time_machine
):
    first = trial.rounds.get()
    async_answer_submit(
        actor=alice, round_id=first.pk, party_id=plaintiff(case).pk, text="Alice: we own them."
    )
    time_machine.move_to(START + timedelta(days=3, hours=1), tick=False)
    async_answer_submit(
        actor=bob, round_id=first.pk, party_id=defendant(case).pk, text="Beta: licensed."
    )
    async_round_add(actor=judge, trial_id=trial.pk, questions="Show the licence.", window_hours=24)
    async_answer_submit(
        actor=bob,
        round_id=trial.rounds.get(number=2).pk,
        party_id=defendant(case).pk,
        text="Beta: attached as evidence item 3.",
    )
    time_machine.move_to(START + timedelta(days=5), tick=False)
    record = async_trial_close(actor=judge, trial_id=trial.pk)

    record.refresh_from_db()
    text = record.text
    assert case.number in text
    assert QUESTIONS in text and "Show the licence." in text
    for answer in ("Alice: we own them.", "Beta: licensed.", "Beta: attached as evidence"):
        assert answer in text
    with translation.override(settings.LANGUAGE_CODE):
        late_mark = gettext("(late)")
        silent = gettext("Did not answer: %(parties)s") % {"parties": plaintiff(case).name}
    assert text.count(late_mark) == 1
    assert silent in text  # Alice did not answer round 2
    assert "2026-03-05 11:00" in text  # Beta's late answer, court time
    assert record.closed_at == START + timedelta(days=5)
    assert record.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert record.deposit is not None
    assert Deposit.objects.get(pk=record.deposit.pk).sha256 == record.sha256
    assert record.async_trial == trial
    trial.refresh_from_db()
    assert trial.status == AsyncTrialStatus.CLOSED
    assert not trial.rounds.filter(closed_at__isnull=True).exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD
    codes = set(DocketEntry.objects.filter(case=case).values_list("code", flat=True))
    assert {"hearings.async_closed", "hearings.record_closed", "cases.heard"} <= codes
    with pytest.raises(DomainError) as exc:
        async_answer_submit(
            actor=alice, round_id=first.pk, party_id=plaintiff(case).pk, text="After"
        )
    assert exc.value.code == "async_trial_closed"
    with pytest.raises(DomainError):
        async_trial_close(actor=judge, trial_id=trial.pk)
    assert CourtRecord.objects.filter(async_trial=trial).count() == 1


def test_only_the_judge_closes_the_trial(bob, trial):
    with pytest.raises(PermissionDenied):
        async_trial_close(actor=bob, trial_id=trial.pk)
    assert not CourtRecord.objects.exists()


def test_a_heard_case_is_tried_again_until_the_trial_closes(alice, bob, judge, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.HEARD)
    consent_all(alice, bob, case)
    trial = open_trial(judge, case)
    case.refresh_from_db()
    # Being tried again: no judgment while the trial is open.
    assert case.status == CaseStatus.HEARING_SCHEDULED
    assert AuditEvent.objects.filter(
        code="ecourt.hearings.async_trial.opened", old_values__case_status=CaseStatus.HEARD
    ).exists()
    async_trial_close(actor=judge, trial_id=trial.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD


def test_closing_the_case_closes_the_trial_and_its_rounds(alice, bob, judge, case, trial):
    from ecourt.cases.services import case_close

    round_ = trial.rounds.get()
    case_close(actor=judge, case_id=case.pk, mode="withdrawal")

    trial.refresh_from_db()
    round_.refresh_from_db()
    assert trial.status == AsyncTrialStatus.CLOSED and trial.closed_at == START
    assert round_.closed_at == START
    assert DocketEntry.objects.filter(case=case, code="hearings.async_closed").exists()
    with pytest.raises(DomainError) as exc:
        async_answer_submit(
            actor=alice, round_id=round_.pk, party_id=plaintiff(case).pk, text="We did not."
        )
    assert exc.value.code == "case_closed"
    with pytest.raises(DomainError) as exc:
        async_round_add(actor=judge, trial_id=trial.pk, questions=QUESTIONS, window_hours=72)
    assert exc.value.code == "case_closed"


def test_the_case_waits_for_a_scheduled_online_hearing(alice, bob, judge, case):
    from ecourt.hearings.tests.factories import ensure_seal, scheduled_hearing

    ensure_seal()  # the summons is a signed PDF
    scheduled_hearing(case, judge)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED
    consent_all(alice, bob, case)
    trial = open_trial(judge, case)
    async_trial_close(actor=judge, trial_id=trial.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED
