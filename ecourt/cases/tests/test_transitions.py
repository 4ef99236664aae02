"""The transition tables, move by move: every legal move works through its service and every
other move is refused (APPLICATION_TRANSITIONS, CASE_TRANSITIONS, CLOSING_MODES)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import product

import pytest

from ecourt.cases import services
from ecourt.cases.models import (
    APPLICATION_TRANSITIONS,
    CASE_TRANSITIONS,
    CLOSING_MODES,
    Application,
    ApplicationStatus,
    Case,
    CaseStatus,
    ClosingMode,
    PartyKind,
    PartySide,
)
from ecourt.cases.services._common import today
from ecourt.cases.tests.factories import draft_application, paid, submitted_application
from ecourt.core.errors import DomainError

S = ApplicationStatus
C = CaseStatus

# --- Applications -------------------------------------------------------------------------------

Service = Callable[[dict, Application], object]

APPLICATION_SERVICES: dict[str, Service] = {
    "submit": lambda who, a: services.application_submit(actor=who["alice"], application_id=a.pk),
    "withdraw": lambda who, a: services.application_withdraw(
        actor=who["alice"], application_id=a.pk
    ),
    "review": lambda who, a: services.filing_review_start(actor=who["clerk"], application_id=a.pk),
    "corrections": lambda who, a: services.filing_request_corrections(
        actor=who["clerk"],
        application_id=a.pk,
        items=["Attach the screenshots."],
        due=today() + timedelta(days=10),
    ),
    "refuse": lambda who, a: services.filing_refuse(
        actor=who["clerk"], application_id=a.pk, reason="Not a dispute this court hears."
    ),
    "accept": lambda who, a: services.filing_accept(actor=who["clerk"], application_id=a.pk),
}

#: Which service makes each legal move. None: the mediation capability does (its services are
#: tested move by move in ecourt/mediation/tests).
APPLICATION_MOVES: dict[tuple[str, str], str | None] = {
    (S.DRAFT, S.SUBMITTED): "submit",
    (S.DRAFT, S.WITHDRAWN): "withdraw",
    (S.SUBMITTED, S.UNDER_REVIEW): "review",
    (S.SUBMITTED, S.WITHDRAWN): "withdraw",
    (S.SUBMITTED, S.DIVERTED): None,
    (S.UNDER_REVIEW, S.CORRECTIONS_REQUESTED): "corrections",
    (S.UNDER_REVIEW, S.DOCKETED): "accept",
    (S.UNDER_REVIEW, S.REFUSED): "refuse",
    (S.UNDER_REVIEW, S.WITHDRAWN): "withdraw",
    (S.UNDER_REVIEW, S.DIVERTED): None,
    (S.CORRECTIONS_REQUESTED, S.UNDER_REVIEW): "submit",  # the corrected application
    (S.CORRECTIONS_REQUESTED, S.REFUSED): "refuse",
    (S.CORRECTIONS_REQUESTED, S.WITHDRAWN): "withdraw",
    (S.DIVERTED, S.UNDER_REVIEW): None,
    (S.DIVERTED, S.WITHDRAWN): None,  # mediation_withdraw ends the mediation with it
    (S.DIVERTED, S.SETTLED): None,
}

#: Refusals with their own code instead of ``illegal_transition``.
REFUSAL_CODES = {("withdraw", S.DIVERTED): "in_mediation"}

#: Clerk decisions on a submitted application take it under review first (two legal moves).
CLERK_DECISIONS = {
    "corrections": S.CORRECTIONS_REQUESTED,
    "refuse": S.REFUSED,
    "accept": S.DOCKETED,
}

#: Calls that find their work already done and return it unchanged (idempotent).
ALREADY_DONE = {
    ("submit", S.SUBMITTED),
    ("submit", S.UNDER_REVIEW),
    ("submit", S.DIVERTED),
    ("submit", S.DOCKETED),
    ("submit", S.SETTLED),
    ("withdraw", S.WITHDRAWN),
    ("review", S.UNDER_REVIEW),
}


def application_in(status: str, who: dict) -> Application:
    """An application in ``status``, built through the services."""
    alice, clerk = who["alice"], who["clerk"]
    if status == S.DRAFT:
        return draft_application(alice)
    application = paid(submitted_application(alice), clerk)
    if status == S.SUBMITTED:
        return application
    if status in (S.DIVERTED, S.SETTLED):
        # The mediation capability's moves; cases must not depend on it, so this table test
        # sets the status directly (the real road is in ecourt/mediation/tests).
        Application.objects.filter(pk=application.pk).update(status=status)
    elif status == S.WITHDRAWN:
        services.application_withdraw(actor=alice, application_id=application.pk)
    else:
        services.filing_review_start(actor=clerk, application_id=application.pk)
        follow = {
            S.CORRECTIONS_REQUESTED: "corrections",
            S.REFUSED: "refuse",
            S.DOCKETED: "accept",
        }
        if status in follow:
            APPLICATION_SERVICES[follow[status]](who, application)
    application.refresh_from_db()
    assert application.status == status
    return application


@pytest.fixture
def who(alice, clerk, judge):
    return {"alice": alice, "clerk": clerk}


def test_every_legal_move_has_its_service_written_down():
    table = {(f, t) for f, targets in APPLICATION_TRANSITIONS.items() for t in targets}
    assert set(APPLICATION_MOVES) == table
    assert set(APPLICATION_TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(
    ("source", "target"),
    [move for move, service in APPLICATION_MOVES.items() if service],
    ids=lambda value: str(value),
)
def test_each_legal_application_move_is_made_by_its_service(who, source, target):
    application = application_in(source, who)
    APPLICATION_SERVICES[APPLICATION_MOVES[source, target]](who, application)
    application.refresh_from_db()
    assert application.status == target


def _is_legal(service: str, source: str) -> bool:
    if (source, service) in {(f, s) for (f, _t), s in APPLICATION_MOVES.items()}:
        return True
    return source == S.SUBMITTED and service in CLERK_DECISIONS


@pytest.mark.parametrize(
    ("service", "source"),
    [
        (service, source)
        for service, source in product(APPLICATION_SERVICES, S.values)
        if not _is_legal(service, source)
    ],
    ids=lambda value: str(value),
)
def test_every_other_application_move_is_refused(who, service, source):
    application = application_in(source, who)
    if (service, source) in ALREADY_DONE:
        APPLICATION_SERVICES[service](who, application)
    else:
        with pytest.raises(DomainError) as info:
            APPLICATION_SERVICES[service](who, application)
        assert info.value.code == REFUSAL_CODES.get((service, source), "illegal_transition")
    application.refresh_from_db()
    assert application.status == source


@pytest.mark.parametrize("service", list(CLERK_DECISIONS))
def test_a_clerk_decision_on_a_submitted_application_takes_it_under_review_first(who, service):
    application = application_in(S.SUBMITTED, who)
    APPLICATION_SERVICES[service](who, application)
    application.refresh_from_db()
    assert application.status == CLERK_DECISIONS[service]
    assert application.reviewer == who["clerk"]


# --- Cases --------------------------------------------------------------------------------------


@pytest.fixture
def case(alice, clerk, judge):
    """Alice v. Beta Tech and Dan Du, docketed; neither defendant served yet."""
    application = draft_application(alice)
    services.party_add(
        actor=alice,
        application_id=application.pk,
        side=PartySide.DEFENDANT,
        kind=PartyKind.PERSON,
        name="Dan Du",
        mobile="+8613900000077",
    )
    application = paid(
        services.application_submit(actor=alice, application_id=application.pk), clerk
    )
    return services.filing_accept(actor=clerk, application_id=application.pk, judge_id=judge.pk)


def serve_next(clerk, case):
    party = case.parties.filter(side=PartySide.DEFENDANT, complaint_served_on__isnull=True)[0]
    return services.complaint_service_record(
        actor=clerk, case_id=case.pk, party_id=party.pk, served_on=today(), method="EMS post"
    )


def set_status(case: Case, status: str) -> None:
    # Only for these table tests: put the case straight into ``status`` instead of walking it
    # there through the services (the walk is tested in test_case_services.py).
    Case.objects.filter(pk=case.pk).update(status=status)


CASE_SERVICES: dict[str, Callable[[dict, Case], object]] = {
    "serve": lambda who, case: serve_next(who["clerk"], case),
    "evidence_exchange": lambda who, case: services.case_open_evidence_exchange(
        actor=who["judge"], case_id=case.pk
    ),
    "schedule_hearing": lambda who, case: services.case_schedule_hearing(
        actor=who["judge"], case_id=case.pk, on=today() + timedelta(days=14)
    ),
    "heard": lambda who, case: services.case_record_heard(actor=who["judge"], case_id=case.pk),
    "decide": lambda who, case: services.case_decide(
        actor=who["judge"], case_id=case.pk, kind=ClosingMode.JUDGMENT
    ),
    "effective": lambda who, case: services.case_make_effective(
        actor=who["judge"], case_id=case.pk
    ),
    "appeal": lambda who, case: _appeal(who["alice"], case),
}


def _appeal(alice: object, case: Case) -> object:
    from ecourt.documents.appeals import appeal_file

    plaintiff = case.parties.get(side=PartySide.PLAINTIFF)
    return appeal_file(
        actor=alice,  # type: ignore[arg-type]
        case_id=case.pk,
        party_id=plaintiff.pk,
        requests="Set the judgment aside.",
        reasons="The court misread the licence agreement.",
    )


#: Which service makes each legal move; closing is tested per mode below.
CASE_MOVES: dict[tuple[str, str], str] = {
    (C.DOCKETED, C.COMPLAINT_SERVED): "serve",  # the first of two defendants
    (C.COMPLAINT_SERVED, C.ANSWER_PERIOD): "serve",  # the last one
    (C.ANSWER_PERIOD, C.EVIDENCE_EXCHANGE): "evidence_exchange",
    (C.EVIDENCE_EXCHANGE, C.HEARING_SCHEDULED): "schedule_hearing",
    (C.HEARING_SCHEDULED, C.HEARD): "heard",
    (C.HEARING_SCHEDULED, C.EVIDENCE_EXCHANGE): "evidence_exchange",
    (C.HEARD, C.DECIDED): "decide",
    (C.HEARD, C.HEARING_SCHEDULED): "schedule_hearing",
    (C.DECIDED, C.EFFECTIVE): "effective",
    (C.DECIDED, C.APPEALED): "appeal",
}


@pytest.fixture
def case_who(alice, clerk, judge):
    return {"alice": alice, "clerk": clerk, "judge": judge}


def case_in(case: Case, status: str, who: dict) -> Case:
    if status == C.COMPLAINT_SERVED:
        serve_next(who["clerk"], case)  # through the service: one of two defendants served
    elif status != C.DOCKETED:
        set_status(case, status)
    case.refresh_from_db()
    assert case.status == status
    return case


def test_the_case_table_and_the_closing_modes_agree():
    table = {(f, t) for f, targets in CASE_TRANSITIONS.items() for t in targets}
    assert set(CASE_MOVES) == {(f, t) for f, t in table if t != C.CLOSED}
    closable = {f for f, t in table if t == C.CLOSED}
    assert set().union(*CLOSING_MODES.values()) == closable
    assert set(CLOSING_MODES) == set(ClosingMode.values)
    assert set(CASE_TRANSITIONS) == set(C.values)


@pytest.mark.parametrize(("source", "target"), list(CASE_MOVES), ids=lambda value: str(value))
def test_each_legal_case_move_is_made_by_its_service(case, case_who, source, target):
    case = case_in(case, source, case_who)
    CASE_SERVICES[CASE_MOVES[source, target]](case_who, case)
    case.refresh_from_db()
    assert case.status == target


@pytest.mark.parametrize(
    ("service", "source"),
    [
        (service, source)
        for service, source in product(CASE_SERVICES, C.values)
        if (source, service) not in {(f, s) for (f, _t), s in CASE_MOVES.items()}
        # Once appealed, another party may still appeal within its own period.
        and (source, service) != (C.APPEALED, "appeal")
    ],
    ids=lambda value: str(value),
)
def test_every_other_case_move_is_refused(case, case_who, service, source):
    case = case_in(case, source, case_who)
    with pytest.raises(DomainError) as info:
        CASE_SERVICES[service](case_who, case)
    assert info.value.code == "illegal_transition"
    case.refresh_from_db()
    assert case.status == source


@pytest.mark.parametrize(
    ("mode", "source"),
    [(mode, source) for mode, sources in CLOSING_MODES.items() for source in sorted(sources)],
)
def test_each_closing_mode_closes_from_where_it_may(case, case_who, mode, source):
    case = case_in(case, source, case_who)
    if mode in (ClosingMode.JUDGMENT, ClosingMode.RULING):
        # Set directly like the status: the decision that the judgment or ruling closes with.
        Case.objects.filter(pk=case.pk).update(decision_kind=mode)
    services.case_close(actor=case_who["judge"], case_id=case.pk, mode=mode)
    case.refresh_from_db()
    assert (case.status, case.closing_mode) == (C.CLOSED, mode)


@pytest.mark.parametrize(
    ("mode", "source"),
    [
        (mode, source)
        for mode, sources in CLOSING_MODES.items()
        for source in C.values
        if source not in sources
    ],
)
def test_no_closing_mode_closes_from_elsewhere(case, case_who, mode, source):
    case = case_in(case, source, case_who)
    with pytest.raises(DomainError) as info:
        services.case_close(actor=case_who["judge"], case_id=case.pk, mode=mode)
    assert info.value.code == "illegal_transition"
    case.refresh_from_db()
    assert (case.status, case.closing_mode) == (source, "")


def test_a_case_closes_only_by_the_kind_of_decision_it_has(case, case_who):
    case = case_in(case, C.EFFECTIVE, case_who)
    Case.objects.filter(pk=case.pk).update(decision_kind=ClosingMode.RULING)
    with pytest.raises(DomainError) as info:
        services.case_close(actor=case_who["judge"], case_id=case.pk, mode=ClosingMode.JUDGMENT)
    assert info.value.code == "mode_mismatch"
