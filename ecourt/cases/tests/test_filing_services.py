"""Filing review: the clerk takes an application, asks for corrections, refuses or accepts it;
accepting dockets the case and invites the defendant. Also: publishing a catalogue version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services
from ecourt.cases.models import (
    ApplicationStatus,
    CaseNumberSerial,
    CaseStatus,
    DocketEntry,
    FeeRelief,
    Procedure,
)
from ecourt.cases.rules.jurisdiction import SPC_2018_LIST
from ecourt.cases.services._common import today
from ecourt.cases.tests.factories import (
    DEFENDANT_MOBILE,
    docketed_case,
    draft_application,
    paid,
    submitted_application,
)
from ecourt.core import sms
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent, OutboundMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = ApplicationStatus
CODE_IN_TEXT = re.compile(r"association code ([A-Z2-9]{8})")


@contextmanager
def refused(code: str, field: str | None = None) -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, (info.value.code, str(info.value))
    if field is not None:
        assert info.value.field == field


def events(code, target):
    return list(AuditEvent.objects.filter(code=code, target_id=str(target.pk)))


def under_review(alice, clerk):
    application = submitted_application(alice)
    return services.filing_review_start(actor=clerk, application_id=application.pk)


# --- Only clerks --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "judge", "admin", "mediator"])
def test_only_a_filing_clerk_reviews(request, alice, who):
    actor = request.getfixturevalue(who)
    application = submitted_application(alice)
    pk = application.pk
    attempts = [
        lambda: services.filing_review_start(actor=actor, application_id=pk),
        lambda: services.filing_request_corrections(
            actor=actor, application_id=pk, items=["Fix it."], due=today() + timedelta(days=5)
        ),
        lambda: services.filing_refuse(actor=actor, application_id=pk, reason="Not for us, sorry."),
        lambda: services.filing_accept(actor=actor, application_id=pk),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as info:
            attempt()
        assert info.value.code == "not_clerk"
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


# --- Taking an application ----------------------------------------------------------------------


def test_a_clerk_takes_a_submitted_application(alice, clerk):
    application = under_review(alice, clerk)
    assert (application.status, application.reviewer) == (S.UNDER_REVIEW, clerk)
    [event] = events("ecourt.filing.review.started", application)
    assert (event.old_values, event.new_values) == (
        {"status": "submitted"},
        {"status": "under_review"},
    )


def test_another_clerk_takes_over_and_taking_again_changes_nothing(alice, clerk):
    other = VerifiedUserFactory(display_name="Clerk Fan", roles=[Role.FILING_CLERK])
    application = under_review(alice, clerk)
    services.filing_review_start(actor=clerk, application_id=application.pk)
    assert events("ecourt.filing.review.taken_over", application) == []
    application = services.filing_review_start(actor=other, application_id=application.pk)
    assert application.reviewer == other
    [event] = events("ecourt.filing.review.taken_over", application)
    assert (event.old_values, event.new_values) == ({"reviewer": clerk.pk}, {"reviewer": other.pk})


def test_a_draft_cannot_be_reviewed(alice, clerk):
    application = draft_application(alice)
    with refused("illegal_transition"):
        services.filing_review_start(actor=clerk, application_id=application.pk)
    with refused("not_found"):
        services.filing_review_start(actor=clerk, application_id=987654)


def test_an_application_waiting_for_corrections_is_not_taken_back_silently(alice, clerk):
    application = under_review(alice, clerk)
    services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Fix it."],
        due=today() + timedelta(days=5),
    )
    with refused("illegal_transition"):
        services.filing_review_start(actor=clerk, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.CORRECTIONS_REQUESTED


# --- Corrections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "days", "code", "field"),
    [
        ([], 5, "corrections_missing", "items"),
        (["  ", ""], 5, "corrections_missing", "items"),
        (["Attach the screenshots."], 0, "due_not_future", "due"),
        (["Attach the screenshots."], -3, "due_not_future", "due"),
        (["Attach the screenshots."], 91, "due_too_far", "due"),
    ],
)
def test_corrections_need_items_and_a_reasonable_deadline(alice, clerk, items, days, code, field):
    application = submitted_application(alice)
    with refused(code, field):
        services.filing_request_corrections(
            actor=clerk,
            application_id=application.pk,
            items=items,
            due=today() + timedelta(days=days),
        )
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_asking_for_corrections_stops_the_decision_period(alice, clerk, commit):
    application = submitted_application(alice)
    due = today() + timedelta(days=90)
    with commit():
        application = services.filing_request_corrections(
            actor=clerk,
            application_id=application.pk,
            items=[" Attach the screenshots. ", "", "Name the defendant's  website."],
            due=due,
        )
    assert application.status == S.CORRECTIONS_REQUESTED
    assert application.corrections == ["Attach the screenshots.", "Name the defendant's website."]
    assert application.corrections_due == due
    decision = application.deadlines.get(code="filing_decision")
    correction = application.deadlines.get(code="correction")
    assert decision.cancelled_at is not None
    assert (correction.due_date, correction.start_date, correction.is_open) == (due, today(), True)
    assert "Art. 7" in correction.basis
    [event] = events("ecourt.filing.corrections.requested", application)
    assert event.new_values["items"] == application.corrections
    assert event.new_values["due"] == due.isoformat()
    assert any(m.to == alice.mobile and "correct application" in m.body for m in sms.outbox)
    # The applicant may edit again.
    services.application_set_facts(
        actor=alice, application_id=application.pk, facts="Corrected facts and reasons, in full."
    )


# --- Refusal ------------------------------------------------------------------------------------


def test_a_refusal_needs_reasons(alice, clerk):
    application = submitted_application(alice)
    with refused("reason_missing", "reason"):
        services.filing_refuse(actor=clerk, application_id=application.pk, reason="No.")


def test_a_refusal_opens_the_appeal_period(alice, clerk, time_machine):
    # Monday 21 September 2026: day 10 is 1 October, National Day; the period ends on the 8th.
    time_machine.move_to(datetime(2026, 9, 21, 10, tzinfo=SHANGHAI), tick=False)
    application = submitted_application(alice)
    application = services.filing_refuse(
        actor=clerk,
        application_id=application.pk,
        reason="A family dispute: bring it to the district court.",
    )
    assert (application.status, application.reviewer) == (S.REFUSED, clerk)
    assert application.decision_reason.startswith("A family dispute")
    appeal = application.deadlines.get(code="appeal_ruling")
    assert (appeal.start_date, appeal.due_date, appeal.basis) == (
        date(2026, 9, 21),
        date(2026, 10, 8),
        "CPL Art. 171",
    )
    assert application.deadlines.get(code="filing_decision").met_at is not None
    [event] = events("ecourt.filing.refused", application)
    assert event.old_values == {"status": "under_review"}
    assert event.new_values["status"] == "refused"


def test_an_application_waiting_for_corrections_may_be_refused(alice, clerk):
    application = under_review(alice, clerk)
    services.filing_request_corrections(
        actor=clerk, application_id=application.pk, items=["Fix."], due=today() + timedelta(7)
    )
    application = services.filing_refuse(
        actor=clerk, application_id=application.pk, reason="Nothing was corrected in time."
    )
    assert application.status == S.REFUSED
    assert application.deadlines.get(code="correction").cancelled_at is not None
    with refused("illegal_transition"):
        services.filing_refuse(
            actor=clerk, application_id=application.pk, reason="Refused a second time."
        )


# --- Acceptance: the fee ------------------------------------------------------------------------


def test_it_does_not_docket_while_the_fee_is_unpaid(alice, clerk):
    application = submitted_application(alice)
    with refused("fee_unsettled"):
        services.filing_accept(actor=clerk, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED  # taking it was rolled back with the refusal
    payment = services.payment_start(actor=alice, application_id=application.pk)
    with refused("fee_unsettled"):
        services.filing_accept(actor=clerk, application_id=application.pk)
    services.payment_confirm(actor=clerk, payment_id=payment.pk, record="ICBC 0001 1050.00")
    case = services.filing_accept(actor=clerk, application_id=application.pk)
    assert case.fee_amount == Decimal("1050.00")


@pytest.mark.parametrize("kind", [FeeRelief.DEFERRAL, FeeRelief.WAIVER])
def test_a_granted_deferral_or_waiver_settles_the_fee(alice, clerk, kind):
    application = submitted_application(alice)
    request = services.fee_relief_request(
        actor=alice, application_id=application.pk, kind=kind, reasons="I lost my job in May."
    )
    with refused("fee_unsettled"):
        services.filing_accept(actor=clerk, application_id=application.pk)
    services.fee_relief_decide(actor=clerk, request_id=request.pk, grant=True)
    case = services.filing_accept(actor=clerk, application_id=application.pk)
    assert case.application.status == S.DOCKETED


def test_a_refused_relief_does_not_settle_the_fee(alice, clerk):
    application = submitted_application(alice)
    request = services.fee_relief_request(
        actor=alice, application_id=application.pk, kind="waiver", reasons="I lost my job in May."
    )
    services.fee_relief_decide(
        actor=clerk, request_id=request.pk, grant=False, reason="Income above the threshold."
    )
    with refused("fee_unsettled"):
        services.filing_accept(actor=clerk, application_id=application.pk)


def test_a_granted_reduction_settles_once_the_reduced_fee_is_paid(alice, clerk):
    application = submitted_application(alice)
    request = services.fee_relief_request(
        actor=alice, application_id=application.pk, kind="reduction", reasons="Low income."
    )
    services.fee_relief_decide(actor=clerk, request_id=request.pk, grant=True, reduced_fee="300")
    with refused("fee_unsettled"):
        services.filing_accept(actor=clerk, application_id=application.pk)
    payment = services.payment_start(actor=alice, application_id=application.pk)
    assert payment.amount == Decimal("300.00")
    services.payment_confirm(actor=clerk, payment_id=payment.pk, record="ICBC 0002 300.00")
    case = services.filing_accept(actor=clerk, application_id=application.pk)
    assert case.application.status == S.DOCKETED


# --- Acceptance: the case -----------------------------------------------------------------------


def test_accepting_dockets_the_case(alice, clerk, judge, commit):
    application = paid(submitted_application(alice), clerk)
    with commit():
        case = services.filing_accept(actor=clerk, application_id=application.pk)
    application.refresh_from_db()
    court = get_court_profile().code
    assert application.status == S.DOCKETED
    assert case.number == f"({case.year}){court}民初1号"
    assert (case.status, case.judge, case.procedure, case.docketed_by) == (
        CaseStatus.DOCKETED,
        judge,
        Procedure.ORDINARY,
        clerk,
    )
    assert case.title == "Alice Zhang v. Beta Tech Co., Ltd."
    assert set(case.parties.all()) == set(application.parties.all())
    assert application.deadlines.get(code="filing_decision").met_at is not None
    [event] = events("ecourt.filing.accepted", application)
    assert event.old_values == {"status": "under_review"}
    assert event.new_values == {
        "status": "docketed",
        "case": case.pk,
        "number": case.number,
        "judge": judge.pk,
        "procedure": "ordinary",
    }
    assert any(m.to == alice.mobile and case.number in m.body for m in sms.outbox)


def test_the_docket_opens_with_the_complaint_and_the_docketing(alice, clerk, judge):
    case = docketed_case(alice, clerk)
    complaint, docketing = DocketEntry.objects.filter(case=case).order_by("number")
    assert (complaint.number, complaint.code, complaint.filed_by) == (1, "filing.complaint", alice)
    assert complaint.document_text == case.application.facts_and_reasons
    submitted_on = case.application.submitted_at.astimezone(SHANGHAI).date().isoformat()
    assert complaint.text_en == f"Complaint filed online by Alice Zhang on {submitted_on}."
    assert "Alice Zhang" in complaint.text_zh and submitted_on in complaint.text_zh
    assert (docketing.number, docketing.code, docketing.filed_by) == (2, "filing.docketed", clerk)
    assert docketing.text_en == (
        f"Case docketed as {case.number} (Ordinary procedure); notice of acceptance issued. "
        "Acceptance fee: 1,050.00 yuan. Judge: Judge Wang."
    )
    assert case.number in docketing.text_zh and "Judge Wang" in docketing.text_zh


def test_docketing_starts_the_service_and_trial_periods(alice, clerk, judge, time_machine):
    # Friday 25 September 2026: five days end on 30 September; six months on 25 March 2027.
    time_machine.move_to(datetime(2026, 9, 25, 15, tzinfo=SHANGHAI), tick=False)
    case = docketed_case(alice, clerk)
    service = case.deadlines.get(code="complaint_service")
    trial = case.deadlines.get(code="trial_ordinary")
    assert (service.start_date, service.due_date, service.basis) == (
        date(2026, 9, 25),
        date(2026, 9, 30),
        "CPL Art. 128",
    )
    assert (trial.due_date, trial.basis) == (date(2027, 3, 25), "CPL Art. 152")


def test_the_simplified_procedure_has_a_three_month_period(alice, clerk, judge, time_machine):
    time_machine.move_to(datetime(2026, 3, 31, 10, tzinfo=SHANGHAI), tick=False)
    application = paid(submitted_application(alice), clerk)
    with refused("procedure_invalid", "procedure"):
        services.filing_accept(actor=clerk, application_id=application.pk, procedure="summary")
    case = services.filing_accept(
        actor=clerk, application_id=application.pk, procedure=Procedure.SIMPLIFIED
    )
    trial = case.deadlines.get(code="trial_simplified")
    assert trial.due_date == date(2026, 6, 30)  # 31 June does not exist: the month's last day
    assert not case.deadlines.filter(code="trial_ordinary").exists()


def test_the_defendant_gets_the_association_code_by_text(alice, clerk, judge, commit):
    with commit():
        case = docketed_case(alice, clerk)
    [text] = [m for m in sms.outbox if m.to == DEFENDANT_MOBILE]
    assert case.number in text.body
    assert CODE_IN_TEXT.search(text.body)
    assert "关联码" in text.body  # both languages: we do not know the defendant's
    stored = OutboundMessage.objects.get(purpose="case.association_code")
    assert stored.sensitive
    assert (stored.status, stored.body) == (OutboundMessage.Status.SENT, "")
    party = case.parties.get(side="defendant")
    code = CODE_IN_TEXT.search(text.body).group(1)
    assert code not in party.association_code_hash
    assert party.association_code_expires_at > case.docketed_at + timedelta(days=29)


def test_the_least_loaded_judge_gets_the_case(alice, clerk, judge):
    busy = judge
    idle = VerifiedUserFactory(display_name="Judge Qian", roles=[Role.JUDGE])
    first = docketed_case(alice, clerk, judge=busy)
    second = docketed_case(alice, clerk)
    assert (first.judge, second.judge) == (busy, idle)
    third = docketed_case(alice, clerk)
    assert third.judge == min(busy, idle, key=lambda u: u.pk)  # tie: the first judge


def test_a_closed_case_does_not_count_as_load(alice, clerk, judge):
    idle = VerifiedUserFactory(display_name="Judge Qian", roles=[Role.JUDGE])
    first = docketed_case(alice, clerk, judge=idle)
    services.case_close(actor=idle, case_id=first.pk, mode="withdrawal")
    other = docketed_case(alice, clerk, judge=judge)
    assert other.judge == judge
    assert docketed_case(alice, clerk).judge == idle


def test_the_judge_chosen_must_be_a_judge(alice, clerk, bob):
    application = paid(submitted_application(alice), clerk)
    with refused("judge_invalid", "judge"):
        services.filing_accept(actor=clerk, application_id=application.pk, judge_id=bob.pk)


def test_without_any_judge_the_case_waits_for_one(alice, clerk):
    case = docketed_case(alice, clerk)
    assert case.judge is None
    assert case.docket.get(number=2).text_en.endswith("Judge: —.")


def test_an_application_is_docketed_once(alice, clerk, judge):
    case = docketed_case(alice, clerk)
    with refused("illegal_transition"):
        services.filing_accept(actor=clerk, application_id=case.application_id)


# --- The catalogue in force on the submission date ----------------------------------------------

WITHOUT_COPYRIGHT = [s for s in SPC_2018_LIST if s.code != "online_copyright_infringement"]


def publish(admin, effective_from, types=WITHOUT_COPYRIGHT, **kwargs):
    values = {"basis": "SPC notice (test)", "note": "Copyright infringement moves away."}
    values.update(kwargs)
    return services.catalogue_publish(
        actor=admin, effective_from=effective_from, types=types, **values
    )


def test_an_application_is_judged_by_the_catalogue_of_its_submission_date(
    alice, bob, clerk, judge, admin, time_machine
):
    time_machine.move_to(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=False)
    earlier = paid(submitted_application(alice), clerk)
    chosen_before = draft_application(bob)
    publish(admin, date(2026, 12, 10))

    time_machine.move_to(datetime(2026, 12, 10, 9, tzinfo=SHANGHAI), tick=False)
    case = services.filing_accept(actor=clerk, application_id=earlier.pk)
    assert case.case_type.code == "online_copyright_infringement"

    with refused("incomplete_case_type", "case_type"):
        services.application_submit(actor=bob, application_id=chosen_before.pk)
    with refused("case_type_unknown", "case_type"):
        draft_application(alice, complete=False)


def test_a_type_the_new_catalogue_sends_elsewhere_is_refused_naming_the_court(
    alice, admin, time_machine
):
    time_machine.move_to(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=False)
    moved = [
        replace(
            s,
            accepted=False,
            fee_category="",
            number_type="",
            competent_court_en="The Beijing IP Court",
            competent_court_zh="北京知识产权法院",
        )
        if s.code == "domain_name"
        else s
        for s in SPC_2018_LIST
    ]
    publish(admin, date(2026, 12, 2), types=moved)
    time_machine.move_to(datetime(2026, 12, 2, 0, 5, tzinfo=SHANGHAI), tick=False)
    with pytest.raises(DomainError) as info:
        draft_application(alice, case_type="domain_name", complete=False)
    assert info.value.code == "not_heard"
    assert "北京知识产权法院" in str(info.value) or "Beijing IP Court" in str(info.value)


def test_a_clerk_may_not_accept_what_was_not_heard_on_the_submission_date(
    alice, clerk, judge, admin, time_machine
):
    """Belt and braces: even if a stale type slipped through, acceptance checks again."""
    time_machine.move_to(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=False)
    application = paid(submitted_application(alice), clerk)
    publish(admin, date(2026, 12, 2))
    # The submission is back-dated past the new version's start (as if the clock had been
    # wrong when it was stored): only the check at acceptance stands between it and a case.
    type(application).objects.filter(pk=application.pk).update(
        submitted_at=datetime(2026, 12, 3, 10, tzinfo=SHANGHAI)
    )
    time_machine.move_to(datetime(2026, 12, 3, 11, tzinfo=SHANGHAI), tick=False)
    with refused("not_heard"):
        services.filing_accept(actor=clerk, application_id=application.pk)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"effective_from": "today"}, "effective_date_past"),
        ({"basis": "  "}, "basis_missing"),
        ({"types": [SPC_2018_LIST[0], SPC_2018_LIST[0]]}, "duplicate_code"),
        ({"types": [s for s in SPC_2018_LIST if not s.accepted]}, "empty_catalogue"),
        ({"types": [replace(SPC_2018_LIST[0], name_zh=" ")]}, "case_type_incomplete"),
        ({"types": [replace(SPC_2018_LIST[0], fee_category="")]}, "case_type_incomplete"),
        ({"types": [replace(SPC_2018_LIST[0], number_type="刑初")]}, "case_type_incomplete"),
        (
            {"types": [*SPC_2018_LIST[:11], replace(SPC_2018_LIST[-1], competent_court_zh="")]},
            "competent_court_missing",
        ),
    ],
)
def test_a_catalogue_version_is_checked_before_it_is_published(admin, change, code):
    values = {"effective_from": today() + timedelta(days=30), "types": list(SPC_2018_LIST)}
    values.update(change)
    if values["effective_from"] == "today":
        values["effective_from"] = today()
    with refused(code):
        publish(admin, **values)


def test_only_a_court_administrator_publishes_a_catalogue(clerk):
    with pytest.raises(PermissionDenied) as info:
        publish(clerk, today() + timedelta(days=30))
    assert info.value.code == "not_admin"


def test_versions_follow_each_other_in_time(admin):
    version = publish(admin, today() + timedelta(days=30))
    assert version.case_types.count() == len(WITHOUT_COPYRIGHT)
    assert list(version.case_types.values_list("position", flat=True)) == list(
        range(len(WITHOUT_COPYRIGHT))
    )
    [event] = events("ecourt.filing.catalogue.published", version)
    assert event.new_values["effective_from"] == version.effective_from.isoformat()
    assert "online_copyright_infringement" not in event.new_values["codes"]
    for day in (30, 10):
        with refused("effective_date_taken", "effective_from"):
            publish(admin, today() + timedelta(days=day))
    assert publish(admin, today() + timedelta(days=31)).pk


# --- Case numbers -------------------------------------------------------------------------------


def serials(cases):
    return [(c.year, c.type_code, c.serial) for c in cases]


def test_serials_count_one_two_three_per_year_and_type(alice, clerk, judge):
    court = get_court_profile().code
    civil = [docketed_case(alice, clerk) for _n in range(3)]
    administrative = docketed_case(alice, clerk, case_type="internet_administrative")
    year = civil[0].year
    assert serials(civil) == [(year, "民初", 1), (year, "民初", 2), (year, "民初", 3)]
    assert serials([administrative]) == [(year, "行初", 1)]
    assert administrative.number == f"({year}){court}行初1号"
    assert docketed_case(alice, clerk).serial == 4


def test_a_new_year_starts_again_at_one_by_the_courts_calendar(alice, clerk, judge, time_machine):
    applications = [paid(submitted_application(alice), clerk) for _n in range(3)]
    # 23:00 on 31 December in Shanghai.
    time_machine.move_to(datetime(2026, 12, 31, 15, 0, tzinfo=ZoneInfo("UTC")), tick=False)
    last_of_2026 = services.filing_accept(actor=clerk, application_id=applications[0].pk)
    # 17:00 UTC is still 31 December in London but already 1 January 2027 at the court.
    time_machine.move_to(datetime(2026, 12, 31, 17, 0, tzinfo=ZoneInfo("UTC")), tick=False)
    first_of_2027 = services.filing_accept(actor=clerk, application_id=applications[1].pk)
    second_of_2027 = services.filing_accept(actor=clerk, application_id=applications[2].pk)
    assert serials([last_of_2026, first_of_2027, second_of_2027]) == [
        (2026, "民初", 1),
        (2027, "民初", 1),
        (2027, "民初", 2),
    ]
    assert first_of_2027.number.startswith("(2027)")
    assert first_of_2027.docketed_on == date(2027, 1, 1)


def test_a_failed_docketing_gives_its_serial_back(alice, clerk, judge, monkeypatch):
    first = docketed_case(alice, clerk)
    application = paid(submitted_application(alice), clerk)

    def docket_add_failing(**kwargs):
        raise RuntimeError("disk full while writing the docket")

    monkeypatch.setattr("ecourt.cases.services.filing.docket_add", docket_add_failing)
    with pytest.raises(RuntimeError):
        services.filing_accept(actor=clerk, application_id=application.pk)
    monkeypatch.undo()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not DocketEntry.objects.filter(case__application=application).exists()
    assert events("ecourt.filing.accepted", application) == []
    second = services.filing_accept(actor=clerk, application_id=application.pk)
    assert (first.serial, second.serial) == (1, 2)


def test_the_counter_is_made_on_first_use_and_kept_per_year_and_type(db):
    with transaction.atomic():
        taken = [
            services.case_number_next(year=2030, type_code="民初"),
            services.case_number_next(year=2030, type_code="民初"),
            services.case_number_next(year=2030, type_code="行初"),
            services.case_number_next(year=2031, type_code="民初"),
        ]
    assert taken == [1, 2, 1, 1]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_number_next(year=2030, type_code="民初")
        raise RuntimeError("the docketing failed")
    assert CaseNumberSerial.objects.get(year=2030, type_code="民初").last_serial == 2
