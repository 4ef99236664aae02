"""The court's mediation pages and the mediation parts of the filing, application and case
pages: the clerk proposes and the plaintiff answers; the clerk's workload and reassignment;
the court administrator's registry; the judge's ruling on judicial confirmation.

Personas: Alice files against Beta Tech (Bob); the clerk, the judge, the mediator and the
court administrator are staff; Oscar is an outsider.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases.models import Application, ApplicationStatus, Case, CaseStatus
from ecourt.cases.tests.factories import draft_application, submitted_application
from ecourt.conftest import code_sent_to
from ecourt.mediation import services
from ecourt.mediation.models import (
    DiversionProposal,
    MediationOrganisation,
    MediationStatus,
    Mediator,
)
from ecourt.mediation.tests.factories import (
    COPYRIGHT,
    defendant_joins,
    diverted_application,
    mediation_of,
    registered_mediator,
)

pytestmark = pytest.mark.django_db

ROLE_PERSONAS = ["oscar", "alice", "judge", "mediator", "admin", "clerk"]


def _html(response: Any) -> str:
    return response.content.decode()


def _text(response: Any) -> str:
    """The page's words without tags, spaces collapsed (for phrases split by markup)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(response)))


def _proposed(alice: Any, clerk: Any, note: str = "A quick settlement is likely.") -> Any:
    application = submitted_application(alice)
    services.diversion_propose(actor=clerk, application_id=application.pk, note=note)
    return application


def _confirmation_case(alice: Any, bob: Any, mediator: Any, admin: Any, commit: Any) -> Case:
    """Alice and Beta Tech settle in mediation and both apply for judicial confirmation."""
    registered_mediator(mediator, admin)
    with commit():
        application = diverted_application(alice)
    mediation = mediation_of(application)
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    with commit():
        defendant_joins(mediation, bob)
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
    for person in (alice, bob):
        services.confirmation_apply(actor=person, mediation_id=mediation.pk)
    mediation.refresh_from_db()
    assert mediation.confirmation_case is not None
    return mediation.confirmation_case


# --- Who may open what -------------------------------------------------------------------------

# Staff pages: name → (url arguments, method, the role that may use it).
STAFF_PAGES: dict[str, tuple[tuple[int, ...], str, str]] = {
    "mediation:propose": ((1,), "post", "clerk"),
    "mediation:court_overview": ((), "get", "clerk"),
    "mediation:reassign": ((1,), "post", "clerk"),
    "mediation:registry": ((), "get", "admin"),
    "mediation:organisation_register": ((), "post", "admin"),
    "mediation:organisation_set_active": ((1,), "post", "admin"),
    "mediation:mediator_register": ((), "post", "admin"),
    "mediation:mediator_edit": ((1,), "get", "admin"),
}


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_it_answers_403_on_staff_pages_to_people_without_the_role(request, login, persona):
    client = login(request.getfixturevalue(persona))
    for name, (args, method, role) in STAFF_PAGES.items():
        if persona != role:
            response = getattr(client, method)(reverse(name, args=args))
            assert response.status_code == 403, (name, persona, response.status_code)


@pytest.mark.parametrize(
    "name", [*sorted(STAFF_PAGES), "mediation:proposal_answer", "mediation:confirmation_decide"]
)
def test_it_sends_anonymous_visitors_to_sign_in(visitor, name):
    args, method, _role = STAFF_PAGES.get(name, ((1,), "post", ""))
    response = getattr(visitor, method)(reverse(name, args=args))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_takes_actions_by_post_only(login, alice, clerk):
    application = submitted_application(alice)
    client = login(clerk)
    assert client.get(reverse("mediation:propose", args=[application.pk])).status_code == 405
    assert client.get(reverse("mediation:reassign", args=[1])).status_code == 405


