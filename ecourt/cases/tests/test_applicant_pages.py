"""The applicant's pages around the wizard: starting, the list of applications, the application
page with its fee, payment, fee relief and withdrawal, and the deadline reminder on the
dashboard. Outsiders get a 404; clerks read submitted applications but never drafts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse

from ecourt.accounts.models import IdentityVerification
from ecourt.cases import services
from ecourt.cases.models import (
    Application,
    ApplicationStatus,
    FeeRelief,
    FeeReliefRequest,
    FilingCapacity,
    PartyKind,
    Payment,
    PaymentStatus,
)
from ecourt.cases.tests.factories import (
    company_for,
    consent,
    docketed_case,
    draft_application,
    submitted_application,
)
from ecourt.core.models import AuditEvent
from ecourt.core.selectors import court_today

pytestmark = pytest.mark.django_db

_ID = re.compile(r'\sid="([^"]+)"')


def duplicate_ids(html: str) -> list[str]:
    return [name for name, n in Counter(_ID.findall(html)).items() if n > 1]


def detail_url(application: Application) -> str:
    return reverse("cases:application_detail", args=[application.pk])


def action_url(action: str, application: Application) -> str:
    return reverse(f"cases:application_{action}", args=[application.pk])


# --- Starting -------------------------------------------------------------------------------------


def test_it_sends_an_unverified_person_to_verify_their_identity(login, oscar):
    client = login(oscar)
    page = client.get(reverse("cases:application_start"))
    html = page.content.decode()
    assert reverse("accounts:identity") in html
    assert 'name="capacity"' not in html
    response = client.post(reverse("cases:application_start"), {"capacity": "self"})
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_it_sends_a_person_who_has_not_agreed_to_the_terms(login, alice):
    client = login(alice)
    html = client.get(reverse("cases:application_start")).content.decode()
    assert reverse("accounts:terms") in html
    assert reverse("accounts:identity") not in html.split("<main")[1]
    client.post(reverse("cases:application_start"), {"capacity": "self"})
    assert not Application.objects.exists()


def test_it_shows_the_service_refusal_when_the_identity_record_is_missing(login, alice):
    consent(alice)
    IdentityVerification.objects.filter(user=alice).delete()  # flag set, record gone
    response = login(alice).post(reverse("cases:application_start"), {"capacity": "self"})
    assert response.status_code == 200
    assert response.context["needs_identity"] is True
    assert not Application.objects.exists()


def test_it_offers_bobs_approved_company_and_files_for_it(login, bob):
    consent(bob)
    company = company_for(bob)
    client = login(bob)
    page = client.get(reverse("cases:application_start"))
    assert "For Beta Tech Co., Ltd., a company I represent" in page.content.decode()
    assert "As a lawyer" not in page.content.decode()
    response = client.post(
        reverse("cases:application_start"), {"capacity": f"company-{company.pk}"}
    )
    application = Application.objects.get(created_by=bob)
    assert response["Location"] == reverse("cases:wizard_step", args=[application.pk, "case_type"])
    assert application.capacity == FilingCapacity.COMPANY
    plaintiff = application.parties.get()
    assert plaintiff.kind == PartyKind.COMPANY
    assert plaintiff.name == "Beta Tech Co., Ltd."


def test_it_refuses_a_company_the_person_does_not_represent(login, alice, bob):
    consent(alice)
    company = company_for(bob)
    response = login(alice).post(
        reverse("cases:application_start"), {"capacity": f"company-{company.pk}"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["capacity"]
    assert not Application.objects.exists()


def test_it_refuses_the_lawyer_capacity_to_a_non_lawyer(login, alice):
    consent(alice)
    response = login(alice).post(
        reverse("cases:application_start"), {"capacity": FilingCapacity.CLIENT}
    )
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    assert not Application.objects.exists()


# --- The list -------------------------------------------------------------------------------------


def test_it_lists_alices_applications_with_status_case_number_and_continue_link(
    login, alice, clerk
):
    draft = draft_application(alice, complete=False)
    case = docketed_case(alice, clerk)
    client = login(alice)
    page = client.get(reverse("cases:application_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("cases:wizard_step", args=[draft.pk, "case_type"]) in html
    assert case.number in html
    assert reverse("cases:case_detail", args=[case.pk]) in html
    assert "Docketed" in html and "Draft" in html
    assert reverse("cases:wizard_step", args=[case.application_id, "case_type"]) not in html
    assert duplicate_ids(html) == []


def test_it_lists_applications_in_a_fixed_number_of_queries(
    login, alice, clerk, django_assert_max_num_queries
):
    client = login(alice)
    for _n in range(2):
        draft_application(alice)
    docketed_case(alice, clerk)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("cases:application_list"))
    for _n in range(3):
        draft_application(alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:application_list"))


def test_it_lists_nothing_of_alice_to_oscar(login, alice, oscar):
    draft_application(alice)
    page = login(oscar).get(reverse("cases:application_list"))
    assert page.context["rows"] == []


# --- The application page: who sees it ------------------------------------------------------------


def test_it_hides_alices_draft_page_from_an_outsider_and_a_clerk(login, alice, oscar, clerk):
    application = draft_application(alice)
    for person in (oscar, clerk):
        client = login(person)
        assert client.get(detail_url(application)).status_code == 404
        for action in ("submit", "pay", "pay_sandbox", "fee_relief", "withdraw"):
            assert client.post(action_url(action, application), {}).status_code == 404
    assert login(alice).get(detail_url(application)).status_code == 200


def test_it_shows_a_submitted_application_to_a_clerk_without_the_authors_buttons(
    login, alice, clerk, oscar
):
    application = submitted_application(alice)
    page = login(clerk).get(detail_url(application))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Submitted, waiting for review" in html
    assert ">Pay the fee</button>" not in html
    assert "Withdraw the application" not in html
    identity_number = alice.identity_verifications.get().document_number
    assert identity_number not in html  # masked for anyone but the author
    assert login(oscar).get(detail_url(application)).status_code == 404


def test_it_hides_a_discarded_draft_from_a_clerk(login, alice, clerk):
    application = draft_application(alice)
    services.application_withdraw(actor=alice, application_id=application.pk)
    assert login(clerk).get(detail_url(application)).status_code == 404


def test_it_shows_a_defendant_who_joined_nothing_before_docketing(login, alice, bob):
    application = submitted_application(alice)
    assert login(bob).get(detail_url(application)).status_code == 404


# --- The application page: what it says -----------------------------------------------------------


def test_it_tells_alice_what_happens_after_submission(login, alice):
    application = submitted_application(alice)
    html = login(alice).get(detail_url(application)).content.decode()
    assert "A filing clerk decides within 7 days" in html
    assert "The court decides by" in html
    assert "1,050.00 yuan" in html
    assert "Not paid yet." in html
    assert ">Pay the fee</button>" in html
    assert "Ask to defer, reduce or waive the fee" in html
    assert duplicate_ids(html) == []


def test_it_lists_the_corrections_and_takes_a_resubmission(login, alice, clerk):
    application = submitted_application(alice)
    due = court_today() + timedelta(days=5)
    services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Give the defendant's registered address."],
        due=due,
    )
    client = login(alice)
    html = client.get(detail_url(application)).content.decode()
    assert "Give the defendant&#x27;s registered address." in html
    assert f"by {due:%Y-%m-%d}" in html
    review = reverse("cases:wizard_step", args=[application.pk, "review"])
    assert f'href="{review}"' in html  # "Make the corrections"
    page = client.get(review)
    assert page.status_code == 200
    assert "Give the defendant&#x27;s registered address." in page.content.decode()

    response = client.post(action_url("submit", application))
    assert response["Location"] == detail_url(application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    client.post(action_url("submit", application))  # a second press changes nothing
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW


def test_it_gives_the_refusal_reasons_and_how_to_appeal(login, alice, clerk):
    application = submitted_application(alice)
    services.filing_refuse(
        actor=clerk,
        application_id=application.pk,
        reason="The defendant is not within this court's area.",
    )
    html = login(alice).get(detail_url(application)).content.decode()
    assert "The defendant is not within this court" in html
    assert "within 10 days" in html
    assert "intermediate people's court" in html
    assert "through this court" in html
    assert "Last day to appeal:" in html


def test_it_links_the_docketed_case(login, alice, clerk):
    case = docketed_case(alice, clerk)
    html = login(alice).get(detail_url(case.application)).content.decode()
    assert case.number in html
    assert reverse("cases:case_detail", args=[case.pk]) in html
    assert "Paid in full." in html


# --- Submitting, withdrawing ----------------------------------------------------------------------


def test_it_refuses_a_get_on_the_action_urls(login, alice):
    application = draft_application(alice)
    client = login(alice)
    for action in ("submit", "pay", "pay_sandbox", "fee_relief", "withdraw"):
        assert client.get(action_url(action, application)).status_code == 405


def test_it_withdraws_after_confirmation_and_only_once(login, alice):
    application = submitted_application(alice)
    client = login(alice)
    page = client.post(action_url("withdraw", application))
    assert page.status_code == 200, "first it asks to confirm"
    assert "Yes, withdraw it" in page.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    for _press in range(2):
        response = client.post(action_url("withdraw", application), {"confirm": "yes"})
        assert response["Location"] == detail_url(application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert AuditEvent.objects.filter(code="ecourt.filing.application.withdrawn").count() == 1
    html = client.get(detail_url(application)).content.decode()
    assert "This application was withdrawn." in html
    assert "Withdraw the application" not in html
    # A withdrawn application is not submitted again, and no second one appears.
    response = client.post(action_url("submit", application), follow=True)
    assert "This cannot be done while the application is" in response.content.decode()
    assert Application.objects.count() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_it_discards_a_draft(login, alice):
    application = draft_application(alice)
    client = login(alice)
    client.post(action_url("withdraw", application), {"confirm": "yes"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    response = client.get(reverse("cases:wizard_step", args=[application.pk, "claims"]))
    assert response["Location"] == detail_url(application)


# --- Paying ---------------------------------------------------------------------------------------


def test_it_opens_a_bank_transfer_and_shows_the_reference(login, alice):
    application = submitted_application(alice)
    client = login(alice)
    response = client.post(action_url("pay", application))
    assert response["Location"] == detail_url(application)
    payment = Payment.objects.get(application=application)
    html = client.get(detail_url(application)).content.decode()
    assert payment.reference in html
    assert "Reference to quote" in html
    assert "Pay now (practice payment)" not in html
    assert ">Pay the fee</button>" not in html  # one open payment
    client.post(action_url("pay", application))
    assert Payment.objects.filter(application=application).count() == 1


def test_it_takes_a_practice_payment_in_the_sandbox(login, alice, settings):
    settings.ECOURT_PAYMENT_PROVIDER = "sandbox"
    application = submitted_application(alice)
    client = login(alice)
    client.post(action_url("pay", application))
    payment = Payment.objects.get(application=application)
    assert payment.provider == "sandbox"
    html = client.get(detail_url(application)).content.decode()
    assert "Pay now (practice payment)" in html
    assert "1,050.00" in html

    for _press in range(2):  # a double click pays once
        response = client.post(action_url("pay_sandbox", application), {"payment": payment.pk})
        assert response["Location"] == detail_url(application)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert AuditEvent.objects.filter(code="ecourt.filing.payment.paid").count() == 1
    html = client.get(detail_url(application)).content.decode()
    assert "Paid in full." in html
    assert ">Pay the fee</button>" not in html


def test_it_does_not_pay_another_applications_payment(login, alice, settings):
    settings.ECOURT_PAYMENT_PROVIDER = "sandbox"
    first = submitted_application(alice)
    second = submitted_application(alice)
    client = login(alice)
    client.post(action_url("pay", first))
    payment = Payment.objects.get(application=first)
    response = client.post(action_url("pay_sandbox", second), {"payment": payment.pk})
    assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


@pytest.mark.parametrize("tampered", ["²", "99999999999999999999999", "x", ""])
def test_it_answers_404_for_a_tampered_payment_number(login, alice, settings, tampered):
    settings.ECOURT_PAYMENT_PROVIDER = "sandbox"
    application = submitted_application(alice)
    client = login(alice)
    client.post(action_url("pay", application))
    response = client.post(action_url("pay_sandbox", application), {"payment": tampered})
    assert response.status_code == 404


def test_it_does_not_open_a_payment_for_a_draft(login, alice):
    application = draft_application(alice)
    response = login(alice).post(action_url("pay", application), follow=True)
    assert "The fee is paid after submitting" in response.content.decode()
    assert not Payment.objects.exists()


# --- Fee relief -----------------------------------------------------------------------------------


def test_it_sends_a_fee_relief_request_and_explains_a_short_reason(login, alice):
    application = submitted_application(alice)
    client = login(alice)
    response = client.post(
        action_url("fee_relief", application), {"kind": FeeRelief.DEFERRAL, "reasons": "poor"}
    )
    assert response.status_code == 200
    assert response.context["relief_form"].errors["reasons"] == [
        "Explain why you cannot pay the fee in full now (at least 10 characters)."
    ]
    assert response.context["relief_form"]["reasons"].value() == "poor"
    assert duplicate_ids(response.content.decode()) == []

    response = client.post(
        action_url("fee_relief", application),
        {"kind": FeeRelief.DEFERRAL, "reasons": "I receive the minimum living allowance."},
    )
    assert response["Location"] == detail_url(application)
    request = FeeReliefRequest.objects.get(application=application)
    assert request.kind == FeeRelief.DEFERRAL
    html = client.get(detail_url(application)).content.decode()
    assert "Waiting for a decision" in html
    assert "Send my request" not in html  # one pending request at a time


# --- The deadline reminder on the dashboard -------------------------------------------------------


@pytest.mark.parametrize(("days", "urgent"), [(2, True), (3, True), (10, False)])
def test_it_reminds_alice_of_her_correction_deadline(login, alice, clerk, days, urgent):
    application = submitted_application(alice)
    due = court_today() + timedelta(days=days)
    services.filing_request_corrections(
        actor=clerk, application_id=application.pk, items=["Sign the complaint."], due=due
    )
    page = login(alice).get(reverse("accounts:dashboard"))
    html = page.content.decode()
    assert reverse("cases:application_start") in html
    assert "Correct your lawsuit application" in html
    assert f"{days} days left" in html
    assert f"Last day: {due:%Y-%m-%d}" in html
    assert detail_url(application) in html
    assert ("deadline-urgent" in html) is urgent
    assert ("Soon:" in html) is urgent
    assert duplicate_ids(html) == []


def test_it_shows_no_one_elses_deadlines(login, alice, clerk, oscar):
    application = submitted_application(alice)
    services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Sign the complaint."],
        due=court_today() + timedelta(days=2),
    )
    html = login(oscar).get(reverse("accounts:dashboard")).content.decode()
    assert "Correct your lawsuit application" not in html


# --- Every page has unique ids --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cases:application_start", "cases:application_list"])
def test_it_gives_each_field_on_an_applicant_page_its_own_id(login, bob, name):
    consent(bob)
    company_for(bob)
    html = login(bob).get(reverse(name)).content.decode()
    assert duplicate_ids(html) == []


def test_it_gives_each_field_on_the_withdraw_confirmation_its_own_id(login, alice):
    application = draft_application(alice)
    html = login(alice).post(action_url("withdraw", application)).content.decode()
    assert duplicate_ids(html) == []
