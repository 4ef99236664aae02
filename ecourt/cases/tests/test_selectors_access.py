"""Who sees which application and case, and whose deadlines a person is reminded of.

Alice files against Beta Tech and appoints Carol; Bob links as Beta Tech's representative; the
clerk sees what was submitted; the judge sees the cases assigned to them; the court
administrator and Oscar see nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import selectors, services
from ecourt.cases.models import AgentKind, AuthorityScope, Case, CaseStatus, ClosingMode
from ecourt.cases.services._common import today
from ecourt.cases.tests.factories import (
    DEFENDANT_MOBILE,
    company_for,
    defendant_party,
    docketed_case,
    draft_application,
    paid,
    pdf_upload,
    submitted_application,
)
from ecourt.core import sms

CODE_IN_TEXT = re.compile(r"association code ([A-Z2-9]{8})")


def appoint(alice, application, agent, kind=AgentKind.LAWYER):
    return services.agent_appoint(
        actor=alice,
        application_id=application.pk,
        party_id=application.parties.get(user=alice).pk,
        agent_mobile=agent.mobile,
        kind=kind,
        scope=AuthorityScope.SPECIAL,
        power_of_attorney=pdf_upload(),
    )


@pytest.fixture
def world(alice, bob, carol, clerk, judge, commit):
    """A draft, a discarded draft, a submitted application, and a docketed case in which Bob
    has linked for Beta Tech and Carol acts for Alice."""
    company_for(bob)
    draft = draft_application(alice)
    discarded = draft_application(alice)
    services.application_withdraw(actor=alice, application_id=discarded.pk)
    submitted = submitted_application(alice)
    application = draft_application(alice)
    appoint(alice, application, carol)
    application = paid(
        services.application_submit(actor=alice, application_id=application.pk), clerk
    )
    with commit():
        case = services.filing_accept(actor=clerk, application_id=application.pk)
    code = CODE_IN_TEXT.search(next(m.body for m in sms.outbox if m.to == DEFENDANT_MOBILE)).group(
        1
    )
    services.case_link(actor=bob, case_number=case.number, code=code)
    return {"draft": draft, "discarded": discarded, "submitted": submitted, "case": case}


def visible_applications(user):
    return set(selectors.applications_visible_to(user))


def test_the_author_sees_every_application_of_theirs(world, alice):
    case = world["case"]
    assert visible_applications(alice) == {
        world["draft"],
        world["discarded"],
        world["submitted"],
        case.application,
    }
    assert set(selectors.cases_visible_to(alice)) == {case}
    assert selectors.case_for_user(alice, case.pk) == case


def test_a_linked_defendant_sees_the_case_and_its_application_only(world, bob):
    case = world["case"]
    assert set(selectors.cases_visible_to(bob)) == {case}
    assert visible_applications(bob) == {case.application}
    assert selectors.application_for_user(bob, world["draft"].pk) is None


def test_a_defendant_sees_nothing_before_linking(alice, bob, clerk, judge):
    company_for(bob)
    case = docketed_case(alice, clerk)
    assert list(selectors.cases_visible_to(bob)) == []
    assert selectors.case_by_number_for_user(bob, case.number) is None


def test_an_agent_sees_what_their_principal_appointed_them_for(world, carol):
    case = world["case"]
    assert set(selectors.cases_visible_to(carol)) == {case}
    assert visible_applications(carol) == {case.application}
    assert selectors.parties_acting_for(carol, case=case) == [case.parties.get(side="plaintiff")]


def test_a_clerk_sees_what_was_submitted_but_no_draft(world, clerk):
    case = world["case"]
    assert visible_applications(clerk) == {world["submitted"], case.application}
    assert selectors.application_for_user(clerk, world["draft"].pk) is None
    assert selectors.application_for_user(clerk, world["discarded"].pk) is None
    assert set(selectors.cases_visible_to(clerk)) == {case}


def test_a_clerk_still_sees_an_application_withdrawn_after_submission(world, alice, clerk):
    services.application_withdraw(actor=alice, application_id=world["submitted"].pk)
    assert selectors.application_for_user(clerk, world["submitted"].pk) == world["submitted"]


def test_a_judge_sees_only_the_cases_assigned_to_them(world, judge):
    case = world["case"]
    other = VerifiedUserFactory(display_name="Judge Qian", roles=[Role.JUDGE])
    assert case.judge == judge
    assert set(selectors.cases_visible_to(judge)) == {case}
    assert list(selectors.cases_visible_to(other)) == []
    assert selectors.case_by_number_for_user(other, case.number) is None
    assert visible_applications(other) == set()


@pytest.mark.parametrize("who", ["admin", "oscar", "mediator"])
def test_others_see_nothing(request, world, who):
    user = request.getfixturevalue(who)
    case = world["case"]
    assert list(selectors.cases_visible_to(user)) == []
    assert visible_applications(user) == set()
    assert selectors.case_for_user(user, case.pk) is None
    assert selectors.application_for_user(user, case.application_id) is None
    assert selectors.deadlines_open_for(user) == []


def test_an_anonymous_visitor_sees_nothing(world):
    assert list(selectors.cases_visible_to(AnonymousUser())) == []
    assert list(selectors.applications_visible_to(AnonymousUser())) == []


def test_lists_filter_by_status_and_words(world, alice, judge):
    case = world["case"]
    assert list(selectors.cases_list_for(alice, status="open")) == [case]
    assert list(selectors.cases_list_for(alice, status="closed")) == []
    assert list(selectors.cases_list_for(alice, query="beta tech")) == [case]
    assert list(selectors.cases_list_for(alice, query=case.number[-6:])) == [case]
    services.case_close(actor=judge, case_id=case.pk, mode=ClosingMode.WITHDRAWAL)
    assert list(selectors.cases_list_for(alice, status="open")) == []


def test_the_filing_queue_holds_open_applications_oldest_first(world, alice, clerk):
    later = submitted_application(alice)
    services.filing_review_start(actor=clerk, application_id=later.pk)
    queue = list(selectors.filing_queue())
    assert queue == [world["submitted"], later]
    assert [len(a.open_decision_deadlines) for a in queue] == [1, 1]


# --- Reminders ----------------------------------------------------------------------------------


def codes(deadlines):
    return sorted(d.code for d in deadlines)


def test_a_defendant_is_reminded_of_their_answer_but_not_of_the_courts_periods(world, bob):
    case = world["case"]
    services.complaint_open(actor=bob, case_id=case.pk)
    assert codes(case.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True)) == [
        "answer",
        "trial_ordinary",
    ]
    [answer] = selectors.deadlines_open_for(bob)
    assert (answer.code, answer.party) == ("answer", defendant_party(case))


def test_the_plaintiff_is_not_reminded_of_the_defendants_answer(world, alice, carol, bob):
    services.complaint_open(actor=bob, case_id=world["case"].pk)
    assert selectors.deadlines_open_for(alice) == []
    assert selectors.deadlines_open_for(carol) == []


def test_the_applicant_is_reminded_of_corrections_and_of_an_appeal_against_a_refusal(alice, clerk):
    application = submitted_application(alice)
    assert selectors.deadlines_open_for(alice) == []  # the decision period is the court's
    services.filing_request_corrections(
        actor=clerk, application_id=application.pk, items=["Fix."], due=today() + timedelta(7)
    )
    assert codes(selectors.deadlines_open_for(alice)) == ["correction"]
    services.filing_refuse(
        actor=clerk, application_id=application.pk, reason="Nothing was corrected in time."
    )
    assert codes(selectors.deadlines_open_for(alice)) == ["appeal_ruling"]


def test_each_party_is_reminded_of_its_own_appeal_period_once(alice, bob, carol, clerk, judge):
    """Alice has two agents; her appeal period must still show once, to her and to each."""
    application = draft_application(alice)
    appoint(alice, application, carol)
    appoint(alice, application, bob, kind=AgentKind.CITIZEN)
    application = paid(
        services.application_submit(actor=alice, application_id=application.pk), clerk
    )
    case = services.filing_accept(actor=clerk, application_id=application.pk)
    # Straight to HEARD: the walk there is tested elsewhere; here only the reminders matter.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.HEARD)
    services.case_decide(actor=judge, case_id=case.pk, kind=ClosingMode.JUDGMENT)
    plaintiff = case.parties.get(side="plaintiff")
    for person in (alice, carol, bob):
        reminders = selectors.deadlines_open_for(person)
        assert [(d.code, d.party) for d in reminders] == [("appeal_judgment", plaintiff)]