def test_it_answers_404_to_anyone_but_the_filer_on_a_proposal(request, login, alice, clerk):
    application = _proposed(alice, clerk)
    proposal = DiversionProposal.objects.get(application=application)
    url = reverse("mediation:proposal_answer", args=[proposal.pk])
    for persona in ["oscar", "bob", "carol", "clerk", "judge", "mediator", "admin"]:
        response = login(request.getfixturevalue(persona)).post(url, {"accept": "1"})
        assert response.status_code == 404, (persona, response.status_code)
    assert (
        login(alice).post(reverse("mediation:proposal_answer", args=[999_999])).status_code == 404
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_it_answers_404_for_drafts_and_missing_applications(login, alice, clerk):
    draft = draft_application(alice)
    client = login(clerk)
    for pk in (draft.pk, 999_999):
        assert client.post(reverse("mediation:propose", args=[pk])).status_code == 404
    assert client.post(reverse("mediation:reassign", args=[999_999])).status_code == 404


def test_it_does_not_show_mediation_to_outsiders(login, alice, oscar, clerk):
    application = _proposed(alice, clerk, note="Secret note for Alice.")
    response = login(oscar).get(reverse("cases:application_detail", args=[application.pk]))
    assert response.status_code == 404


# --- Proposal and answer through the pages -----------------------------------------------------


def test_it_proposes_mediation_and_the_plaintiff_accepts(login, alice, clerk, settings):
    settings.ECOURT_MEDIATION_DAYS = 30
    application = submitted_application(alice)
    review_url = reverse("cases:filing_application", args=[application.pk])
    clerk_client = login(clerk)
    page = clerk_client.get(review_url)
    assert "Propose mediation" in _html(page)
    assert reverse("mediation:propose", args=[application.pk]) in _html(page)

    response = clerk_client.post(
        reverse("mediation:propose", args=[application.pk]),
        {"note": "A quick settlement is likely."},
    )
    assert response.status_code == 302 and response.url == review_url
    page = _text(clerk_client.get(review_url))
    assert "waiting for the plaintiff's answer" in page
    assert 'action="' + reverse("mediation:propose", args=[application.pk]) not in _html(
        clerk_client.get(review_url)
    )

    alice_client = login(alice)
    detail_url = reverse("cases:application_detail", args=[application.pk])
    page = _text(alice_client.get(detail_url))
    assert "The court suggests mediation" in page
    assert "A quick settlement is likely." in page
    assert "Mediation is free" in page
    assert "It lasts at most 30 days" in page
    assert "If you decline, nothing changes" in page

    proposal = DiversionProposal.objects.get(application=application)
    response = alice_client.post(
        reverse("mediation:proposal_answer", args=[proposal.pk]), {"accept": "1"}
    )
    assert response.status_code == 302 and response.url == detail_url
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DIVERTED
    mediation = mediation_of(application)
    page = _text(alice_client.get(detail_url))
    assert "You accepted mediation" in page
    assert mediation.number in page
    assert "Waiting for a mediator" in page  # nobody is registered
    assert "The court suggests mediation" not in page

    page = _text(clerk_client.get(review_url))
    assert mediation.number in page
    assert "Waiting for a mediator" in page
    assert "Propose mediation" not in page


def test_declining_keeps_the_application_in_review(login, alice, clerk):
    application = _proposed(alice, clerk)
    proposal = DiversionProposal.objects.get(application=application)
    client = login(alice)
    response = client.post(
        reverse("mediation:proposal_answer", args=[proposal.pk]), {"accept": "0"}, follow=True
    )
    assert "The court goes on reviewing your application" in _text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not hasattr(application, "mediation")
    page = _text(login(clerk).get(reverse("cases:filing_application", args=[application.pk])))
    assert "The plaintiff declined mediation" in page
    assert "Propose mediation" in page  # the clerk may ask again later


def test_it_shows_why_an_answer_or_proposal_fails(login, alice, clerk):
    application = _proposed(alice, clerk)
    proposal = DiversionProposal.objects.get(application=application)
    alice_client = login(alice)
    url = reverse("mediation:proposal_answer", args=[proposal.pk])
    assert alice_client.post(url, {"accept": "0"}).status_code == 302
    page = _text(alice_client.post(url, {"accept": "1"}, follow=True))
    assert "already been answered" in page
    page = _text(alice_client.post(url, {"accept": "maybe"}, follow=True))
    assert "Choose to accept or decline" in page

    services.diversion_propose(actor=clerk, application_id=application.pk)
    response = login(clerk).post(reverse("mediation:propose", args=[application.pk]), {})
    assert response.status_code == 400
    assert "has not answered yet" in _text(response)
    response = login(clerk).post(
        reverse("mediation:propose", args=[application.pk]), {"note": "x" * 2001}
    )
    assert response.status_code == 400


# --- The clerk's workload ----------------------------------------------------------------------


def test_it_lists_waiting_matters_first_and_reassigns(login, alice, clerk, mediator, admin, commit):
    registered_mediator(mediator, admin, capacity=1)
    with commit():
        assigned = mediation_of(diverted_application(alice))
        waiting = mediation_of(diverted_application(alice))
    assert assigned.status == MediationStatus.ASSIGNED
    assert waiting.status == MediationStatus.AWAITING_MEDIATOR
    other = VerifiedUserFactory(display_name="Mediator Qian", roles=[Role.MEDIATOR])
    registered_mediator(other, admin)

    client = login(clerk)
    response = client.get(reverse("mediation:court_overview"))
    assert response.status_code == 200
    html = _html(response)
    assert html.index(waiting.number) < html.index(assigned.number)
    page = _text(response)
    assert "1 matter needs a mediator." in page
    assert "Needs a mediator" in page
    assert "Mediator Zhou" in page and "Mediator Qian" in page
    assert "Diverted to mediation 2" in page

    other_mediator = Mediator.objects.get(user=other)
    response = client.post(
        reverse("mediation:reassign", args=[assigned.pk]),
        {"mediator": str(other_mediator.pk), "reason": "Zhou is on leave."},
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.mediator == other_mediator and assigned.status == MediationStatus.ASSIGNED

    response = client.post(reverse("mediation:reassign", args=[waiting.pk]), {"mediator": "999"})
    assert response.status_code == 400
    assert 'id="reassign' + str(waiting.pk) + '_mediator"' in _html(response)
    assert "Select a valid choice" in _text(response)
    waiting.refresh_from_db()
    assert waiting.mediator is None


def test_the_workload_takes_the_same_queries_for_more_matters(login, alice, clerk, commit):
    client = login(clerk)
    with commit():
        diverted_application(alice)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("mediation:court_overview")).status_code == 200
    with commit():
        diverted_application(alice)
        diverted_application(alice)
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("mediation:court_overview")).status_code == 200
    assert len(three) == len(one)


