"""The filing wizard, through the browser's eyes: Alice files a copyright case step by step;
every step saves, validates with its own message and keeps what was saved before; only the
author opens it; Carol files for a client with a power of attorney."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ecourt.accounts.tests.factories import image_upload
from ecourt.cases import services
from ecourt.cases.models import (
    Agent,
    AgentKind,
    Application,
    ApplicationStatus,
    AuthorityScope,
    Claim,
    FilingCapacity,
    Party,
    PartySide,
)
from ecourt.cases.tests.factories import (
    BETA_USCC,
    DEFENDANT_MOBILE,
    consent,
    draft_application,
    pdf_upload,
    submitted_application,
)
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

STEPS = [
    "case_type",
    "jurisdiction",
    "plaintiffs",
    "defendants",
    "agents",
    "claims",
    "facts",
    "evidence",
    "delivery",
    "fees",
    "review",
]
_ID = re.compile(r'\sid="([^"]+)"')


def step_url(application: Application, step: str) -> str:
    return reverse("cases:wizard_step", args=[application.pk, step])


def duplicate_ids(html: str) -> list[str]:
    return [name for name, n in Counter(_ID.findall(html)).items() if n > 1]


def start(client, **data) -> Application:
    data = {"capacity": FilingCapacity.SELF, "client_key": "web-1", **data}
    response = client.post(reverse("cases:application_start"), data)
    assert response.status_code == 302, response.content[:800]
    application = Application.objects.latest("pk")
    assert response["Location"] == step_url(application, "case_type")
    return application


def beta_tech(**extra) -> dict[str, str]:
    return {
        "action": "add",
        "kind": "company",
        "name": "Beta Tech Co., Ltd.",
        "id_number": BETA_USCC,
        "legal_representative": "Li Beta",
        "mobile": DEFENDANT_MOBILE,
        "email": "",
        "address": "1 Zhongguancun Street, Beijing",
        **extra,
    }


def errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# --- The whole walk -------------------------------------------------------------------------------


def test_it_walks_alice_through_a_copyright_case_to_one_submitted_application(login, alice):
    consent(alice)
    client = login(alice)
    application = start(client)
    assert application.created_by == alice
    assert application.parties.get().name == "Alice Zhang"  # she files for herself

    page = client.get(step_url(application, "case_type"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-current="step"' in html
    assert "My dispute is something else" in html
    assert "Someone copied or spread your work online without permission." in html  # the hint

    response = client.post(
        step_url(application, "case_type"), {"case_type": "online_copyright_infringement"}
    )
    assert response["Location"] == step_url(application, "jurisdiction")

    page = client.get(step_url(application, "jurisdiction"))
    html = page.content.decode()
    assert "This court hears “Infringement of copyright" in html
    assert "under the list of case types in force on" in html
    assert "SPC Provisions on Internet Courts (Fa Shi [2018] No. 16), Art. 2" in html
    response = client.post(step_url(application, "jurisdiction"))
    assert response["Location"] == step_url(application, "plaintiffs")

    response = client.post(step_url(application, "plaintiffs"), {"action": "continue"})
    assert response["Location"] == step_url(application, "defendants")

    response = client.post(step_url(application, "defendants"), beta_tech())
    assert response["Location"] == step_url(application, "defendants")  # added; stays to add more
    assert "Beta Tech Co., Ltd." in client.get(response["Location"]).content.decode()
    response = client.post(step_url(application, "defendants"), {"action": "continue"})
    assert response["Location"] == step_url(application, "agents")

    response = client.post(step_url(application, "agents"), {"action": "continue"})
    assert response["Location"] == step_url(application, "claims")

    response = client.post(
        step_url(application, "claims"),
        {"action": "add", "text": "Order the defendant to pay damages.", "amount": "50000"},
    )
    assert response["Location"] == step_url(application, "claims")
    # "Save and continue" with a second claim typed adds it before moving on.
    response = client.post(
        step_url(application, "claims"),
        {"action": "continue", "text": "Order the defendant to stop publishing.", "amount": ""},
    )
    assert response["Location"] == step_url(application, "facts")
    assert application.claims.count() == 2

    response = client.post(
        step_url(application, "facts"),
        {"facts": "The defendant published twelve of my photographs without permission."},
    )
    assert response["Location"] == step_url(application, "evidence")

    page = client.get(step_url(application, "evidence"))
    assert "You will upload the files after the court accepts the case" in page.content.decode()
    response = client.post(
        step_url(application, "evidence"),
        {
            "action": "continue",
            "title": "Screenshots of the defendant's website",
            "form": "web_page",
            "description": "",
            "purpose": "The defendant published the photographs.",
        },
    )
    assert response["Location"] == step_url(application, "delivery")
    assert application.evidence_list.count() == 1

    page = client.get(step_url(application, "delivery"))
    assert page.context["form"]["mobile"].value() == alice.mobile  # prefilled
    response = client.post(
        step_url(application, "delivery"),
        {
            "mobile": alice.mobile,
            "email": "alice@example.com",
            "postal_address": "",
            "electronic_service_consent": "on",
            "confirmed": "on",
        },
    )
    assert response["Location"] == step_url(application, "fees")

    page = client.get(step_url(application, "fees"))
    assert "1,050.00" in page.content.decode()
    response = client.post(step_url(application, "fees"), {"adr_preference": "on"})
    assert response["Location"] == step_url(application, "review")

    review = client.get(step_url(application, "review"))
    html = review.content.decode()
    assert review.context["gaps"] == []
    assert "Order the defendant to pay damages." in html
    assert html.count("Change<span") >= 7
    application.refresh_from_db()
    assert application.step == "review"  # the furthest step reached, to resume at
    assert application.adr_preference is True
    assert application.electronic_service_consent is True

    submit = reverse("cases:application_submit", args=[application.pk])
    response = client.post(submit)
    assert response["Location"] == reverse("cases:application_detail", args=[application.pk])
    for _press in range(3):  # double click, back and resubmit, reload
        response = client.post(submit, follow=True)
        assert response.status_code == 200
        assert "already sent to the court. Nothing changed." in response.content.decode()
    assert Application.objects.filter(created_by=alice).count() == 1
    application.refresh_from_db()
    # Alice asked for mediation first, so the submission diverted it (docs/mediation.md).
    assert application.status == ApplicationStatus.DIVERTED
    assert str(application.fee_amount) == "1050.00"
    assert AuditEvent.objects.filter(code="ecourt.filing.application.submitted").count() == 1

    # A submitted application is no longer edited: the wizard leads to its page.
    response = client.get(step_url(application, "claims"))
    assert response["Location"] == reverse("cases:application_detail", args=[application.pk])


def test_it_opens_the_same_draft_when_the_start_form_is_sent_twice(login, alice):
    consent(alice)
    client = login(alice)
    first = start(client, client_key="same-page")
    second = start(client, client_key="same-page")
    assert first == second
    assert Application.objects.filter(created_by=alice).count() == 1


def test_it_sends_a_submission_with_gaps_to_the_step_that_fixes_the_first(login, alice):
    application = draft_application(alice, complete=False)
    client = login(alice)
    review = client.get(step_url(application, "review"))
    first_gap = review.context["gaps"][0]
    assert first_gap["message"] == "Add at least one defendant."

    response = client.post(reverse("cases:application_submit", args=[application.pk]))
    assert response["Location"] == step_url(application, "defendants")
    page = client.get(response["Location"])
    assert "Add at least one defendant." in page.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


# --- Each step's own messages, and nothing saved is lost ------------------------------------------


def test_it_refuses_an_amount_of_zero_and_keeps_the_claims_saved_before(login, alice):
    application = draft_application(alice)
    response = login(alice).post(
        step_url(application, "claims"),
        {"action": "add", "text": "Pay my costs.", "amount": "0"},
    )
    assert response.status_code == 200
    assert errors(response, "amount") == ["The amount must be more than zero."]
    assert response.context["form"]["text"].value() == "Pay my costs."  # what she typed
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in response.content.decode()
    assert application.claims.count() == 2


def test_it_refuses_an_amount_with_three_decimals(login, alice):
    application = draft_application(alice)
    response = login(alice).post(
        step_url(application, "claims"),
        {"action": "continue", "text": "Pay my costs.", "amount": "1.234"},
    )
    assert response.status_code == 200, "an error stops the step from moving on"
    assert errors(response, "amount") == ["The amount can have at most two decimal places (fen)."]
    assert application.claims.count() == 2


def test_it_refuses_alice_as_her_own_defendant(login, alice):
    application = draft_application(alice, complete=False)
    own_number = alice.identity_verifications.get().document_number
    response = login(alice).post(
        step_url(application, "defendants"),
        beta_tech(kind="person", name="Alice Zhang", id_number=own_number, mobile=alice.mobile),
    )
    assert response.status_code == 200
    assert errors(response, "name") == ["The same person or company cannot be on both sides."]
    assert response.context["form"]["id_number"].value() == own_number
    assert not application.parties.filter(side=PartySide.DEFENDANT).exists()
    assert application.parties.filter(side=PartySide.PLAINTIFF, user=alice).exists()


def test_it_needs_a_way_to_reach_the_defendant(login, alice):
    application = draft_application(alice, complete=False)
    response = login(alice).post(
        step_url(application, "defendants"), beta_tech(mobile="", email="")
    )
    assert response.status_code == 200
    [error] = errors(response, "mobile")
    assert error.startswith("Give a mobile number or an email address for the defendant")
    assert not application.parties.filter(side=PartySide.DEFENDANT).exists()


def test_it_refuses_a_dispute_the_court_does_not_hear_naming_the_competent_court(login, alice):
    consent(alice)
    client = login(alice)
    application = start(client)
    response = client.post(step_url(application, "case_type"), {"case_type": "family"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This court cannot hear your dispute" in html
    assert response.context["refusal"] == (
        "This court does not hear “Marriage, family or inheritance”. Bring it to: The basic "
        "people's court where the defendant lives (CPL Art. 22)."
    )
    assert 'value="family" checked' in html  # her choice is kept
    assert duplicate_ids(html) == []
    application.refresh_from_db()
    assert application.case_type is None


def test_it_keeps_the_case_type_saved_before_when_a_refused_one_is_chosen(login, alice):
    application = draft_application(alice)
    response = login(alice).post(step_url(application, "case_type"), {"case_type": "labour"})
    assert "labour dispute arbitration commission" in response.context["refusal"]
    application.refresh_from_db()
    assert application.case_type.code == "online_copyright_infringement"
    assert application.claims.count() == 2


def test_it_explains_an_unchosen_case_type(login, alice):
    application = draft_application(alice, complete=False)
    response = login(alice).post(step_url(application, "case_type"), {})
    assert errors(response, "case_type") == ["Choose what your dispute is about."]


def test_it_asks_for_the_confirmation_of_the_delivery_details(login, alice):
    application = draft_application(alice, complete=False)
    response = login(alice).post(
        step_url(application, "delivery"),
        {"mobile": alice.mobile, "email": "alice@example.com"},
    )
    assert response.status_code == 200
    assert errors(response, "confirmed") == [
        "Confirm that these addresses are right and that you will keep them reachable."
    ]
    assert response.context["form"]["email"].value() == "alice@example.com"
    application.refresh_from_db()
    assert application.delivery_confirmed_at is None


def test_it_saves_the_facts_and_shows_them_again(login, alice):
    application = draft_application(alice, complete=False)
    client = login(alice)
    client.post(step_url(application, "facts"), {"facts": "On 1 March the shop kept my money."})
    page = client.get(step_url(application, "facts"))
    assert page.context["form"]["facts"].value() == "On 1 March the shop kept my money."


def test_it_removes_a_claim_and_an_evidence_item(login, alice):
    application = draft_application(alice)
    client = login(alice)
    claim = application.claims.first()
    response = client.post(
        step_url(application, "claims"), {"action": "remove", "item": str(claim.pk)}
    )
    assert response["Location"] == step_url(application, "claims")
    assert not Claim.objects.filter(pk=claim.pk).exists()
    item = application.evidence_list.get()
    client.post(step_url(application, "evidence"), {"action": "remove", "item": str(item.pk)})
    assert not application.evidence_list.exists()


@pytest.mark.parametrize("tampered", ["²", "99999999999999999999999", "x", ""])
def test_it_explains_a_remove_of_something_that_is_not_there(login, alice, tampered):
    application = draft_application(alice)
    response = login(alice).post(
        step_url(application, "claims"), {"action": "remove", "item": tampered}, follow=True
    )
    assert response.status_code == 200
    assert "No such claim." in response.content.decode()
    assert application.claims.count() == 2


def test_it_does_not_let_alice_remove_herself_as_plaintiff(login, alice):
    application = draft_application(alice)
    client = login(alice)
    herself = application.parties.get(user=alice)
    page = client.get(step_url(application, "plaintiffs"))
    assert "You file as this party." in page.content.decode()
    response = client.post(
        step_url(application, "plaintiffs"),
        {"action": "remove", "item": str(herself.pk)},
        follow=True,
    )
    assert "start a new application to file for someone else" in response.content.decode()
    assert Party.objects.filter(pk=herself.pk).exists()


def test_it_appoints_an_agent_by_mobile_with_a_power_of_attorney(login, alice, carol):
    application = draft_application(alice)
    client = login(alice)
    plaintiff = application.parties.get(user=alice)
    data = {
        "action": "add",
        "party": str(plaintiff.pk),
        "agent_mobile": carol.mobile,
        "kind": AgentKind.LAWYER,
        "scope": AuthorityScope.SPECIAL,
    }
    response = client.post(step_url(application, "agents"), data)
    assert errors(response, "power_of_attorney") == ["Upload the signed power of attorney."]
    response = client.post(
        step_url(application, "agents"), {**data, "power_of_attorney": pdf_upload()}
    )
    assert response["Location"] == step_url(application, "agents")
    agent = Agent.objects.get(party=plaintiff)
    assert agent.user == carol
    assert agent.scope == AuthorityScope.SPECIAL
    page = client.get(step_url(application, "agents"))
    assert "Carol Chen" in page.content.decode()
    client.post(step_url(application, "agents"), {"action": "remove", "item": str(agent.pk)})
    assert not Agent.objects.filter(pk=agent.pk).exists()


def test_it_shows_the_fee_of_a_50000_yuan_copyright_claim(login, alice):
    application = draft_application(alice, amount="50000")
    page = login(alice).get(step_url(application, "fees"))
    html = page.content.decode()
    assert page.context["estimate_fee"] == "1,050.00"
    assert "1,050.00 yuan" in html
    assert "50,000.00 yuan" in html  # the amount used
    assert "Art. 13(4) with 13(1)" in html  # the basis


# --- A lawyer files for a client ------------------------------------------------------------------


def test_it_lets_carol_file_for_a_client_with_a_power_of_attorney(login, carol):
    consent(carol)
    client = login(carol)
    page = client.get(reverse("cases:application_start"))
    assert "As a lawyer, for a client" in page.content.decode()
    application = start(client, capacity=FilingCapacity.CLIENT)
    assert application.capacity == FilingCapacity.CLIENT
    assert not application.parties.exists()  # the client is added next
    client.post(step_url(application, "case_type"), {"case_type": "online_shopping_contract"})

    page = client.get(step_url(application, "plaintiffs"))
    assert "power_of_attorney" in page.context["form"].fields
    client_details = {
        "action": "add",
        "kind": "person",
        "name": "Dan Client",
        "id_number": "",
        "mobile": "+8613700000042",
        "scope": AuthorityScope.GENERAL,
    }
    response = client.post(step_url(application, "plaintiffs"), client_details)
    assert errors(response, "power_of_attorney") == [
        "Upload your client's signed power of attorney."
    ]
    not_a_pdf = SimpleUploadedFile("letter.pdf", b"just some text", content_type="application/pdf")
    response = client.post(
        step_url(application, "plaintiffs"), {**client_details, "power_of_attorney": not_a_pdf}
    )
    assert errors(response, "power_of_attorney") == [
        "Upload the power of attorney as a PDF or as a photo (JPEG, PNG or WebP)."
    ]
    assert not application.parties.exists()

    response = client.post(
        step_url(application, "plaintiffs"),
        {**client_details, "power_of_attorney": pdf_upload()},
    )
    assert response["Location"] == step_url(application, "plaintiffs")
    party = application.parties.get()
    assert party.name == "Dan Client"
    agent = party.agents.get()
    assert agent.user == carol
    assert agent.kind == AgentKind.LAWYER
    assert agent.power_of_attorney.name.endswith(".pdf")

    page = client.get(step_url(application, "agents"))
    assert "Carol Chen" in page.content.decode()
    assert "Remove<span" not in page.content.decode()  # she cannot remove herself


def test_it_accepts_a_photo_of_the_power_of_attorney(login, carol):
    consent(carol)
    client = login(carol)
    application = start(client, capacity=FilingCapacity.CLIENT)
    response = client.post(
        step_url(application, "plaintiffs"),
        {
            "action": "add",
            "kind": "person",
            "name": "Dan Client",
            "mobile": "+8613700000042",
            "power_of_attorney": image_upload("poa.jpg", image_format="JPEG"),
        },
    )
    assert response.status_code == 302
    agent = Agent.objects.get(party__application=application)
    assert agent.power_of_attorney.name.endswith(".jpg")


def test_it_refuses_a_power_of_attorney_over_10_mb(login, carol):
    consent(carol)
    client = login(carol)
    application = start(client, capacity=FilingCapacity.CLIENT)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    response = client.post(
        step_url(application, "plaintiffs"),
        {"action": "add", "kind": "person", "name": "Dan Client", "power_of_attorney": big},
    )
    [error] = errors(response, "power_of_attorney")
    assert error.startswith("This file is 10.0")
    assert not application.parties.exists()


# --- Who may open the wizard ----------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_it_hides_alices_draft_from_an_outsider_and_a_clerk(login, alice, oscar, clerk, step):
    application = draft_application(alice)
    for person in (oscar, clerk):
        client = login(person)
        assert client.get(step_url(application, step)).status_code == 404
        assert client.post(step_url(application, step), {"action": "continue"}).status_code == 404
    assert login(alice).get(step_url(application, step)).status_code == 200


def test_it_hides_a_submitted_application_from_the_wizard_of_anyone_but_the_author(
    login, alice, clerk
):
    application = submitted_application(alice)
    client = login(clerk)
    assert client.get(step_url(application, "review")).status_code == 404
    response = client.post(reverse("cases:application_submit", args=[application.pk]))
    assert response.status_code == 404


def test_it_answers_404_for_an_unknown_step(login, alice):
    application = draft_application(alice)
    assert login(alice).get(step_url(application, "payment")).status_code == 404


def test_it_sends_a_visitor_to_sign_in(client, alice):
    application = draft_application(alice)
    response = client.get(step_url(application, "claims"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("step", STEPS)
def test_it_gives_each_field_on_a_wizard_step_its_own_id(login, alice, step):
    application = draft_application(alice)
    html = login(alice).get(step_url(application, step)).content.decode()
    assert duplicate_ids(html) == []
    assert html.count('aria-current="step"') == 1


def test_it_gives_each_field_on_the_lawyers_plaintiff_step_its_own_id(login, carol):
    consent(carol)
    application = services.application_create(actor=carol, capacity=FilingCapacity.CLIENT)
    html = login(carol).get(step_url(application, "plaintiffs")).content.decode()
    assert duplicate_ids(html) == []
    assert 'type="file"' in html
