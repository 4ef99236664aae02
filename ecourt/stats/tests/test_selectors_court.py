"""The court staff's figures, each on a small court built by hand in June 2026 (the period
asked for) with records just before and after it, and each filter that applies to it.

Applications, cases, mediations and deposits are made through the services (the factories),
so the dates the figures read are the ones the services write. Deliveries and hearings are
written directly: the figures read a few columns of them, and issuing documents or carrying
a case to a hearing through the services would cost seconds per row and decide nothing here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services as case_services
from ecourt.cases.models import Application, CaseDeadline, ClosingMode
from ecourt.cases.tests.factories import (
    docketed_case,
    draft_application,
    paid,
    submitted_application,
)
from ecourt.core.errors import DomainError
from ecourt.delivery.models import Delivery, DeliveryStatus
from ecourt.evidence.models import Blob
from ecourt.evidence.services.log import (
    deposit_for_court,
    deposit_for_user,
    deposits_create,
    log_integrate_all,
)
from ecourt.evidence.tests.factories import institution, records, sha256_of
from ecourt.hearings.models import (
    AsyncTrial,
    AsyncTrialStatus,
    Hearing,
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
)
from ecourt.hearings.tests.factories import assistant, courtroom
from ecourt.mediation import services as mediation_services
from ecourt.mediation.tests.factories import (
    diverted_application,
    mediation_of,
    registered_mediator,
)
from ecourt.stats import selectors_court
from ecourt.stats.selectors import Period
from ecourt.stats.selectors_court import CourtFilter, Line

SHANGHAI = ZoneInfo("Asia/Shanghai")
JUNE = Period(date(2026, 6, 1), date(2026, 6, 30))
SHOPPING = "online_shopping_contract"
COPYRIGHT = "online_copyright_infringement"
REASON = "A family dispute: bring it to the district court."


@pytest.fixture
def on(time_machine: Any) -> Any:
    """``on(month, day, hour=10, minute=0)``: the court's clock stands still then."""

    def move(month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> None:
        moment = datetime(2026, month, day, hour, minute, second, tzinfo=SHANGHAI)
        time_machine.move_to(moment, tick=False)

    return move


@pytest.fixture
def judge_li(db: None) -> User:
    return VerifiedUserFactory(display_name="Judge Li", roles=[Role.JUDGE])


def counts(lines: list[Line]) -> dict[str, int]:
    """The lines that are not zero, by code."""
    return {line.code: line.count for line in lines if line.count}


# --- Filters -----------------------------------------------------------------------------------


def test_it_parses_the_filters_and_refuses_unknown_ones(judge, judge_li, clerk):
    assert selectors_court.court_filter_parse(None, None) == CourtFilter()
    assert selectors_court.court_filter_parse(f" {SHOPPING} ", str(judge.pk)) == CourtFilter(
        SHOPPING, judge.pk
    )
    for case_type, raw_judge, code in [
        ("no_such_type", "", "case_type_invalid"),
        ("", str(clerk.pk), "judge_invalid"),  # staff, but not a judge
        ("", "²", "judge_invalid"),
        ("", "99999999999999999999", "judge_invalid"),
    ]:
        with pytest.raises(DomainError) as info:
            selectors_court.court_filter_parse(case_type, raw_judge)
        assert info.value.code == code


def test_it_lists_judges_by_name_and_every_case_type(judge, judge_li, clerk):
    assert [o.label for o in selectors_court.judge_options()] == ["Judge Li", "Judge Wang"]
    codes = [o.value for o in selectors_court.case_type_options()]
    assert codes[:2] == ["online_shopping_contract", "online_service_contract"]
    assert len(codes) == len(set(codes))


# --- 1. Applications and cases by status -------------------------------------------------------


def test_it_counts_applications_and_cases_by_their_status_today(
    on, alice, carol, clerk, judge, judge_li
):
    on(5, 29)
    docketed_case(alice, clerk, judge=judge)  # submitted and docketed before the period
    on(6, 1, 0, 0)  # the first instant of the period
    submitted_application(alice)
    refused = paid(submitted_application(carol), clerk)
    on(6, 2)
    case_services.filing_refuse(actor=clerk, application_id=refused.pk, reason=REASON)
    docketed_case(alice, clerk, judge=judge_li, case_type=SHOPPING)
    on(6, 3)
    diverted_application(alice)
    draft_application(alice)  # never submitted: not an application
    closed = docketed_case(alice, clerk, judge=judge)
    on(6, 4)
    case_services.case_close(actor=judge, case_id=closed.pk, mode=ClosingMode.WITHDRAWAL)
    on(6, 30, 23, 59)
    submitted_application(carol)
    on(7, 1, 0, 0)  # the first instant after it
    submitted_application(alice)

    everything = CourtFilter()
    assert counts(selectors_court.applications_by_status(JUNE, everything)) == {
        "submitted": 2,
        "docketed": 2,
        "refused": 1,
        "diverted": 1,
    }
    assert counts(selectors_court.cases_by_status(JUNE, everything)) == {
        "docketed": 1,
        "closed": 1,
    }
    # Every status is a line, in the order of the choices; drafts are none.
    lines = selectors_court.applications_by_status(JUNE, everything)
    assert [line.code for line in lines][:2] == ["submitted", "under_review"]
    assert "draft" not in {line.code for line in lines}

    shopping = CourtFilter(case_type=SHOPPING)
    assert counts(selectors_court.applications_by_status(JUNE, shopping)) == {"docketed": 1}
    assert counts(selectors_court.cases_by_status(JUNE, shopping)) == {"docketed": 1}
    # The judge narrows cases only: an application has no judge before docketing.
    li = CourtFilter(judge_id=judge_li.pk)
    assert counts(selectors_court.cases_by_status(JUNE, li)) == {"docketed": 1}
    assert counts(selectors_court.cases_by_status(JUNE, CourtFilter(judge_id=judge.pk))) == {
        "closed": 1
    }
    assert selectors_court.applications_by_status(JUNE, li) == lines


# --- 2. Mediation outcomes ---------------------------------------------------------------------


def test_it_counts_mediation_outcomes_and_the_median_days_to_the_end(on, alice, mediator, admin):
    registered_mediator(mediator, admin)  # takes copyright matters only
    on(5, 30)
    before = mediation_of(diverted_application(alice))
    on(6, 3)
    withdrawn = mediation_of(diverted_application(alice))
    on(6, 4)
    mediation_services.mediation_withdraw(actor=alice, mediation_id=withdrawn.pk)  # 1 day
    on(6, 5)
    failed = mediation_of(diverted_application(alice))
    on(6, 8)
    diverted_application(alice, case_type=SHOPPING)  # nobody takes it: waiting
    on(6, 15)
    mediation_services.mediation_refuse(actor=alice, mediation_id=failed.pk)  # 10 days
    on(6, 20)
    # Ended in the period, but diverted before it: not one of the period's mediations.
    mediation_services.mediation_withdraw(actor=alice, mediation_id=before.pk)

    found = selectors_court.mediation_outcomes(JUNE, CourtFilter())
    assert found.diverted == 3
    assert counts(found.by_status) == {"awaiting_mediator": 1, "failed": 1, "withdrawn": 1}
    assert counts(found.failure_reasons) == {"refused": 1}
    assert [line.code for line in found.failure_reasons] == [
        "refused",
        "no_agreement",
        "period_ended",
    ]
    assert (found.ended, found.median_days_to_end) == (2, 5.5)

    shopping = selectors_court.mediation_outcomes(JUNE, CourtFilter(case_type=SHOPPING))
    assert shopping.diverted == 1 and counts(shopping.by_status) == {"awaiting_mediator": 1}
    assert (shopping.ended, shopping.median_days_to_end) == (0, None)


# --- 3. Filing review against the 7-day limit --------------------------------------------------


@pytest.fixture
def reviews(on, alice, clerk, judge):
    """Four decisions in June 2026 (no holiday near them):

    - received Fri 29 May, docketed Mon 1 June: 3 days, due Fri 5 June, in time;
    - received Mon 1 June, docketed Wed 3 June: 2 days, due Mon 8 June, in time;
    - received Mon 1 June, corrections asked on the 2nd, corrected Thu 4 June (the period
      counts again from then, due Thu 11 June), docketed Fri 12 June: 8 days, late;
    - a shopping case received Tue 2 June, refused Fri 12 June: 10 days, due 9 June, late;
    - and one received in June, decided on 1 July: not a decision of June.
    """
    on(5, 29)
    early = paid(submitted_application(alice), clerk)
    on(6, 1)
    case_services.filing_accept(actor=clerk, application_id=early.pk, judge_id=judge.pk)
    quick = paid(submitted_application(alice), clerk)
    corrected = paid(submitted_application(alice), clerk)
    on(6, 2)
    refused = paid(submitted_application(alice, case_type=SHOPPING), clerk)
    case_services.filing_request_corrections(
        actor=clerk,
        application_id=corrected.pk,
        items=["Sign the complaint."],
        due=date(2026, 6, 9),
    )
    on(6, 3)
    case_services.filing_accept(actor=clerk, application_id=quick.pk, judge_id=judge.pk)
    on(6, 4)
    case_services.application_submit(actor=alice, application_id=corrected.pk)
    later = paid(submitted_application(alice), clerk)
    on(6, 12)
    case_services.filing_accept(actor=clerk, application_id=corrected.pk, judge_id=judge.pk)
    case_services.filing_refuse(actor=clerk, application_id=refused.pk, reason=REASON)
    on(7, 1)
    case_services.filing_accept(actor=clerk, application_id=later.pk, judge_id=judge.pk)
    return corrected


def test_it_measures_filing_review_from_receipt_against_the_limit(reviews, judge_li):
    found = selectors_court.filing_review(JUNE, CourtFilter())
    assert (found.decided, found.docketed, found.refused) == (4, 3, 1)
    assert found.limit_days == 7
    assert found.median_days == 5.5  # of 2, 3, 8 and 10
    assert (found.within_limit, found.within_limit_share) == (2, 0.5)

    shopping = selectors_court.filing_review(JUNE, CourtFilter(case_type=SHOPPING))
    assert (shopping.decided, shopping.refused, shopping.median_days) == (1, 1, 10.0)
    assert (shopping.within_limit, shopping.within_limit_share) == (0, 0.0)
    # Not narrowed by judge: a refused application never has one.
    assert selectors_court.filing_review(JUNE, CourtFilter(judge_id=judge_li.pk)) == found


def test_it_computes_the_due_date_when_no_period_was_stored(reviews):
    """An application decided without its filing-decision period (imported, say) is measured
    against the due date computed from its receipt the same way."""
    CaseDeadline.objects.filter(code="filing_decision").delete()
    found = selectors_court.filing_review(JUNE, CourtFilter())
    assert (found.decided, found.median_days, found.within_limit) == (4, 5.5, 2)


def test_it_has_no_review_times_without_decisions(db):
    found = selectors_court.filing_review(JUNE, CourtFilter())
    assert (found.decided, found.median_days, found.within_limit_share) == (0, None, None)


# --- 4. Deliveries -----------------------------------------------------------------------------


@pytest.fixture
def two_cases(on, alice, clerk, judge, judge_li):
    """Docketed in May, so the documents docketing sends are outside the period: Judge Wang's
    copyright case and Judge Li's shopping case."""
    on(5, 20)
    wang = docketed_case(alice, clerk, judge=judge)
    li = docketed_case(alice, clerk, judge=judge_li, case_type=SHOPPING)
    return wang, li


def delivery(case: Any, rule: str, channel: str, status: str, **extra: Any) -> Delivery:
    now = timezone.now()
    return Delivery.objects.create(
        case=case,
        subject_en="Summons",
        subject_zh="传票",
        created_at=extra.pop("created_at", now),
        served_rule=rule,
        served_channel=channel,
        served_at=now if rule else None,
        status=status,
        **extra,
    )


def test_it_counts_service_by_channel_and_by_how_it_was_served(on, two_cases, judge_li):
    wang, li = two_cases
    on(6, 10)
    delivery(wang, "confirmed.reached", "sms", DeliveryStatus.DELIVERED)
    delivery(wang, "confirmed.read", "inbox", DeliveryStatus.READ)
    delivery(wang, "offline.proof", "", DeliveryStatus.OFFLINE)
    delivery(wang, "", "", DeliveryStatus.FAILED)
    delivery(wang, "", "", DeliveryStatus.QUEUED, legal=False)  # a notice is not service
    delivery(li, "unconfirmed.acted", "inbox", DeliveryStatus.READ)
    delivery(li, "", "", DeliveryStatus.SENT)
    delivery(li, "", "", DeliveryStatus.OFFLINE)
    on(7, 1, 0, 0)
    delivery(wang, "confirmed.reached", "email", DeliveryStatus.DELIVERED)

    found = selectors_court.deliveries(JUNE, CourtFilter())
    assert (found.total, found.served) == (7, 4)
    assert counts(found.by_channel) == {"inbox": 2, "sms": 1, "offline": 1, "not_served": 3}
    assert counts(found.by_outcome) == {
        "confirmed.reached": 1,
        "confirmed.read": 1,
        "unconfirmed.acted": 1,
        "offline.proof": 1,
        "not_served.failed": 1,
        "not_served.offline": 1,
        "not_served.in_progress": 1,
    }
    with_li = selectors_court.deliveries(JUNE, CourtFilter(judge_id=judge_li.pk))
    assert (with_li.total, with_li.served) == (3, 1)
    assert counts(with_li.by_channel) == {"inbox": 1, "not_served": 2}
    assert selectors_court.deliveries(JUNE, CourtFilter(case_type=SHOPPING)) == with_li


def test_it_names_a_service_rule_it_does_not_know_by_its_code(on, two_cases):
    on(6, 10)
    delivery(two_cases[0], "court.decided", "inbox", DeliveryStatus.READ)
    found = selectors_court.deliveries(JUNE, CourtFilter())
    assert Line("court.decided", "court.decided", 1) in found.by_outcome


# --- 5. Evidence deposits and the log ----------------------------------------------------------


def test_it_counts_deposits_by_depositor_and_reads_the_log_size(on, alice):
    depositor, _token = institution()
    on(5, 31, 23, 59, 59)
    deposits_create(actor=None, institution=depositor, records=records(2, "may"))
    on(6, 1, 0, 0, 0)
    deposits_create(actor=None, institution=depositor, records=records(3, "june"))  # 3003 bytes
    on(6, 10)
    deposit_for_user(actor=alice, sha256=sha256_of("photo"), size=5000, media_type="image/png")
    deposit_for_court(sha256=sha256_of("summons"), size=700, media_type="application/pdf")
    log_integrate_all()  # the two of May and these five: a checkpoint of 7
    on(6, 30, 23, 59, 59)
    deposits_create(actor=None, institution=depositor, records=records(1, "late"))  # 1000 bytes
    on(7, 1, 0, 0, 0)
    deposits_create(actor=None, institution=depositor, records=records(1, "july"))
    for name, size in [("a", 10), ("b", 32)]:
        Blob.objects.create(
            sha256=sha256_of(name), size=size, media_type="image/png", storage_name=name
        )

    found = selectors_court.evidence(JUNE)
    assert (found.deposits, found.by_institutions, found.by_people, found.by_the_court) == (
        6,
        4,
        1,
        1,
    )
    assert found.deposited_bytes == 3003 + 1000 + 5000 + 700
    assert found.integrated == 5
    assert found.log_size == 7
    assert found.log_checkpoint_at == datetime(2026, 6, 10, 10, tzinfo=SHANGHAI)
    assert (found.stored_files, found.stored_bytes) == (2, 42)


def test_it_reads_an_empty_log(db):
    found = selectors_court.evidence(JUNE)
    assert (found.deposits, found.deposited_bytes, found.log_size) == (0, 0, 0)
    assert (found.log_checkpoint_at, found.stored_bytes) == (None, 0)


# --- 6. Hearings -------------------------------------------------------------------------------


def hearing(
    case: Any, judge: User, clerk: User, starts: datetime, status: str, *offline: bool
) -> None:
    """A hearing of ``case`` with one participant per flag in ``offline``."""
    row = Hearing.objects.create(
        case=case,
        courtroom=courtroom(),
        judge=judge,
        clerk=clerk,
        starts_at=starts,
        ends_at=starts.replace(hour=starts.hour + 1),
        status=status,
        room=f"room-{Hearing.objects.count()}",
        scheduled_by=judge,
        scheduled_at=timezone.now(),
    )
    for i, flag in enumerate(offline):
        HearingParticipant.objects.create(
            hearing=row, role=ParticipantRole.PARTY, name=f"Party {i}", offline=flag
        )


def test_it_counts_hearings_online_and_in_person_and_asynchronous_trials(
    on, two_cases, judge, judge_li
):
    wang, li = two_cases
    sun = assistant()

    def at(month: int, day: int, hour: int = 9) -> datetime:
        return datetime(2026, month, day, hour, 30, tzinfo=SHANGHAI)

    on(6, 1)
    hearing(wang, judge, sun, at(6, 10), HearingStatus.ENDED, False, False)
    hearing(wang, judge, sun, at(6, 12), HearingStatus.CANCELLED, True, False)
    hearing(li, judge_li, sun, at(6, 30, 15), HearingStatus.SCHEDULED, True, True, False)
    hearing(wang, judge, sun, at(6, 20), HearingStatus.IN_PROGRESS)  # nobody listed: online
    hearing(wang, judge, sun, at(7, 1), HearingStatus.SCHEDULED, False)
    hearing(wang, judge, sun, at(5, 31, 22), HearingStatus.ENDED, False)
    AsyncTrial.objects.create(
        case=wang, judge=judge, opened_at=at(5, 31), status=AsyncTrialStatus.CLOSED
    )
    AsyncTrial.objects.create(case=wang, judge=judge, opened_at=at(6, 16))
    AsyncTrial.objects.create(
        case=li, judge=judge_li, opened_at=at(6, 15), status=AsyncTrialStatus.CLOSED
    )

    found = selectors_court.hearings(JUNE, CourtFilter())
    assert (found.hearings, found.fully_online, found.with_someone_in_person) == (4, 2, 2)
    assert [
        (line.code, line.hearings, line.fully_online, line.with_someone_in_person)
        for line in found.by_status
    ] == [
        ("scheduled", 1, 0, 1),
        ("in_progress", 1, 1, 0),
        ("ended", 1, 1, 0),
        ("cancelled", 1, 0, 1),
    ]
    assert (found.async_trials_opened, found.async_trials_closed) == (2, 1)

    with_li = selectors_court.hearings(JUNE, CourtFilter(judge_id=judge_li.pk))
    assert (with_li.hearings, with_li.with_someone_in_person) == (1, 1)
    assert (with_li.async_trials_opened, with_li.async_trials_closed) == (1, 1)
    copyright = selectors_court.hearings(JUNE, CourtFilter(case_type=COPYRIGHT))
    assert (copyright.hearings, copyright.fully_online, copyright.async_trials_opened) == (3, 2, 1)


# --- 7. Days from filing to closing ------------------------------------------------------------


def test_it_averages_the_days_from_docketing_to_closing(on, alice, clerk, judge, judge_li):
    on(5, 10)
    may = docketed_case(alice, clerk, judge=judge)
    on(6, 1)
    first = docketed_case(alice, clerk, judge=judge)
    july = docketed_case(alice, clerk, judge=judge)
    on(6, 5)
    shopping = docketed_case(alice, clerk, judge=judge_li, case_type=SHOPPING)
    docketed_case(alice, clerk, judge=judge)  # still open: not closed, not counted

    def close(case: Any, who: User, mode: str = ClosingMode.WITHDRAWAL) -> None:
        case_services.case_close(actor=who, case_id=case.pk, mode=mode)

    on(6, 9)
    close(may, judge)  # 30 days
    on(6, 10)
    close(first, judge)  # 9 days
    on(6, 30, 23, 30)
    close(shopping, judge_li, ClosingMode.DISMISSAL)  # 25 days, the last half hour of June
    on(7, 1, 0, 30)
    close(july, judge)  # 30 June in UTC, 1 July at the court: after the period

    found = selectors_court.closing_times(JUNE, CourtFilter())
    assert found.closed == 3
    assert (found.average_days, found.median_days) == (21.3, 25.0)  # 64 / 3
    assert counts(found.by_mode) == {"withdrawal": 2, "dismissal": 1}

    with_wang = selectors_court.closing_times(JUNE, CourtFilter(judge_id=judge.pk))
    assert (with_wang.closed, with_wang.average_days, with_wang.median_days) == (2, 19.5, 19.5)
    by_type = selectors_court.closing_times(JUNE, CourtFilter(case_type=SHOPPING))
    assert (by_type.closed, by_type.average_days, by_type.median_days) == (1, 25.0, 25.0)
    nothing = selectors_court.closing_times(
        JUNE, CourtFilter(judge_id=judge_li.pk, case_type=COPYRIGHT)
    )
    assert (nothing.closed, nothing.average_days, nothing.median_days) == (0, None, None)


# --- All of them -------------------------------------------------------------------------------


def test_it_gathers_every_figure_for_the_period(on, alice, clerk, judge):
    on(6, 2)
    docketed_case(alice, clerk, judge=judge)
    figures = selectors_court.court_figures(JUNE)
    assert figures.court_filter == CourtFilter()
    assert (figures.applications_total, figures.cases_total) == (1, 1)
    assert figures.filing_review.decided == 1
    # Docketing served the complaint copy and the notice of acceptance.
    assert figures.deliveries.total == Delivery.objects.filter(legal=True).count() > 0
    assert Application.objects.count() == 1
