"""The whole road once: diverted at submission, assigned, defendant joins, a proposal, a
signed settlement, judicial confirmation and the ruling."""

from __future__ import annotations

import pytest

from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases.models import ApplicationStatus, CaseStatus
from ecourt.conftest import code_sent_to
from ecourt.mediation import selectors, services
from ecourt.mediation.models import MediationStatus
from ecourt.mediation.tests.factories import (
    defendant_joins,
    diverted_application,
    mediation_of,
    registered_mediator,
)


@pytest.mark.django_db
def test_it_goes_from_diversion_to_a_confirmed_settlement(
    alice, bob, clerk, judge, mediator, admin, commit
):
    registered_mediator(mediator, admin)
    with commit():
        application = diverted_application(alice)
    assert application.status == ApplicationStatus.DIVERTED
    mediation = mediation_of(application)
    assert mediation.number.endswith("号") and "民诉前调" in mediation.number
    assert mediation.status == MediationStatus.ASSIGNED
    assert mediation.mediator.user == mediator
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    with commit():
        defendant_joins(mediation, bob)
    services.message_post(actor=alice, mediation_id=mediation.pk, body="Hello everyone.")
    defendant = mediation.application.parties.get(side="defendant")
    services.message_post(
        actor=mediator, mediation_id=mediation.pk, body="Just us.", thread_party_id=defendant.pk
    )
    assert [m.body for m in selectors.messages_for(alice, mediation)] == ["Hello everyone."]
    assert len(selectors.messages_for(bob, mediation)) == 2
    proposal = services.proposal_make(
        actor=mediator, mediation_id=mediation.pk, terms="Beta pays 20,000 yuan by 31 December."
    )
    services.proposal_respond(actor=alice, proposal_id=proposal.pk, answer="accept")
    services.proposal_respond(actor=bob, proposal_id=proposal.pk, answer="accept")
    agreement = services.agreement_draft(
        actor=mediator, mediation_id=mediation.pk, terms="Beta pays 20,000 yuan by 31 December."
    )
    for person in (alice, bob):
        with commit():
            services.agreement_code_send(actor=person, agreement_id=agreement.pk)
        services.agreement_sign(
            actor=person,
            agreement_id=agreement.pk,
            text_sha256=agreement.text_sha256,
            code=code_sent_to(person.mobile),
        )
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.SETTLED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SETTLED
    services.confirmation_apply(actor=alice, mediation_id=mediation.pk)
    services.confirmation_apply(actor=bob, mediation_id=mediation.pk)
    mediation.refresh_from_db()
    case = mediation.confirmation_case
    assert case is not None and "民特" in case.number and case.judge == judge
    case = services.confirmation_decide(actor=judge, case_id=case.pk, confirm=True)
    assert case.status == CaseStatus.CLOSED
    codes = [e.code for e in selectors.timeline(mediation)]
    assert codes[0] == "mediation.diverted" and codes[-1] == "mediation.confirmation.ruled"


@pytest.mark.django_db
def test_it_fails_back_to_filing_review(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    with commit():
        application = diverted_application(alice)
    mediation = mediation_of(application)
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    services.mediation_refuse(actor=alice, mediation_id=mediation.pk, reason="No.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert VerifiedUserFactory  # factories import stays used
