"""Mediation reads: who sees a mediation at all, what of the room, workloads, and the figures
for statistics."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from ecourt.cases import services as case_services
from ecourt.cases.models import AgentKind, AuthorityScope, PartySide
from ecourt.cases.tests.factories import draft_application, pdf_upload
from ecourt.mediation import selectors, services
from ecourt.mediation.models import MediationStatus
from ecourt.mediation.selectors import MediationFigures
from ecourt.mediation.tests.factories import (
    defendant_of,
    mediation_of,
    plaintiff_party,
    registered_mediator,
)
from ecourt.mediation.tests.helpers import (
    TERMS,
    another_mediator,
    divert,
    fresh,
    give_open_matters,
    join,
    room,
    sign,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
M = MediationStatus


def visible(user, mediation) -> bool:
    return selectors.mediations_visible_to(user).filter(pk=mediation.pk).exists()


# --- Who sees a mediation ------------------------------------------------------------------------


def test_it_shows_a_mediation_to_its_parties_mediator_and_clerks_only(
    alice, bob, oscar, clerk, judge, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    other = another_mediator(admin)
    mediation = divert(alice, commit)
    assert visible(alice, mediation) and visible(mediator, mediation) and visible(clerk, mediation)
    assert not visible(bob, mediation)  # not linked yet
    join(mediation, bob)
    assert visible(bob, mediation)
    for outsider in (oscar, judge, admin, other.user, AnonymousUser()):
        assert not visible(outsider, mediation)
    assert selectors.mediation_for_user(oscar, mediation.pk) is None
    assert selectors.mediation_for_user(alice, mediation.pk) == mediation
    assert selectors.mediation_of_application(alice, mediation.application_id) == mediation
    assert selectors.mediation_of_application(oscar, mediation.application_id) is None


def test_it_shows_every_mediation_to_a_clerk_and_only_her_own_to_a_plaintiff(
    alice, carol, clerk, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    mine = divert(alice, commit)
    theirs = divert(carol, commit)
    assert set(selectors.mediations_visible_to(clerk)) == {mine, theirs}
    assert list(selectors.mediations_visible_to(alice)) == [mine]
    assert list(selectors.mediations_visible_to(carol)) == [theirs]
    assert set(selectors.mediations_visible_to(mediator)) == {mine, theirs}
    # Distinct rows, although Alice is linked through more than one path.
    assert selectors.mediations_visible_to(alice).count() == 1


def test_it_shows_a_mediation_to_the_plaintiffs_agent(alice, carol, mediator, admin, commit):
    registered_mediator(mediator, admin)
    application = draft_application(alice)
    case_services.agent_appoint(
        actor=alice,
        application_id=application.pk,
        party_id=application.parties.get(side=PartySide.PLAINTIFF).pk,
        agent_mobile=carol.mobile,
        kind=AgentKind.LAWYER,
        scope=AuthorityScope.GENERAL,
        power_of_attorney=pdf_upload(),
    )
    case_services.application_set_preferences(
        actor=alice, application_id=application.pk, adr_preference=True, simplified_procedure=False
    )
    with commit():
        case_services.application_submit(actor=alice, application_id=application.pk)
    mediation = mediation_of(application)
    assert visible(carol, mediation)
    assert selectors.parties_of(carol, mediation) == [plaintiff_party(mediation)]


def test_it_hides_a_mediation_from_a_mediator_who_declined_or_was_replaced(
    alice, clerk, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    qian = another_mediator(admin)
    sun = another_mediator(admin, "Mediator Sun")
    mediation = divert(alice, commit)
    services.mediation_decline(actor=mediator, mediation_id=mediation.pk, reason="A conflict.")
    mediation = fresh(mediation)
    assert not visible(mediator, mediation)
    assert visible(mediation.mediator.user, mediation)
    assigned = mediation.mediator
    services.mediation_reassign(
        actor=clerk, mediation_id=mediation.pk, mediator_id=(sun if assigned == qian else qian).pk
    )
    assert not visible(assigned.user, mediation)


# --- What of the room ----------------------------------------------------------------------------


def test_it_lists_the_threads_each_person_may_read(
    alice, bob, oscar, clerk, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    mine, beta = plaintiff_party(mediation), defendant_of(mediation)
    threads = selectors.threads_for(mediator, mediation)
    assert threads[0] is None and set(threads[1:]) == {mine, beta} and len(threads) == 3
    assert selectors.threads_for(alice, mediation) == [None, mine]
    assert selectors.threads_for(bob, mediation) == [None, beta]
    assert selectors.threads_for(clerk, mediation) == []
    assert selectors.threads_for(oscar, mediation) == []
    assert selectors.parties_of(AnonymousUser(), mediation) == []
    assert selectors.is_mediator(mediator, mediation) and not selectors.is_mediator(
        alice, mediation
    )


def test_it_reads_the_room_in_a_fixed_number_of_queries(
    alice, bob, mediator, admin, commit, django_assert_max_num_queries
):
    mediation = room(alice, bob, mediator, admin, commit)
    beta = defendant_of(mediation)
    for i in range(5):
        services.message_post(actor=alice, mediation_id=mediation.pk, body=f"Point {i}.")
        services.message_post(
            actor=mediator, mediation_id=mediation.pk, body=f"Bob {i}.", thread_party_id=beta.pk
        )
    with django_assert_max_num_queries(6):
        messages = selectors.messages_for(mediator, mediation)
        names = [(m.author.display_name, m.author_party, m.thread_party) for m in messages]
    assert len(names) == 10


# --- Workloads -----------------------------------------------------------------------------------


def test_it_lists_open_matters_waiting_for_a_mediator_first(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    assigned = divert(alice, commit)
    services.mediator_update(
        actor=admin,
        mediator_id=assigned.mediator_id,
        specialties=("online_loan_contract",),
        capacity=10,
    )
    waiting = divert(alice, commit)
    assert waiting.status == M.AWAITING_MEDIATOR
    lines = selectors.open_mediations()
    assert [line.mediation for line in lines] == [waiting, assigned]
    assert lines[0].days_left is None
    assert lines[1].days_left == (assigned.due_on - assigned.diverted_on).days


def test_it_counts_a_mediators_workload(alice, bob, mediator, admin, commit):
    zhou = registered_mediator(mediator, admin, capacity=5)
    mediation = room(alice, bob, mediator, admin, commit)
    services.mediation_refuse(actor=alice, mediation_id=mediation.pk)
    give_open_matters(zhou, 2)
    workload = selectors.workload_of(zhou)
    assert len(workload["open"]) == 2
    assert workload["outcomes"] == {M.FAILED: 1}
    [line] = [line for line in selectors.mediators_with_load() if line.mediator == zhou]
    assert (line.open_matters, line.settled, line.failed) == (2, 0, 1)
    assert selectors.mediator_of(mediator) == zhou and selectors.mediator_of(alice) is None


# --- Figures -------------------------------------------------------------------------------------


def test_it_has_no_figures_before_any_mediation(db):
    assert selectors.mediation_figures() == MediationFigures(0, 0, 0, 0, None, None)


@pytest.fixture
def history(alice, bob, mediator, admin, commit, time_machine):
    """June 2026: A diverted on the 1st and settled on the 5th (4 days); B diverted on the
    1st, refused on the 11th (10 days); C diverted on the 3rd, withdrawn on the 4th (1 day);
    D diverted on the 20th, still open."""
    registered_mediator(mediator, admin)

    def on(day: int) -> None:
        time_machine.move_to(datetime(2026, 6, day, 10, tzinfo=SHANGHAI), tick=False)

    on(1)
    a = divert(alice, commit)
    services.mediation_accept(actor=mediator, mediation_id=a.pk)
    join(a, bob)
    b = divert(alice, commit)
    on(3)
    c = divert(alice, commit)
    on(4)
    services.mediation_withdraw(actor=alice, mediation_id=c.pk)
    on(5)
    agreement = services.agreement_draft(actor=mediator, mediation_id=a.pk, terms=TERMS)
    for person in (alice, bob):
        sign(person, agreement, commit)
    on(11)
    services.mediation_refuse(actor=alice, mediation_id=b.pk)
    on(20)
    d = divert(alice, commit)
    assert [fresh(m).status for m in (a, b, c, d)] == [M.SETTLED, M.FAILED, M.WITHDRAWN, M.ASSIGNED]


def test_it_counts_outcomes_and_the_median_duration(history):
    assert selectors.mediation_figures() == MediationFigures(
        diverted=4, settled=1, failed=1, withdrawn=1, success_rate=1 / 3, median_days=4.0
    )


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        # Diversions by the diversion date, outcomes by the end date, both bounds inclusive.
        (date(2026, 6, 5), None, MediationFigures(1, 1, 1, 0, 0.5, 7.0)),
        (None, date(2026, 6, 4), MediationFigures(3, 0, 0, 1, 0.0, 1.0)),
        (date(2026, 6, 1), date(2026, 6, 1), MediationFigures(2, 0, 0, 0, None, None)),
        (date(2026, 6, 12), date(2026, 6, 30), MediationFigures(1, 0, 0, 0, None, None)),
    ],
)
def test_it_filters_the_figures_by_date(history, since, until, expected):
    assert selectors.mediation_figures(since=since, until=until) == expected