# --- The registry ------------------------------------------------------------------------------


def test_the_admin_registers_an_organisation(login, admin):
    client = login(admin)
    assert client.get(reverse("mediation:registry")).status_code == 200
    url = reverse("mediation:organisation_register")
    data = {"name_zh": "版权调解中心", "name_en": "Copyright Mediation Centre", "kind": "centre"}
    assert client.post(url, data).status_code == 302
    organisation = MediationOrganisation.objects.get()
    assert organisation.name_en == "Copyright Mediation Centre"

    response = client.post(url, data)
    assert response.status_code == 400
    assert "already registered" in _text(response)
    response = client.post(url, {"name_zh": "", "kind": "nonsense"})
    assert response.status_code == 400
    assert "This field is required" in _text(response)

    set_active = reverse("mediation:organisation_set_active", args=[organisation.pk])
    assert client.post(set_active, {"active": "0"}).status_code == 302
    organisation.refresh_from_db()
    assert not organisation.active
    assert "Activate 版权调解中心" in _html(client.get(reverse("mediation:registry")))
    assert (
        client.post(
            reverse("mediation:organisation_set_active", args=[999_999]), {"active": "1"}
        ).status_code
        == 404
    )


def test_the_admin_registers_and_edits_a_mediator(login, admin, mediator):
    organisation = services.organisation_register(
        actor=admin, name_zh="调解委员会", kind="committee"
    )
    client = login(admin)
    page = _html(client.get(reverse("mediation:registry")))
    assert "Mediator Zhou" in page  # offered: holds the role, not registered yet
    assert "Infringement of copyright" in page  # a case type heard today

    url = reverse("mediation:mediator_register")
    good = {
        "user": str(mediator.pk),
        "organisation": str(organisation.pk),
        "specialties": [COPYRIGHT],
        "languages": ["zh-hans", "en"],
        "capacity": "5",
    }
    response = client.post(url, {**good, "specialties": [], "capacity": "0"})
    assert response.status_code == 400
    assert 'id="mediator_specialties' in _html(response)
    assert "greater than or equal to 1" in _text(response)
    person = VerifiedUserFactory(display_name="Not A Mediator")
    response = client.post(url, {**good, "user": str(person.pk)})
    assert response.status_code == 400  # not offered: no mediator role
    assert not Mediator.objects.exists()

    assert client.post(url, good).status_code == 302
    registered = Mediator.objects.get(user=mediator)
    assert registered.organisation == organisation and registered.capacity == 5
    assert sorted(registered.languages) == ["en", "zh-hans"]
    page = _html(client.get(reverse("mediation:registry")))
    assert reverse("mediation:mediator_edit", args=[registered.pk]) in page

    edit = reverse("mediation:mediator_edit", args=[registered.pk])
    response = client.get(edit)
    assert response.status_code == 200 and "Mediator Zhou" in _html(response)
    response = client.post(edit, {"specialties": [COPYRIGHT], "capacity": "501"})
    assert response.status_code == 400
    response = client.post(edit, {"specialties": [COPYRIGHT], "capacity": "3", "organisation": ""})
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.capacity == 3 and not registered.active and registered.organisation is None
    assert client.get(reverse("mediation:mediator_edit", args=[999_999])).status_code == 404


