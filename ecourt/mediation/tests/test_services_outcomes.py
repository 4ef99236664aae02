"""How a mediation ends: signing the settlement agreement with a one-time code, judicial
confirmation and the ruling, failure back to filing review, expiry and the one extension.

Alice sues Beta Tech, which Bob represents; Mediator Zhou mediates; Judge Wang rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from ecourt.accounts.models import OneTimeCode, User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory, valid_ric
from ecourt.cases import selectors as case_selectors
from ecourt.cases import services as case_services
from ecourt.cases.models import (
    ApplicationStatus,
    CaseDeadline,
    CaseStatus,
    ClosingMode,
    PartyKind,
    PartySide,
)
from ecourt.cases.services._common import today
from ecourt.cases.tests.factories import (
    DEFENDANT_MOBILE,
    docketed_case,
    draft_application,
    paid,
)
from ecourt.core import deadlines, sms
from ecourt.core.court import get_court_profile
from ecourt.core.selectors import court_calendar
from ecourt.mediation import rules, selectors, services
from ecourt.mediation.models import (
    AgreementSignature,
    FailureReason,
    Mediation,
    MediationConsent,
    MediationStatus,
    SettlementAgreement,
)
from ecourt.mediation.tests.factories import (
    defendant_of,
    mediation_of,
    plaintiff_party,
    registered_mediator,
)
from ecourt.mediation.tests.helpers import (
    TERMS,
    denied,
    divert,
    events,
    fresh,
    join,
    refused,
    room,
    send_code,
    sign,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = ApplicationStatus
M = MediationStatus
FACTS = "Beta Tech published twelve of Alice's photographs on 1 March 2026."


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def settled(
    alice: User, bob: User, mediator: User, admin: User, commit: Any
) -> tuple[Mediation, SettlementAgreement]:
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    for person in (alice, bob):
        sign(person, agreement, commit)
    mediation = fresh(mediation)
    assert mediation.status == M.SETTLED
    return mediation, agreement


def confirmed_case(mediation: Mediation, alice: User, bob: User) -> Any:
    services.confirmation_apply(actor=alice, mediation_id=mediation.pk)
    services.confirmation_apply(actor=bob, mediation_id=mediation.pk)
    case = fresh(mediation).confirmation_case
    assert case is not None
    return case


# --- Signing -------------------------------------------------------------------------------------


def test_it_drafts_the_agreement_from_the_template(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    assert agreement.version == 1
    assert agreement.text_sha256 == rules.text_sha256(agreement.text)
    assert mediation.number in agreement.text and TERMS in agreement.text
    assert get_court_profile().name_zh in agreement.text
    assert "Beta Tech Co., Ltd." in agreement.text
    assert selectors.timeline(mediation)[-1].code == "mediation.agreement.drafted"


def test_it_signs_nothing_with_a_wrong_code_and_counts_the_attempt(
    alice, bob, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    code = send_code(alice, agreement, commit)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with refused("otp_wrong", "code"):
        services.agreement_sign(
            actor=alice, agreement_id=agreement.pk, text_sha256=agreement.text_sha256, code=wrong
        )
    assert not AgreementSignature.objects.exists()
    otp = OneTimeCode.objects.get(destination=alice.mobile, purpose=f"agreement:{agreement.pk}")
    assert (otp.attempts, otp.consumed_at) == (1, None)
    # The right code still works afterwards.
    services.agreement_sign(
        actor=alice, agreement_id=agreement.pk, text_sha256=agreement.text_sha256, code=code
    )
    assert AgreementSignature.objects.count() == 1


def test_it_refuses_an_expired_code(alice, bob, mediator, admin, commit, time_machine):
    time_machine.move_to(datetime(2026, 6, 2, 10, tzinfo=SHANGHAI), tick=False)
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    code = send_code(alice, agreement, commit)
    time_machine.shift(timedelta(seconds=settings.ECOURT_OTP_TTL_SECONDS + 1))
    with refused("otp_expired", "code"):
        services.agreement_sign(
            actor=alice, agreement_id=agreement.pk, text_sha256=agreement.text_sha256, code=code
        )
    assert not AgreementSignature.objects.exists()


def test_it_refuses_a_code_used_once_already(alice, bob, mediator, admin, commit):
    # Alice files for herself and for Ann, her co-plaintiff: she signs for each in turn.
    registered_mediator(mediator, admin)
    application = draft_application(alice)
    ann = case_services.party_add(
        actor=alice,
        application_id=application.pk,
        side=PartySide.PLAINTIFF,
        kind=PartyKind.PERSON,
        name="Ann Zhang",
        id_number=valid_ric(serial=321),
    )
    case_services.application_set_preferences(
        actor=alice, application_id=application.pk, adr_preference=True, simplified_procedure=False
    )
    with commit():
        case_services.application_submit(actor=alice, application_id=application.pk)
    mediation = mediation_of(application)
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    join(mediation, bob)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    code = send_code(alice, agreement, commit)
    mine = application.parties.get(user=alice)
    [signature] = services.agreement_sign(
        actor=alice,
        agreement_id=agreement.pk,
        text_sha256=agreement.text_sha256,
        code=code,
        party_id=mine.pk,
    )
    assert signature.party == mine
    with refused("otp_missing", "code"):
        services.agreement_sign(
            actor=alice,
            agreement_id=agreement.pk,
            text_sha256=agreement.text_sha256,
            code=code,
            party_id=ann.pk,
        )
    assert list(agreement.signatures.values_list("party", flat=True)) == [mine.pk]


def test_it_refuses_a_signature_on_a_text_that_changed(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    code = send_code(alice, agreement, commit)
    other = rules.text_sha256(agreement.text + "Beta Tech also apologises.\n")
    with refused("agreement_changed"):
        services.agreement_sign(
            actor=alice, agreement_id=agreement.pk, text_sha256=other, code=code
        )
    assert not AgreementSignature.objects.exists()
    # The code was not spent on the refused attempt.
    services.agreement_sign(
        actor=alice,
        agreement_id=agreement.pk,
        text_sha256=agreement.text_sha256.upper(),
        code=code,
    )


def test_it_refuses_a_superseded_version_redrafted_after_the_code_was_sent(
    alice, bob, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    first = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    sign(bob, first, commit)
    code = send_code(alice, first, commit)
    second = services.agreement_draft(
        actor=mediator, mediation_id=mediation.pk, terms=TERMS + " Beta Tech apologises."
    )
    with refused("agreement_changed"):
        services.agreement_sign(
            actor=alice, agreement_id=first.pk, text_sha256=first.text_sha256, code=code
        )
    # The code was for the old version only.
    with refused("otp_missing"):
        services.agreement_sign(
            actor=alice, agreement_id=second.pk, text_sha256=second.text_sha256, code=code
        )
    first.refresh_from_db()
    assert first.superseded_at is not None and first.completed_at is None
    assert second.version == 2 and not second.signatures.exists()
    # Bob's signature stays with the version he signed.
    assert [s.party for s in first.signatures.all()] == [defendant_of(mediation)]
    assert fresh(mediation).status == M.IN_PROGRESS


def test_it_lets_only_parties_sign(alice, bob, oscar, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    for actor in (oscar, mediator):
        with refused("not_found"):
            services.agreement_code_send(actor=actor, agreement_id=agreement.pk)
        with refused("not_found"):
            services.agreement_sign(
                actor=actor,
                agreement_id=agreement.pk,
                text_sha256=agreement.text_sha256,
                code="123456",
            )
    sign(alice, agreement, commit)
    with refused("already_signed"):
        services.agreement_code_send(actor=alice, agreement_id=agreement.pk)


def test_it_settles_when_the_last_party_signs(alice, bob, mediator, admin, commit, time_machine):
    time_machine.move_to(datetime(2026, 6, 2, 10, tzinfo=SHANGHAI), tick=False)
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    [first] = sign(alice, agreement, commit)
    assert fresh(mediation).status == M.IN_PROGRESS
    time_machine.shift(timedelta(hours=3))
    with commit():
        [last] = sign(bob, agreement, commit)
    for signature, person in ((first, alice), (last, bob)):
        assert (signature.signed_by, signature.method) == (person, "sms_code")
        assert signature.text_sha256 == agreement.text_sha256 == rules.text_sha256(agreement.text)
    mediation = fresh(mediation)
    application = mediation.application
    assert (mediation.status, application.status) == (M.SETTLED, S.SETTLED)
    assert mediation.ended_on == date(2026, 6, 2)
    agreement.refresh_from_db()
    assert agreement.completed_at is not None
    window = application.deadlines.get(code="judicial_confirmation")
    assert (window.start_date, window.due_date, window.is_open) == (
        date(2026, 6, 2),
        rules.confirmation_window_end(date(2026, 6, 2), court_calendar=court_calendar()),
        True,
    )
    assert application.deadlines.get(code="mediation").met_at is not None
    [event] = events("ecourt.mediation.settled", mediation)
    assert event.new_values == {"status": "settled", "agreement": agreement.pk}
    assert selectors.timeline(mediation)[-1].code == "mediation.settled"
    assert any(m.to == alice.mobile and mediation.number in m.body for m in sms.outbox)
    with refused("illegal_transition"):
        services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)


# --- Judicial confirmation -----------------------------------------------------------------------


def test_it_applies_for_confirmation_only_after_settlement(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    with refused("not_settled"):
        services.confirmation_apply(actor=alice, mediation_id=mediation.pk)
    assert not MediationConsent.objects.exists()


def test_it_dockets_confirmation_once_every_party_applied(
    alice, bob, oscar, clerk, judge, mediator, admin, commit
):
    busy = judge
    docketed_case(alice, clerk, judge=busy, defendant_mobile="+8613900000123")
    free = VerifiedUserFactory(display_name="Judge Liu", roles=[Role.JUDGE])
    mediation, agreement = settled(alice, bob, mediator, admin, commit)
    with refused("not_party"):
        services.confirmation_apply(actor=oscar, mediation_id=mediation.pk)
    services.confirmation_apply(actor=alice, mediation_id=mediation.pk)
    services.confirmation_apply(actor=alice, mediation_id=mediation.pk)  # once is enough
    assert fresh(mediation).confirmation_case is None
    services.confirmation_apply(actor=bob, mediation_id=mediation.pk)
    case = fresh(mediation).confirmation_case
    assert case.number == f"({today().year}){get_court_profile().code}民特{case.serial}号"
    assert (case.type_code, case.fee_amount, case.status) == ("民特", Decimal(0), "docketed")
    assert case.judge == free  # the least loaded judge
    assert case in case_selectors.cases_visible_to(alice)
    assert case in case_selectors.cases_visible_to(bob)
    assert case in case_selectors.cases_visible_to(free)
    assert case not in case_selectors.cases_visible_to(oscar)
    assert set(case.parties.all()) == {plaintiff_party(mediation), defendant_of(mediation)}
    entries = list(case.docket.order_by("number"))
    assert [e.code for e in entries] == ["confirmation.applied", "confirmation.docketed"]
    assert entries[0].document_text == agreement.text
    application = mediation.application
    assert application.deadlines.get(code="judicial_confirmation").met_at is not None
    decision = application.deadlines.get(code="confirmation_decision")
    assert (decision.case, decision.is_open) == (case, True)
    with refused("already_applied"):
        services.confirmation_apply(actor=alice, mediation_id=mediation.pk)
    [event] = events("ecourt.mediation.confirmation.docketed", mediation)
    assert event.new_values == {"case": case.pk, "number": case.number}


def test_it_numbers_confirmations_with_consecutive_serials(alice, bob, mediator, admin, commit):
    serials = []
    for _ in range(2):
        mediation, _agreement = settled(alice, bob, mediator, admin, commit)
        serials.append(confirmed_case(mediation, alice, bob).serial)
    assert serials[1] == serials[0] + 1


def test_it_enforces_the_thirty_day_window(alice, bob, mediator, admin, commit, time_machine):
    time_machine.move_to(datetime(2026, 6, 2, 10, tzinfo=SHANGHAI), tick=False)
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    last_day = rules.confirmation_window_end(date(2026, 6, 2), court_calendar=court_calendar())
    assert last_day == date(2026, 7, 2)
    time_machine.move_to(at(last_day, 23), tick=False)
    services.confirmation_apply(actor=alice, mediation_id=mediation.pk)
    time_machine.move_to(at(last_day + timedelta(days=1), 0), tick=False)
    with refused("window_ended"):
        services.confirmation_apply(actor=bob, mediation_id=mediation.pk)
    assert fresh(mediation).confirmation_case is None


def test_it_lets_only_the_case_judge_rule_and_only_once(
    alice, bob, clerk, judge, mediator, admin, commit
):
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)
    other = VerifiedUserFactory(display_name="Judge Liu", roles=[Role.JUDGE])
    for actor in (other, alice, clerk, mediator):
        with denied("not_judge"):
            services.confirmation_decide(actor=actor, case_id=case.pk, confirm=True)
    with refused("reasons_required", "reasons"):
        services.confirmation_decide(actor=judge, case_id=case.pk, confirm=False, reasons="No.")
    with commit():
        case = services.confirmation_decide(actor=judge, case_id=case.pk, confirm=True)
    assert (case.status, case.closing_mode, case.decision_kind) == (
        CaseStatus.CLOSED,
        ClosingMode.RULING,
        ClosingMode.RULING,
    )
    assert case.decided_on == today() and case.closed_at is not None
    ruling = case.docket.order_by("number").last()
    assert ruling.code == "confirmation.ruling"
    assert "调解协议有效" in ruling.document_text and mediation.number in ruling.document_text
    assert mediation.application.deadlines.get(code="confirmation_decision").met_at is not None
    assert selectors.timeline(mediation)[-1].code == "mediation.confirmation.ruled"
    [event] = events("ecourt.mediation.confirmation.ruled", case)
    assert event.new_values == {"status": "closed", "confirmed": True}
    with refused("decided"):
        services.confirmation_decide(actor=judge, case_id=case.pk, confirm=False, reasons="X" * 20)


def test_it_rejects_an_application_for_confirmation_with_reasons(
    alice, bob, judge, mediator, admin, commit
):
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)
    reasons = "The agreement disposes of a third person's rights."
    case = services.confirmation_decide(
        actor=judge, case_id=case.pk, confirm=False, reasons=reasons
    )
    assert (case.status, case.closing_mode) == (CaseStatus.CLOSED, ClosingMode.RULING)
    ruling = case.docket.order_by("number").last()
    assert reasons in ruling.document_text and "驳回申请" in ruling.document_text
    assert ruling.text_en == "Ruling: the application is rejected."


def test_it_rules_only_on_confirmation_cases(alice, clerk, judge):
    case = docketed_case(alice, clerk, judge=judge)
    with refused("not_found"):
        services.confirmation_decide(actor=judge, case_id=case.pk, confirm=True)


# --- Failure: back to filing review --------------------------------------------------------------


def test_it_fails_when_any_party_refuses_and_returns_to_filing_review(
    alice, bob, mediator, admin, commit, time_machine
):
    time_machine.move_to(datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False)
    mediation = room(alice, bob, mediator, admin, commit)
    time_machine.move_to(datetime(2026, 6, 9, 15, tzinfo=SHANGHAI), tick=False)
    with commit():
        services.mediation_refuse(
            actor=bob, mediation_id=mediation.pk, reason="We will not pay anything."
        )
    mediation = fresh(mediation)
    application = mediation.application
    assert (mediation.status, mediation.failure_reason) == (M.FAILED, FailureReason.REFUSED)
    assert (mediation.ended_on, application.status) == (date(2026, 6, 9), S.UNDER_REVIEW)
    assert application.received_on == date(2026, 6, 9)
    assert application in case_selectors.filing_queue()
    decision = application.deadlines.get(code="filing_decision", cancelled_at__isnull=True)
    assert (decision.start_date, decision.is_open) == (date(2026, 6, 9), True)
    assert decision.due_date == (
        deadlines.deadline("filing_decision", date(2026, 6, 9), court_calendar=court_calendar()).due
    )
    assert application.deadlines.get(code="mediation").cancelled_at is not None
    [event] = events("ecourt.mediation.failed", mediation)
    assert event.actor == bob
    assert event.new_values["reason"] == "refused"
    assert event.new_values["detail"] == "We will not pay anything."
    assert event.new_values["undisputed_facts_carried"] is False
    assert selectors.timeline(mediation)[-1].code == "mediation.failed"
    with refused("illegal_transition"):
        services.mediation_refuse(actor=alice, mediation_id=mediation.pk)


def test_it_lets_a_party_refuse_before_the_mediator_accepted(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    services.mediation_refuse(actor=alice, mediation_id=mediation.pk)
    assert fresh(mediation).status == M.FAILED


def test_it_lets_the_mediator_end_without_agreement_with_a_reason(
    alice, bob, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    with refused("reason_required", "reason"):
        services.mediation_end_without_agreement(
            actor=mediator, mediation_id=mediation.pk, reason=""
        )
    with denied("not_mediator"):
        services.mediation_end_without_agreement(
            actor=alice, mediation_id=mediation.pk, reason="I give up."
        )
    services.mediation_end_without_agreement(
        actor=mediator, mediation_id=mediation.pk, reason="The parties are 40,000 yuan apart."
    )
    mediation = fresh(mediation)
    assert (mediation.status, mediation.failure_reason) == (M.FAILED, FailureReason.NO_AGREEMENT)
    assert mediation.application.status == S.UNDER_REVIEW


def test_it_dockets_after_failure_without_a_new_code_for_a_linked_defendant(
    alice, bob, clerk, judge, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    services.mediation_refuse(actor=alice, mediation_id=mediation.pk)
    invitations = [m for m in sms.outbox if m.to == DEFENDANT_MOBILE]
    assert len(invitations) == 1  # the mediation invitation only
    application = paid(fresh(mediation).application, clerk)
    with commit():
        case = case_services.filing_accept(actor=clerk, application_id=application.pk)
    beta = defendant_of(mediation)
    assert (beta.user, beta.case, beta.association_code_hash) == (bob, case, "")
    assert [m for m in sms.outbox if m.to == DEFENDANT_MOBILE] == invitations
    assert case in case_selectors.cases_visible_to(bob)
    assert fresh(mediation).application.status == S.DOCKETED


def test_it_issues_a_code_at_docketing_to_a_defendant_who_never_joined(
    alice, clerk, judge, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    services.mediation_refuse(actor=alice, mediation_id=mediation.pk)
    with commit():
        case = case_services.filing_accept(
            actor=clerk, application_id=paid(fresh(mediation).application, clerk).pk
        )
    texts = [m.body for m in sms.outbox if m.to == DEFENDANT_MOBILE]
    assert len(texts) == 2 and case.number in texts[-1]


@pytest.mark.parametrize(
    ("who_agrees", "rewritten", "carried"),
    [
        (("alice", "bob"), False, True),
        (("alice",), False, False),
        (("alice", "bob"), True, False),
    ],
)
def test_it_carries_the_facts_only_when_every_party_agreed_to_the_current_text(
    request, alice, bob, mediator, admin, commit, who_agrees, rewritten, carried
):
    mediation = room(alice, bob, mediator, admin, commit)
    with refused("facts_changed"):
        services.facts_agree(actor=alice, mediation_id=mediation.pk, text_sha256="0" * 64)
    with refused("facts_required", "text"):
        services.facts_record(actor=mediator, mediation_id=mediation.pk, text="Short.")
    services.facts_record(actor=mediator, mediation_id=mediation.pk, text=FACTS)
    for name in who_agrees:
        services.facts_agree(
            actor=request.getfixturevalue(name),
            mediation_id=mediation.pk,
            text_sha256=rules.text_sha256(FACTS),
        )
    if rewritten:
        services.facts_record(
            actor=mediator, mediation_id=mediation.pk, text=FACTS + " Eleven were removed."
        )
        with refused("facts_changed"):
            services.facts_agree(
                actor=alice, mediation_id=mediation.pk, text_sha256=rules.text_sha256(FACTS)
            )
    assert (selectors.facts_agreed_by(fresh(mediation)) != set()) == (not rewritten)
    services.mediation_end_without_agreement(
        actor=mediator, mediation_id=mediation.pk, reason="No agreement on the amount."
    )
    [event] = events("ecourt.mediation.failed", mediation)
    assert event.new_values["undisputed_facts_carried"] is carried


# --- Expiry and extension ------------------------------------------------------------------------


def test_it_ends_a_mediation_the_day_after_its_period(
    alice, bob, mediator, admin, commit, time_machine
):
    time_machine.move_to(datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False)
    mediation = room(alice, bob, mediator, admin, commit)
    due = mediation.due_on
    assert due == rules.mediation_due(
        date(2026, 6, 1), days=settings.ECOURT_MEDIATION_DAYS, court_calendar=court_calendar()
    )
    time_machine.move_to(at(due, 23), tick=False)
    assert services.mediations_expire() == 0
    assert fresh(mediation).status == M.IN_PROGRESS
    after = due + timedelta(days=1)
    time_machine.move_to(at(after, 1), tick=False)
    assert services.mediations_expire() == 1
    mediation = fresh(mediation)
    assert (mediation.status, mediation.failure_reason) == (M.FAILED, FailureReason.PERIOD_ENDED)
    assert (mediation.ended_on, mediation.application.received_on) == (after, after)
    assert mediation.application.status == S.UNDER_REVIEW
    [event] = events("ecourt.mediation.failed", mediation)
    assert event.actor is None
    assert services.mediations_expire() == 0
    assert services.mediations_expire(on=after + timedelta(days=30)) == 0


def test_it_never_expires_a_matter_still_waiting_for_a_mediator(alice, mediator, admin, commit):
    registered_mediator(mediator, admin, specialties=("online_loan_contract",))
    mediation = divert(alice, commit)
    assert services.mediations_expire(on=today() + timedelta(days=365)) == 0
    assert fresh(mediation).status == M.AWAITING_MEDIATOR


def test_it_extends_the_period_once_with_every_partys_consent(
    alice, bob, mediator, admin, commit, time_machine
):
    time_machine.move_to(datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False)
    mediation = room(alice, bob, mediator, admin, commit)
    old_due = mediation.due_on
    services.extension_consent(actor=alice, mediation_id=mediation.pk)
    services.extension_consent(actor=alice, mediation_id=mediation.pk)  # counted once
    assert MediationConsent.objects.filter(mediation=mediation).count() == 1
    mediation = fresh(mediation)
    assert (mediation.due_on, mediation.extended) == (old_due, False)
    services.extension_consent(actor=bob, mediation_id=mediation.pk)
    mediation = fresh(mediation)
    new_due = deadlines.period_end(
        old_due,
        settings.ECOURT_MEDIATION_EXTENSION_DAYS,
        deadlines.Unit.DAYS,
        court_calendar=court_calendar(),
    )
    assert (mediation.due_on, mediation.extended) == (new_due, True)
    rows = mediation.application.deadlines.filter(code="mediation").order_by("pk")
    assert [(r.due_date, r.is_open) for r in rows] == [(old_due, False), (new_due, True)]
    [event] = events("ecourt.mediation.extended", mediation)
    assert event.new_values == {"due_on": new_due.isoformat()}
    assert selectors.timeline(mediation)[-1].code == "mediation.extended"
    with refused("already_extended"):
        services.extension_consent(actor=alice, mediation_id=mediation.pk)
    time_machine.move_to(at(old_due + timedelta(days=1)), tick=False)
    assert services.mediations_expire() == 0
    time_machine.move_to(at(new_due + timedelta(days=1)), tick=False)
    assert services.mediations_expire() == 1


def test_it_extends_only_a_mediation_in_progress(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    with refused("illegal_transition"):
        services.extension_consent(actor=alice, mediation_id=mediation.pk)


def test_it_writes_deadline_bases_that_fit_their_column(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    services.extension_consent(actor=alice, mediation_id=mediation.pk)
    services.extension_consent(actor=bob, mediation_id=mediation.pk)
    limit = CaseDeadline._meta.get_field("basis").max_length
    bases = CaseDeadline.objects.filter(application=mediation.application)
    assert [b.basis for b in bases if len(b.basis) > limit] == []
