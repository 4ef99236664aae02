"""Applicants are told each review decision by text message, in their own language."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from ecourt.accounts.models import CompanyRepresentative, IdentityVerification, LawyerProfile
from ecourt.accounts.roles import Role
from ecourt.accounts.services import (
    company_register,
    company_representative_review,
    identity_review,
    identity_submit,
    lawyer_apply,
    lawyer_review,
)
from ecourt.accounts.tests.factories import UserFactory, image_upload, valid_uscc
from ecourt.core import sms
from ecourt.core.forms import BoundedImageField

pytestmark = pytest.mark.django_db


def _passport(user) -> IdentityVerification:
    return identity_submit(
        actor=user,
        document_type="passport",
        legal_name="Oscar Ou",
        document_number="E12345678",
        birth_date=date(1985, 11, 2),
        document_image=image_upload(),
    )


def test_it_texts_an_approval_in_the_applicants_language(oscar, clerk, commit):
    oscar.preferred_language = "zh-hans"
    oscar.save(update_fields=["preferred_language"])
    verification = _passport(oscar)
    with translation.override("en"), commit():  # the reviewer works in English
        identity_review(actor=clerk, verification_id=verification.pk, approve=True, reason="")
    [message] = [m for m in sms.outbox if m.to == oscar.mobile]
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "Your identity is verified. You can now take part in cases online."
        )
    assert expected != "Your identity is verified. You can now take part in cases online."
    assert expected in message.body


def test_it_texts_a_rejection_with_the_reason(oscar, clerk, commit):
    verification = _passport(oscar)
    with commit():
        identity_review(
            actor=clerk, verification_id=verification.pk, approve=False, reason="Photo is blurred."
        )
    [message] = [m for m in sms.outbox if m.to == oscar.mobile]
    assert "Your identity document was not accepted." in message.body
    assert "Photo is blurred." in message.body


def test_it_names_the_company_in_a_representatives_notice(clerk, commit):
    bob = UserFactory(identity_verified_at="2025-01-01T00:00:00Z")
    link = company_register(
        actor=bob,
        name="Beta Tech",
        uscc=valid_uscc(),
        legal_representative="Li Bo",
        position="Counsel",
        authorisation_letter=image_upload(),
    )
    with commit():
        company_representative_review(actor=clerk, link_id=link.pk, approve=True, reason="")
    [message] = [m for m in sms.outbox if m.to == bob.mobile]
    assert "You may now act for Beta Tech." in message.body
    assert CompanyRepresentative.objects.get(pk=link.pk).status == "verified"
    bob.refresh_from_db()
    assert bob.has_role(Role.COMPANY_REPRESENTATIVE)


def test_it_texts_a_lawyer_the_decision(clerk, commit):
    dan = UserFactory(identity_verified_at="2025-01-01T00:00:00Z")
    profile = lawyer_apply(
        actor=dan,
        licence_number="11101201810000099",
        law_firm="Fair Firm",
        licence_image=image_upload(),
    )
    with commit():
        lawyer_review(actor=clerk, profile_id=profile.pk, approve=False, reason="Licence expired.")
    [message] = [m for m in sms.outbox if m.to == dan.mobile]
    assert "Your lawyer's licence was not accepted." in message.body
    assert "Licence expired." in message.body
    assert LawyerProfile.objects.get(pk=profile.pk).status == "rejected"


def test_it_stores_an_upload_under_the_extension_of_its_content():
    cleaned = BoundedImageField().clean(image_upload("passport.pdf"))
    assert cleaned.name == "upload.png"
    cleaned = BoundedImageField().clean(image_upload("photo.png", image_format="JPEG"))
    assert cleaned.name == "upload.jpg"


def test_it_shows_staff_what_this_applicant_said_about_the_company(login, clerk):
    """The first applicant must not decide what every later reviewer sees of a company."""
    mallory = UserFactory(identity_verified_at="2025-01-01T00:00:00Z")
    bob = UserFactory(identity_verified_at="2025-01-01T00:00:00Z")
    code = valid_uscc()
    company_register(
        actor=mallory,
        name="Squatter Shell Co",
        uscc=code,
        legal_representative="Mallory",
        position="",
        authorisation_letter=image_upload(),
    )
    link = company_register(
        actor=bob,
        name="Beta Tech",
        uscc=code,
        legal_representative="Li Bo",
        position="Counsel",
        authorisation_letter=image_upload(),
    )
    page = login(clerk).get(f"/accounts/staff/reviews/company/{link.pk}/")
    html = page.content.decode()
    assert "Beta Tech" in html and "Li Bo" in html
    assert "Squatter Shell Co" not in html
    company_representative_review(actor=clerk, link_id=link.pk, approve=True, reason="")
    link.company.refresh_from_db()
    assert (link.company.name, link.company.legal_representative) == ("Beta Tech", "Li Bo")
    assert link.company.status == "verified"