# --- The judge's ruling ------------------------------------------------------------------------


def test_the_judge_confirms_the_settlement_through_the_case_page(
    login, alice, bob, oscar, clerk, judge, mediator, admin, commit
):
    case = _confirmation_case(alice, bob, mediator, admin, commit)
    assert case.judge == judge
    case_url = reverse("cases:case_detail", args=[case.pk])
    decide_url = reverse("mediation:confirmation_decide", args=[case.pk])
    judge_client = login(judge)
    page = _text(judge_client.get(case_url))
    assert "Settlement agreement to confirm" in page
    assert "Beta pays 20,000 yuan by 31 December." in page
    assert "Rule on the application" in page
    assert "Move the case" not in page

    alice_page = _text(login(alice).get(case_url))
    assert "Beta pays 20,000 yuan by 31 December." in alice_page
    assert "Rule on the application" not in alice_page

    assert login(oscar).post(decide_url, {"decision": "confirm"}).status_code == 404
    response = login(alice).post(decide_url, {"decision": "confirm"}, follow=True)
    assert "Only the judge assigned to the case" in _text(response)

    response = judge_client.post(decide_url, {"decision": "reject", "reasons": "No."})
    assert response.status_code == 400
    assert "Give the reasons for rejecting" in _text(response)
    response = judge_client.post(decide_url, {})
    assert response.status_code == 400

    response = judge_client.post(decide_url, {"decision": "confirm"})
    assert response.status_code == 302 and response.url == case_url
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    page = _text(judge_client.get(case_url))
    assert "Rule on the application" not in page
    assert "the settlement agreement is valid" in page

    # The settled application's page shows the mediation (no 500 for SETTLED).
    application = Application.objects.get(pk=case.application_id)
    assert application.status == ApplicationStatus.SETTLED
    response = login(alice).get(reverse("cases:application_detail", args=[application.pk]))
    assert response.status_code == 200
    assert mediation_of(application).number in _text(response)


def test_the_ruling_url_is_only_for_confirmation_cases(login, alice, clerk, judge):
    from ecourt.cases.tests.factories import docketed_case

    case = docketed_case(alice, clerk, judge=judge)
    response = login(judge).post(
        reverse("mediation:confirmation_decide", args=[case.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 404
    page = _text(login(judge).get(reverse("cases:case_detail", args=[case.pk])))
    assert "Settlement agreement to confirm" not in page


def test_it_stops_offering_a_proposal_once_the_case_is_docketed(login, alice, clerk, judge):
    from ecourt.cases import services as case_services
    from ecourt.cases.tests.factories import paid

    application = paid(_proposed(alice, clerk), clerk)
    case_services.filing_accept(actor=clerk, application_id=application.pk, judge_id=judge.pk)
    page = _text(login(alice).get(reverse("cases:application_detail", args=[application.pk])))
    assert "The court suggests mediation" not in page
    page = _text(login(clerk).get(reverse("cases:filing_application", args=[application.pk])))
    assert "did not answer the proposal" in page
    assert "Propose mediation" not in page
