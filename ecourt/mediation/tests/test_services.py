"""Pre-filing mediation services, up to the room: diversion (at submission or on the court's
proposal), assignment of a mediator, withdrawal, and the room (messages, caucus, sessions,
proposals). The room is in test_services_room.py, outcomes in test_services_outcomes.py.

Alice sues Beta Tech, which Bob represents; Mediator Zhou takes copyright matters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ecourt.cases import selectors as case_selectors
from ecourt.cases import services as case_services
from ecourt.cases.models import (
    ApplicationStatus,
    CaseDeadline,
)
from ecourt.cases.services._common import today
from ecourt.cases.tests.factories import (
    DEFENDANT_MOBILE,
    draft_application,
    paid,
    submitted_application,
)
from ecourt.core import sms
from ecourt.core.court import get_court_profile
from ecourt.core.selectors import court_calendar
from ecourt.mediation import rules, selectors, services
from ecourt.mediation.models import (
    DiversionProposal,
    DiversionRoute,
    Mediation,
    MediationStatus,
    Mediator,
)
from ecourt.mediation.tests.factories import (
    COPYRIGHT,
    mediation_of,
    registered_mediator,
)
from ecourt.mediation.tests.helpers import (
    another_mediator,
    denied,
    divert,
    events,
    fresh,
    give_open_matters,
    refused,
    room,
    under_review,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = ApplicationStatus
M = MediationStatus
LOAN = "online_loan_contract"


# --- Diversion at submission ---------------------------------------------------------------------


def test_it_diverts_at_submission_when_the_plaintiff_asked_for_mediation(
    alice, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    application = mediation.application
    court = get_court_profile()
    year = today().year
    assert mediation.number == f"({year}){court.code}民诉前调{mediation.serial}号"
    assert (mediation.year, mediation.route) == (year, DiversionRoute.PREFERENCE)
    assert (mediation.diverted_on, application.status) == (today(), S.DIVERTED)
    assert application not in case_selectors.filing_queue()
    decision = application.deadlines.get(code="filing_decision")
    assert decision.cancelled_at is not None and decision.met_at is None
    invitations = [m.body for m in sms.outbox if m.to == DEFENDANT_MOBILE]
    assert len(invitations) == 1 and mediation.number in invitations[0]
    assert "association code" in invitations[0]
    [event] = events("ecourt.mediation.diverted", mediation)
    assert event.actor == alice
    assert event.old_values == {"application_status": "submitted"}
    assert event.new_values == {
        "application_status": "diverted",
        "number": mediation.number,
        "route": "preference",
    }
    timeline = selectors.timeline(mediation)
    assert (timeline[0].number, timeline[0].code) == (1, "mediation.diverted")
    assert mediation.number in timeline[0].text_en and mediation.number in timeline[0].text_zh


def test_it_numbers_diversions_with_consecutive_serials(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediations = [divert(alice, commit) for _ in range(4)]
    first = mediations[0].serial
    assert [m.serial for m in mediations] == [first, first + 1, first + 2, first + 3]
    court = get_court_profile()
    assert [m.number for m in mediations] == [
        f"({today().year}){court.code}民诉前调{first + i}号" for i in range(4)
    ]


def test_it_starts_the_serials_again_in_a_new_year_by_the_courts_clock(
    alice, mediator, admin, commit, time_machine
):
    registered_mediator(mediator, admin)
    # 23:50 on 31 December in Beijing is still 2026; 00:10 on 1 January is 2027, although
    # it is 16:10 on 31 December in UTC.
    time_machine.move_to(datetime(2026, 12, 31, 23, 50, tzinfo=SHANGHAI), tick=False)
    old = divert(alice, commit)
    time_machine.move_to(datetime(2027, 1, 1, 0, 10, tzinfo=SHANGHAI), tick=False)
    new = divert(alice, commit)
    assert (old.year, new.year, new.serial) == (2026, 2027, 1)
    assert new.number.startswith("(2027)") and new.number.endswith("民诉前调1号")


def test_it_leaves_an_application_without_the_preference_in_filing_review(alice, commit):
    with commit():
        application = submitted_application(alice)
    assert application.status == S.SUBMITTED
    assert not Mediation.objects.filter(application=application).exists()
    assert application in case_selectors.filing_queue()
    assert application.deadlines.get(code="filing_decision").is_open


def test_it_never_diverts_a_resubmission_after_corrections(alice, clerk, mediator, admin):
    registered_mediator(mediator, admin)
    application = under_review(alice, clerk)
    case_services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Attach the screenshots."],
        due=today() + timedelta(days=5),
    )
    case_services.application_set_preferences(
        actor=alice, application_id=application.pk, adr_preference=True, simplified_procedure=False
    )
    application = case_services.application_submit(actor=alice, application_id=application.pk)
    assert application.status == S.UNDER_REVIEW
    assert not Mediation.objects.exists()


def test_it_submits_twice_without_diverting_twice(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    again = case_services.application_submit(actor=alice, application_id=mediation.application_id)
    assert again.status == S.DIVERTED
    assert Mediation.objects.count() == 1
    with refused("illegal_transition"), transaction.atomic():
        services.mediation_divert(actor=alice, application=again, route=DiversionRoute.PREFERENCE)


# --- The court proposes mediation ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "judge", "mediator", "admin"])
def test_it_lets_only_a_filing_clerk_propose_mediation(request, alice, who):
    application = submitted_application(alice)
    with denied("not_clerk"):
        services.diversion_propose(
            actor=request.getfixturevalue(who), application_id=application.pk
        )
    assert not DiversionProposal.objects.exists()


def test_it_proposes_only_during_filing_review(alice, clerk):
    draft = draft_application(alice)
    with refused("illegal_transition"):
        services.diversion_propose(actor=clerk, application_id=draft.pk)
    application = under_review(alice, clerk)
    case_services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Attach the screenshots."],
        due=today() + timedelta(days=5),
    )
    with refused("illegal_transition"):
        services.diversion_propose(actor=clerk, application_id=application.pk)
    with refused("not_found"):
        services.diversion_propose(actor=clerk, application_id=987654)


@pytest.mark.parametrize("reviewing", [False, True])
def test_it_proposes_on_a_submitted_or_reviewed_application(alice, clerk, commit, reviewing):
    application = under_review(alice, clerk) if reviewing else submitted_application(alice)
    with commit():
        proposal = services.diversion_propose(
            actor=clerk, application_id=application.pk, note="  A licence fee dispute.  "
        )
    assert (proposal.proposed_by, proposal.note, proposal.accepted) == (
        clerk,
        "A licence fee dispute.",
        None,
    )
    assert selectors.open_proposal(application.pk) == proposal
    assert selectors.open_proposal_for(alice, application.pk) == proposal
    [event] = events("ecourt.mediation.proposed", application)
    assert event.new_values == {"proposal": proposal.pk}
    assert any(m.to == alice.mobile for m in sms.outbox)


def test_it_keeps_one_open_proposal_at_a_time(alice, clerk):
    application = submitted_application(alice)
    services.diversion_propose(actor=clerk, application_id=application.pk)
    with refused("proposal_open"):
        services.diversion_propose(actor=clerk, application_id=application.pk)
    assert DiversionProposal.objects.count() == 1


@pytest.mark.parametrize("who", ["bob", "oscar", "clerk", "carol"])
def test_it_lets_only_the_plaintiffs_filer_answer(request, alice, clerk, who):
    application = submitted_application(alice)
    proposal = services.diversion_propose(actor=clerk, application_id=application.pk)
    with refused("not_found"):
        services.diversion_answer(
            actor=request.getfixturevalue(who), proposal_id=proposal.pk, accept=True
        )
    proposal.refresh_from_db()
    assert proposal.accepted is None
    with refused("not_found"):
        services.diversion_answer(actor=alice, proposal_id=987654, accept=True)


def test_it_diverts_when_the_plaintiff_accepts_the_proposal(alice, clerk, mediator, admin):
    registered_mediator(mediator, admin)
    application = under_review(alice, clerk)
    proposal = services.diversion_propose(actor=clerk, application_id=application.pk)
    proposal = services.diversion_answer(actor=alice, proposal_id=proposal.pk, accept=True)
    assert (proposal.accepted, proposal.answered_by) == (True, alice)
    mediation = mediation_of(application)
    assert (mediation.route, mediation.status) == (DiversionRoute.PROPOSAL, M.ASSIGNED)
    application.refresh_from_db()
    assert application.status == S.DIVERTED
    assert application not in case_selectors.filing_queue()
    assert events("ecourt.mediation.proposal.accepted", application)
    [event] = events("ecourt.mediation.diverted", mediation)
    assert event.old_values == {"application_status": "under_review"}
    with refused("proposal_answered"):
        services.diversion_answer(actor=alice, proposal_id=proposal.pk, accept=True)


def test_it_keeps_filing_review_when_the_plaintiff_declines(alice, clerk):
    application = under_review(alice, clerk)
    proposal = services.diversion_propose(actor=clerk, application_id=application.pk)
    proposal = services.diversion_answer(actor=alice, proposal_id=proposal.pk, accept=False)
    assert (proposal.accepted, proposal.answered_by) == (False, alice)
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert application.deadlines.get(code="filing_decision").is_open
    assert not Mediation.objects.exists()
    assert events("ecourt.mediation.proposal.declined", application)
    assert selectors.open_proposal(application.pk) is None
    # Declined, it may be proposed again later.
    services.diversion_propose(actor=clerk, application_id=application.pk)


def test_it_lapses_a_proposal_accepted_after_the_case_was_docketed(alice, clerk, judge):
    application = under_review(alice, clerk)
    proposal = services.diversion_propose(actor=clerk, application_id=application.pk)
    case_services.filing_accept(actor=clerk, application_id=paid(application, clerk).pk)
    with refused("proposal_lapsed"):
        services.diversion_answer(actor=alice, proposal_id=proposal.pk, accept=True)
    proposal.refresh_from_db()
    assert proposal.lapsed_at is not None and proposal.accepted is None
    application.refresh_from_db()
    assert application.status == S.DOCKETED
    assert not Mediation.objects.exists()
    with refused("proposal_answered"):
        services.diversion_answer(actor=alice, proposal_id=proposal.pk, accept=True)


def test_it_stops_offering_a_proposal_once_the_case_is_docketed(alice, clerk, judge):
    application = under_review(alice, clerk)
    services.diversion_propose(actor=clerk, application_id=application.pk)
    case_services.filing_accept(actor=clerk, application_id=paid(application, clerk).pk)
    assert selectors.open_proposal_for(alice, application.pk) is None


def test_it_never_proposes_mediation_again_after_a_failed_one(
    alice, clerk, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    services.mediation_refuse(actor=alice, mediation_id=mediation.pk)
    with refused("already_mediated"):
        services.diversion_propose(actor=clerk, application_id=mediation.application_id)


# --- Withdrawal ----------------------------------------------------------------------------------


def test_it_refuses_a_withdrawal_from_the_filing_side_while_in_mediation(
    alice, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    with refused("in_mediation"):
        case_services.application_withdraw(actor=alice, application_id=mediation.application_id)
    assert fresh(mediation).application.status == S.DIVERTED


def test_it_withdraws_the_mediation_and_the_application_together(
    alice, bob, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    mediation = services.mediation_withdraw(actor=alice, mediation_id=mediation.pk)
    mediation = fresh(mediation)
    assert (mediation.status, mediation.application.status) == (M.WITHDRAWN, S.WITHDRAWN)
    assert mediation.ended_on == today()
    assert not CaseDeadline.objects.filter(
        application=mediation.application, met_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    [event] = events("ecourt.mediation.withdrawn", mediation)
    assert event.new_values == {"status": "withdrawn", "application_status": "withdrawn"}
    assert selectors.timeline(mediation)[-1].code == "mediation.withdrawn"
    with refused("illegal_transition"):
        services.mediation_withdraw(actor=alice, mediation_id=mediation.pk)


def test_it_lets_only_the_plaintiff_side_withdraw(alice, bob, oscar, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    with denied("not_plaintiff"):
        services.mediation_withdraw(actor=bob, mediation_id=mediation.pk)
    with refused("not_party"):
        services.mediation_withdraw(actor=oscar, mediation_id=mediation.pk)
    with refused("not_party"):
        services.mediation_withdraw(actor=mediator, mediation_id=mediation.pk)
    assert fresh(mediation).status == M.IN_PROGRESS


# --- Assignment ----------------------------------------------------------------------------------


def test_it_assigns_a_mediator_whose_specialties_cover_the_case_type(
    alice, mediator, admin, commit
):
    registered_mediator(mediator, admin, specialties=(LOAN,))
    loans = another_mediator(admin, "Mediator Loan", specialties=(LOAN, COPYRIGHT))
    mediation = divert(alice, commit)
    assert mediation.mediator == loans


def test_it_skips_a_mediator_at_capacity(alice, mediator, admin, commit):
    full = registered_mediator(mediator, admin, capacity=1)
    give_open_matters(full, 1)
    other = another_mediator(admin, capacity=5)
    give_open_matters(other, 4)
    assert divert(alice, commit).mediator == other


def test_it_skips_a_mediator_who_does_not_speak_the_plaintiffs_language(
    alice, mediator, admin, commit
):
    assert alice.preferred_language == "en"
    registered_mediator(mediator, admin, languages=("zh-hans",))
    bilingual = another_mediator(admin, languages=("zh-hans", "en"))
    mediation = divert(alice, commit)
    assert (mediation.language, mediation.mediator) == ("en", bilingual)


def test_it_assigns_the_least_loaded_by_share_of_capacity(alice, mediator, admin, commit):
    # 1 of 2 is 50 %; 3 of 10 is 30 %: the busier-looking mediator has more room.
    part_time = registered_mediator(mediator, admin, capacity=2)
    give_open_matters(part_time, 1)
    full_time = another_mediator(admin, capacity=10)
    give_open_matters(full_time, 3)
    assert divert(alice, commit).mediator == full_time


def test_it_breaks_a_tie_by_the_longest_idle(alice, mediator, admin, commit):
    recent = registered_mediator(mediator, admin)
    idle = another_mediator(admin)
    never = another_mediator(admin, "Mediator Sun")
    now = timezone.now()
    Mediator.objects.filter(pk=recent.pk).update(last_assigned_at=now - timedelta(hours=1))
    Mediator.objects.filter(pk=idle.pk).update(last_assigned_at=now - timedelta(days=3))
    first = divert(alice, commit)
    assert first.mediator == never
    # Now Sun has one matter; Qian (idle three days) and Zhou tie at no open matters.
    second = divert(alice, commit)
    assert second.mediator == idle
    never.refresh_from_db()
    assert never.last_assigned_at is not None


def test_it_leaves_the_matter_waiting_when_nobody_is_eligible(alice, mediator, admin, commit):
    registered_mediator(mediator, admin, specialties=(LOAN,))
    mediation = divert(alice, commit)
    assert (mediation.status, mediation.mediator) == (M.AWAITING_MEDIATOR, None)
    assert (mediation.period_started_on, mediation.due_on) == (None, None)
    assert not mediation.application.deadlines.filter(code="mediation").exists()
    codes = [e.code for e in selectors.timeline(mediation)]
    assert codes == ["mediation.diverted", "mediation.waiting"]
    assert "No mediator is free" in selectors.timeline(mediation)[-1].text_en
    assert mediation in [line.mediation for line in selectors.open_mediations()]


def test_it_starts_the_period_at_the_first_assignment(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    start = today()
    due = rules.mediation_due(
        start, days=settings.ECOURT_MEDIATION_DAYS, court_calendar=court_calendar()
    )
    assert (mediation.status, mediation.period_started_on, mediation.due_on) == (
        M.ASSIGNED,
        start,
        due,
    )
    row = mediation.application.deadlines.get(code="mediation")
    assert (row.start_date, row.due_date, row.is_open) == (start, due, True)
    assert row.start_event == "assignment of a mediator"
    [event] = events("ecourt.mediation.assigned", mediation)
    assert event.new_values["mediator"] == mediation.mediator_id
    assert event.new_values["status"] == "assigned"


def test_it_counts_the_period_from_a_late_first_assignment_and_never_restarts_it(
    alice, clerk, mediator, admin, commit, time_machine
):
    # Monday 7 September 2026: 30 days end on National Day; the period ends on 8 October.
    time_machine.move_to(datetime(2026, 9, 3, 10, tzinfo=SHANGHAI), tick=False)
    zhou = registered_mediator(mediator, admin, specialties=(LOAN,))
    mediation = divert(alice, commit)
    assert mediation.status == M.AWAITING_MEDIATOR
    time_machine.move_to(datetime(2026, 9, 7, 10, tzinfo=SHANGHAI), tick=False)
    services.mediation_reassign(actor=clerk, mediation_id=mediation.pk, mediator_id=zhou.pk)
    mediation = fresh(mediation)
    assert (mediation.period_started_on, mediation.due_on) == (
        date(2026, 9, 7),
        date(2026, 10, 8),
    )
    time_machine.move_to(datetime(2026, 9, 10, 10, tzinfo=SHANGHAI), tick=False)
    qian = another_mediator(admin)
    services.mediation_reassign(actor=clerk, mediation_id=mediation.pk, mediator_id=qian.pk)
    mediation = fresh(mediation)
    assert (mediation.mediator, mediation.period_started_on) == (qian, date(2026, 9, 7))
    assert mediation.due_on == date(2026, 10, 8)
    assert mediation.application.deadlines.filter(code="mediation").count() == 1


def test_it_lets_only_the_assigned_mediator_accept_or_decline(
    alice, bob, oscar, clerk, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    qian = another_mediator(admin)
    mediation = divert(alice, commit)
    assert mediation.mediator.user == mediator
    for actor in (qian.user, alice, oscar, clerk):
        with denied("not_mediator"):
            services.mediation_accept(actor=actor, mediation_id=mediation.pk)
        with denied("not_mediator"):
            services.mediation_decline(
                actor=actor, mediation_id=mediation.pk, reason="Not my matter at all."
            )
    assert fresh(mediation).status == M.ASSIGNED
    with refused("not_found"):
        services.mediation_accept(actor=mediator, mediation_id=987654)


def test_it_opens_the_room_when_the_mediator_accepts(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    with commit():
        services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    mediation = fresh(mediation)
    assert mediation.status == M.IN_PROGRESS and mediation.accepted_at is not None
    assert selectors.timeline(mediation)[-1].code == "mediation.accepted"
    assert any(m.to == alice.mobile and mediation.number in m.body for m in sms.outbox)
    # Accepting again changes nothing; declining an accepted matter is not possible.
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    assert len(events("ecourt.mediation.accepted", mediation)) == 1
    with refused("illegal_transition"):
        services.mediation_decline(actor=mediator, mediation_id=mediation.pk, reason="Too late.")


def test_it_needs_a_reason_to_decline(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    with refused("reason_required", "reason"):
        services.mediation_decline(actor=mediator, mediation_id=mediation.pk, reason="  \n ")
    assert fresh(mediation).mediator.user == mediator


def test_it_gives_a_declined_matter_to_the_next_and_never_back(alice, mediator, admin, commit):
    zhou = registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    qian = another_mediator(admin)
    services.mediation_decline(
        actor=mediator, mediation_id=mediation.pk, reason="I advised Beta Tech last year."
    )
    mediation = fresh(mediation)
    assert (mediation.status, mediation.mediator, mediation.declined_by) == (
        M.ASSIGNED,
        qian,
        [zhou.pk],
    )
    [event] = events("ecourt.mediation.declined", mediation)
    assert event.new_values == {"reason": "I advised Beta Tech last year."}
    assert "I advised Beta Tech last year." in selectors.timeline(mediation)[-2].text_en
    services.mediation_decline(actor=qian.user, mediation_id=mediation.pk, reason="No time.")
    mediation = fresh(mediation)
    # Zhou is free and qualified, but declined: the matter waits for the court.
    assert (mediation.status, mediation.mediator) == (M.AWAITING_MEDIATOR, None)
    assert sorted(mediation.declined_by) == sorted([zhou.pk, qian.pk])
    assert selectors.timeline(mediation)[-1].code == "mediation.waiting"
    assert mediation not in selectors.mediations_visible_to(mediator)


def test_it_lets_a_clerk_reassign(alice, clerk, mediator, admin, commit):
    zhou = registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    qian = another_mediator(admin, specialties=(LOAN,))  # the clerk answers for the choice
    for actor in (alice, mediator, admin):
        with denied("not_clerk"):
            services.mediation_reassign(actor=actor, mediation_id=mediation.pk, mediator_id=qian.pk)
    with refused("mediator_invalid", "mediator"):
        services.mediation_reassign(actor=clerk, mediation_id=mediation.pk, mediator_id=987654)
    services.mediator_update(
        actor=admin, mediator_id=qian.pk, specialties=(LOAN,), capacity=5, active=False
    )
    with refused("mediator_invalid"):
        services.mediation_reassign(actor=clerk, mediation_id=mediation.pk, mediator_id=qian.pk)
    services.mediator_update(actor=admin, mediator_id=qian.pk, specialties=(LOAN,), capacity=5)
    services.mediation_reassign(
        actor=clerk, mediation_id=mediation.pk, mediator_id=qian.pk, reason="Zhou is on leave."
    )
    mediation = fresh(mediation)
    assert (mediation.status, mediation.mediator, mediation.accepted_at) == (
        M.ASSIGNED,
        qian,
        None,
    )
    [event] = events("ecourt.mediation.reassigned", mediation)
    assert event.new_values == {"mediator": qian.pk, "reason": "Zhou is on leave."}
    assert mediation not in selectors.mediations_visible_to(mediator)
    with denied("not_mediator"):
        services.mediation_accept(actor=zhou.user, mediation_id=mediation.pk)
    # Reassigning to the same mediator changes nothing.
    before = len(events("ecourt.mediation.assigned", mediation))
    services.mediation_reassign(actor=clerk, mediation_id=mediation.pk, mediator_id=qian.pk)
    assert len(events("ecourt.mediation.assigned", mediation)) == before


mediator_profiles = st.fixed_dictionaries(
    {
        "specialties": st.sampled_from([(COPYRIGHT,), (LOAN,), (COPYRIGHT, LOAN)]),
        "capacity": st.integers(1, 3),
        "open": st.integers(0, 3),
        "idle_days": st.none() | st.integers(1, 3),
        "languages": st.sampled_from([(), ("en",), ("zh-hans",), ("en", "zh-hans")]),
        "active": st.booleans(),
    }
)


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pool=st.lists(mediator_profiles, min_size=1, max_size=4))
@pytest.mark.django_db
def test_it_assigns_exactly_whom_the_rule_picks(alice, admin, commit, pool):
    with transaction.atomic():
        now = timezone.now()
        loads = []
        for i, profile in enumerate(pool):
            mediator = another_mediator(
                admin,
                f"Pool Mediator {i}",
                specialties=profile["specialties"],
                capacity=profile["capacity"],
                languages=profile["languages"],
            )
            if not profile["active"]:
                services.mediator_update(
                    actor=admin,
                    mediator_id=mediator.pk,
                    specialties=profile["specialties"],
                    capacity=profile["capacity"],
                    languages=profile["languages"],
                    active=False,
                )
            last = now - timedelta(days=profile["idle_days"]) if profile["idle_days"] else None
            Mediator.objects.filter(pk=mediator.pk).update(last_assigned_at=last)
            give_open_matters(mediator, profile["open"])
            loads.append(
                rules.MediatorLoad(
                    mediator_id=mediator.pk,
                    specialties=frozenset(profile["specialties"]),
                    capacity=profile["capacity"],
                    open_matters=profile["open"],
                    last_assigned_at=last,
                    languages=frozenset(profile["languages"]),
                    active=profile["active"],
                )
            )
        expected = rules.mediator_pick(loads, case_type=COPYRIGHT, language="en")
        mediation = divert(alice, commit)
        assert mediation.mediator_id == expected
        assert mediation.status == (M.AWAITING_MEDIATOR if expected is None else M.ASSIGNED)
        transaction.set_rollback(True)
