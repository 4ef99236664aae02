"""Real-name verification, company representatives and lawyers, and the staff who review them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ecourt.accounts.models import (
    Company,
    CompanyRepresentative,
    IdentityDocumentType,
    IdentityVerification,
    LawyerProfile,
    ReviewStatus,
    User,
)
from ecourt.accounts.roles import Role
from ecourt.accounts.services import identity_submit
from ecourt.accounts.tests.factories import (
    VerifiedUserFactory,
    image_upload,
    valid_ric,
    valid_uscc,
)
from ecourt.core.errors import DomainError
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

OSCAR_RIC = valid_ric(birth=date(1985, 11, 2), serial=777)
LICENCE = "11101201710123456"


def _ric(client, number: str = OSCAR_RIC, **extra):
    data = {
        "document_type": IdentityDocumentType.RESIDENT_ID,
        "legal_name": " Oscar   Ou ",
        "document_number": number,
    }
    data.update(extra)
    return client.post(reverse("accounts:identity"), data)


def _passport(client, **extra):
    data = {
        "document_type": IdentityDocumentType.PASSPORT,
        "legal_name": "Oscar Ou",
        "document_number": "E12345678",
        "birth_date": "1985-11-02",
        "document_image": image_upload("passport.png"),
    }
    data.update(extra)
    return client.post(reverse("accounts:identity"), data)


def _decide(client, kind: str, pk: int, decision: str, reason: str = ""):
    return client.post(
        reverse("accounts:review_detail", args=[kind, pk]),
        {"decision": decision, "reason": reason},
    )


def _company(client, **extra):
    data = {
        "name": "Beta  Tech Co., Ltd.",
        "uscc": valid_uscc(),
        "legal_representative": "Li Wei",
        "position": "Head of legal",
        "authorisation_letter": image_upload("letter.png"),
    }
    data.update(extra)
    return client.post(reverse("accounts:company"), data)


def _lawyer(client, **extra):
    data = {
        "licence_number": LICENCE,
        "law_firm": "Chen & Partners",
        "licence_image": image_upload("licence.jpg", image_format="JPEG"),
    }
    data.update(extra)
    return client.post(reverse("accounts:lawyer"), data)


# --- Resident identity cards ----------------------------------------------------------------


def test_it_verifies_a_resident_identity_card_at_once(login, oscar):
    client = login(oscar)
    response = _ric(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:terms")  # consent is the next step

    oscar.refresh_from_db()
    assert oscar.is_identity_verified
    verification = IdentityVerification.objects.get(user=oscar)
    assert verification.status == ReviewStatus.VERIFIED
    assert verification.method == "ric_check"
    assert verification.legal_name == "Oscar Ou"
    assert verification.document_number == OSCAR_RIC
    assert verification.birth_date == date(1985, 11, 2)

    event = AuditEvent.objects.get(code="ecourt.accounts.identity.verified")
    assert event.actor == oscar
    assert event.new_values["document_number"] == "1101**********" + OSCAR_RIC[-4:]

    page = client.get(reverse("accounts:identity"))
    assert OSCAR_RIC in page.content.decode()  # the owner sees their own number in full


def test_it_explains_a_bad_check_character(login, oscar):
    wrong = OSCAR_RIC[:-1] + ("1" if OSCAR_RIC[-1] != "1" else "2")
    response = _ric(login(oscar), wrong)
    assert response.status_code == 200
    [error] = response.context["form"].errors["document_number"]
    assert "check character does not match" in error
    oscar.refresh_from_db()
    assert not oscar.is_identity_verified


def test_it_refuses_a_number_verified_for_another_account(login, oscar, alice):
    taken = alice.identity_verifications.get().document_number
    response = _ric(login(oscar), taken)
    assert response.status_code == 200
    [error] = response.context["form"].errors["document_number"]
    assert error.startswith("This document is already verified for another account.")
    assert not IdentityVerification.objects.filter(user=oscar).exists()


def test_it_sends_resident_cards_to_staff_when_configured(login, oscar, clerk, settings):
    settings.ECOURT_IDENTITY_REVIEW = "all"
    client = login(oscar)
    response = _ric(client)
    assert response.status_code == 200, "staff need a photo of the card to decide"
    assert "document_image" in response.context["form"].errors
    response = _ric(client, document_image=image_upload("card.png"))
    assert response.status_code == 302
    verification = IdentityVerification.objects.get(user=oscar)
    assert verification.status == ReviewStatus.PENDING
    oscar.refresh_from_db()
    assert not oscar.is_identity_verified
    assert AuditEvent.objects.filter(code="ecourt.accounts.identity.submitted").exists()

    queue = login(clerk).get(reverse("accounts:review_queue"))
    assert queue.context["identities"] == [verification]


def test_it_judges_a_future_birth_date_by_the_date_in_the_court(oscar, time_machine):
    # 17:00 UTC on 1 March is already 01:00 on 2 March in Beijing.
    time_machine.move_to(datetime(2025, 3, 1, 17, 0, tzinfo=UTC), tick=False)
    with pytest.raises(DomainError) as exc_info:
        _submit_ric(oscar, valid_ric(birth=date(2025, 3, 3)))
    assert exc_info.value.code == "ric_birth_date_future"
    verification = _submit_ric(oscar, valid_ric(birth=date(2025, 3, 2)))
    assert verification.birth_date == date(2025, 3, 2)
    assert verification.status == ReviewStatus.VERIFIED


def _submit_ric(user, number: str) -> IdentityVerification:
    return identity_submit(
        actor=user,
        document_type=IdentityDocumentType.RESIDENT_ID,
        legal_name="Oscar Ou",
        document_number=number,
        birth_date=None,
        document_image=None,
    )


def test_it_refuses_a_second_verification(alice):
    with pytest.raises(DomainError) as exc_info:
        _submit_ric(alice, OSCAR_RIC)
    assert exc_info.value.code == "identity_already_verified"


# --- Passports and other documents ----------------------------------------------------------


def test_it_requires_an_image_for_a_passport(login, oscar):
    response = _passport(login(oscar), document_image="")
    assert response.status_code == 200
    assert response.context["form"].errors["document_image"] == [
        "Upload a photo or scan of the document's photo page."
    ]
    assert not IdentityVerification.objects.exists()


def test_it_refuses_a_birth_date_in_the_future(login, oscar):
    response = _passport(login(oscar), birth_date="2999-01-01")
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [
        "The date of birth cannot be in the future."
    ]


def test_it_sends_a_passport_to_the_staff_queue(login, oscar, clerk):
    response = _passport(login(oscar))
    assert response.status_code == 302
    verification = IdentityVerification.objects.get(user=oscar)
    assert verification.status == ReviewStatus.PENDING
    assert verification.document_number == "E12345678"
    # The stored file does not keep the person's file name.
    assert verification.document_image.name.startswith("private/identityverification/")
    assert "passport" not in verification.document_image.name
    oscar.refresh_from_db()
    assert not oscar.is_identity_verified

    queue = login(clerk).get(reverse("accounts:review_queue"))
    assert queue.context["identities"] == [verification]


def test_it_rejects_a_file_that_is_not_a_picture(login, oscar):
    fake = SimpleUploadedFile("passport.png", b"%PDF-1.7 not a picture", content_type="image/png")
    response = _passport(login(oscar), document_image=fake)
    assert response.status_code == 200
    assert response.context["form"].errors["document_image"] == [
        "This file is not a picture. Upload a photo or scan as JPEG, PNG or WebP."
    ]
    assert not IdentityVerification.objects.exists()


def test_it_rejects_a_picture_in_another_format(login, oscar):
    gif = image_upload("passport.gif", image_format="GIF")
    response = _passport(login(oscar), document_image=gif)
    assert response.status_code == 200
    assert response.context["form"].errors["document_image"] == [
        "This file is not a picture. Upload a photo or scan as JPEG, PNG or WebP."
    ]


def test_it_rejects_an_oversize_upload(login, oscar, settings):
    settings.ECOURT_MAX_IMAGE_UPLOAD_BYTES = 100
    response = _passport(login(oscar))
    assert response.status_code == 200
    [error] = response.context["form"].errors["document_image"]
    assert "the limit is 100\xa0bytes" in error
    assert error.endswith("Take a smaller photo.")
    assert not IdentityVerification.objects.exists()


def test_it_replaces_a_pending_submission_with_a_newer_one(login, oscar):
    client = login(oscar)
    _passport(client)
    _passport(client, document_number="E87654321")
    first, second = IdentityVerification.objects.filter(user=oscar).order_by("pk")
    assert first.status == ReviewStatus.REJECTED
    assert first.method == "superseded"
    assert second.status == ReviewStatus.PENDING


# --- Staff review ---------------------------------------------------------------------------


@pytest.fixture
def pending_passport(login, oscar) -> IdentityVerification:
    _passport(login(oscar))
    return IdentityVerification.objects.get(user=oscar, status=ReviewStatus.PENDING)


def test_it_lets_a_clerk_approve_a_passport(login, clerk, oscar, pending_passport):
    client = login(clerk)
    page = client.get(reverse("accounts:review_detail", args=["identity", pending_passport.pk]))
    assert "E12345678" in page.content.decode()

    response = _decide(client, "identity", pending_passport.pk, "approve")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:review_queue")
    pending_passport.refresh_from_db()
    assert pending_passport.status == ReviewStatus.VERIFIED
    assert pending_passport.reviewed_by == clerk
    assert pending_passport.method == "staff_review"
    oscar.refresh_from_db()
    assert oscar.identity_verified_at == pending_passport.reviewed_at

    event = AuditEvent.objects.get(code="ecourt.accounts.identity.verified")
    assert event.actor == clerk
    assert (event.old_values, event.new_values["status"]) == ({"status": "pending"}, "verified")


def test_it_requires_a_reason_to_reject(login, clerk, oscar, pending_passport):
    client = login(clerk)
    response = _decide(client, "identity", pending_passport.pk, "reject", reason="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Give the reason for rejecting, so the applicant knows what to fix."
    ]
    pending_passport.refresh_from_db()
    assert pending_passport.status == ReviewStatus.PENDING

    response = _decide(client, "identity", pending_passport.pk, "reject", reason="Photo blurred")
    assert response.status_code == 302
    pending_passport.refresh_from_db()
    assert pending_passport.status == ReviewStatus.REJECTED
    assert pending_passport.decision_reason == "Photo blurred"
    oscar.refresh_from_db()
    assert not oscar.is_identity_verified

    # The person learns why, and may try again.
    dashboard = login(oscar).get(reverse("accounts:dashboard"))
    assert "Photo blurred" in dashboard.content.decode()


def test_it_refuses_a_second_decision(login, clerk, admin, pending_passport):
    _decide(login(clerk), "identity", pending_passport.pk, "approve")
    response = _decide(login(admin), "identity", pending_passport.pk, "reject", reason="No")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This submission was already decided."]
    pending_passport.refresh_from_db()
    assert pending_passport.status == ReviewStatus.VERIFIED


def test_it_forbids_reviewing_ones_own_submission(login, clerk):
    own = IdentityVerification.objects.create(
        user=clerk,
        document_type=IdentityDocumentType.PASSPORT,
        legal_name="Clerk Deng",
        document_number="E55555555",
        birth_date=date(1980, 1, 1),
    )
    response = _decide(login(clerk), "identity", own.pk, "approve")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You may not review your own submission."
    ]
    own.refresh_from_db()
    assert own.status == ReviewStatus.PENDING


def test_it_refuses_approving_a_document_verified_elsewhere_meanwhile(login, clerk, alice):
    number = alice.identity_verifications.get().document_number
    other = IdentityVerification.objects.create(
        user=User.objects.create_user("+8613700000077", display_name="Eve"),
        document_type=IdentityDocumentType.RESIDENT_ID,
        legal_name="Eve",
        document_number=number,
    )
    response = _decide(login(clerk), "identity", other.pk, "approve")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This document is already verified for another account."
    ]


def test_it_keeps_review_pages_from_staff_who_do_not_review(login, mediator, pending_passport):
    client = login(mediator)
    for url in (
        reverse("accounts:review_queue"),
        reverse("accounts:review_detail", args=["identity", pending_passport.pk]),
    ):
        assert client.get(url).status_code == 403
    assert _decide(client, "identity", pending_passport.pk, "approve").status_code == 403
    pending_passport.refresh_from_db()
    assert pending_passport.status == ReviewStatus.PENDING


def test_it_answers_404_for_an_unknown_review_kind(login, clerk, pending_passport):
    url = reverse("accounts:review_detail", args=["spaceship", pending_passport.pk])
    assert login(clerk).get(url).status_code == 404


# --- Company representatives ----------------------------------------------------------------


def test_it_makes_alice_a_company_representative_once_approved(login, alice, clerk):
    response = _company(login(alice))
    assert response.status_code == 302
    company = Company.objects.get()
    assert (company.name, company.uscc, company.status) == (
        "Beta Tech Co., Ltd.",
        valid_uscc(),
        ReviewStatus.PENDING,
    )
    link = CompanyRepresentative.objects.get(user=alice)
    assert link.status == ReviewStatus.PENDING
    assert not alice.has_role(Role.COMPANY_REPRESENTATIVE)

    response = _decide(login(clerk), "company", link.pk, "approve")
    assert response.status_code == 302
    link.refresh_from_db()
    company.refresh_from_db()
    assert link.status == company.status == ReviewStatus.VERIFIED
    alice = User.objects.get(pk=alice.pk)
    assert alice.has_role(Role.COMPANY_REPRESENTATIVE)

    grant = AuditEvent.objects.get(code="ecourt.accounts.role.granted")
    assert (grant.actor, grant.target_id) == (clerk, str(alice.pk))
    assert grant.new_values == {"role": Role.COMPANY_REPRESENTATIVE}
    assert AuditEvent.objects.filter(code="ecourt.accounts.company.verified").exists()
    assert AuditEvent.objects.filter(
        code="ecourt.accounts.company_representative.approved"
    ).exists()


def test_it_accepts_a_uscc_typed_in_lower_case(login, alice):
    assert _company(login(alice), uscc=valid_uscc().lower()).status_code == 302
    assert Company.objects.get().uscc == valid_uscc()


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        (valid_uscc()[:-1] + "0", "its check character does not match"),
        ("91110108MA01ABCDOI", "use digits and capital letters"),
        ("9111010", "has 18 characters; you entered 7"),
    ],
)
def test_it_refuses_an_invalid_uscc(login, alice, uscc, message):
    assert valid_uscc()[-1] != "0"
    response = _company(login(alice), uscc=uscc)
    assert response.status_code == 200
    [error] = response.context["form"].errors["uscc"]
    assert message in error
    assert not Company.objects.exists()


def test_it_asks_for_identity_before_a_company(login, oscar):
    response = _company(login(oscar))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Verify your own identity first."]
    assert not Company.objects.exists()


def test_it_refuses_a_second_request_for_the_same_company(login, alice):
    client = login(alice)
    _company(client)
    response = _company(client)
    assert response.status_code == 200
    assert response.context["form"].errors["uscc"] == [
        "You have already asked to represent this company."
    ]


def test_it_grants_nothing_when_a_representative_is_rejected(login, alice, clerk):
    _company(login(alice))
    link = CompanyRepresentative.objects.get()
    assert _decide(login(clerk), "company", link.pk, "reject", "Letter unsigned").status_code == 302
    link.refresh_from_db()
    assert link.status == ReviewStatus.REJECTED
    assert not User.objects.get(pk=alice.pk).has_role(Role.COMPANY_REPRESENTATIVE)
    assert not AuditEvent.objects.filter(code="ecourt.accounts.role.granted").exists()


# --- Lawyers --------------------------------------------------------------------------------


def test_it_makes_alice_a_lawyer_once_approved(login, alice, admin):
    response = _lawyer(login(alice), licence_number="1110 1201 7101 23456")
    assert response.status_code == 302
    profile = LawyerProfile.objects.get(user=alice)
    assert profile.licence_number == LICENCE
    assert profile.status == ReviewStatus.PENDING
    assert not alice.has_role(Role.LAWYER)

    assert _decide(login(admin), "lawyer", profile.pk, "approve").status_code == 302
    profile.refresh_from_db()
    assert profile.status == ReviewStatus.VERIFIED
    assert User.objects.get(pk=alice.pk).has_role(Role.LAWYER)
    event = AuditEvent.objects.get(code="ecourt.accounts.role.granted")
    assert (event.actor, event.new_values) == (admin, {"role": Role.LAWYER})
    applied = AuditEvent.objects.get(code="ecourt.accounts.lawyer.applied")
    assert applied.new_values["licence_number"] == "1110*********3456"


@pytest.mark.parametrize("licence", ["1110120171012345", "111012017101234567", "1110120171012345X"])
def test_it_wants_a_seventeen_digit_licence(login, alice, licence):
    response = _lawyer(login(alice), licence_number=licence)
    assert response.status_code == 200
    assert response.context["form"].errors["licence_number"] == [
        "A lawyer's practising licence number has exactly 17 digits."
    ]
    assert not LawyerProfile.objects.exists()


def test_it_refuses_a_licence_someone_else_registered(login, alice, bob):
    _lawyer(login(bob))
    response = _lawyer(login(alice), licence_number="１１１０１２０１７１０１２３４５６")
    assert response.status_code == 200
    assert response.context["form"].errors["licence_number"] == [
        "This licence number is already registered or waiting for review."
    ]
    assert LawyerProfile.objects.count() == 1


def test_it_asks_for_a_picture_of_the_licence(login, alice):
    response = _lawyer(login(alice), licence_image="")
    assert response.status_code == 200
    assert "licence_image" in response.context["form"].errors


def test_it_keeps_the_query_count_of_the_review_queue_flat(
    login, clerk, alice, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            person = VerifiedUserFactory()
            IdentityVerification.objects.create(
                user=person,
                document_type=IdentityDocumentType.PASSPORT,
                legal_name=person.display_name,
                document_number=f"E{person.pk:08d}",
            )
            company = Company.objects.create(
                name=f"Company {person.pk}", uscc=f"{person.pk:018d}", created_by=person
            )
            CompanyRepresentative.objects.create(company=company, user=person)
            LawyerProfile.objects.create(user=person, licence_number=f"{person.pk:017d}")

    add(1)
    client = login(clerk)
    url = reverse("accounts:review_queue")
    client.get(url)  # warm up: session and device
    with django_assert_max_num_queries(100) as baseline:
        client.get(url)
    add(10)
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url)
    assert len(response.context["identities"]) == len(response.context["lawyers"]) == 11


def test_it_tells_people_every_document_is_checked_by_staff_when_so_configured(
    login, oscar, settings
):
    client = login(oscar)
    page = client.get(reverse("accounts:identity")).content.decode()
    assert "we check your number at once" in page
    settings.ECOURT_IDENTITY_REVIEW = "all"
    page = client.get(reverse("accounts:identity")).content.decode()
    assert "we check your number at once" not in page
    assert "Court staff check every identity document from a photo" in page
