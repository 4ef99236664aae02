"""Writes for real-name verification, company representatives and lawyers, and their
review by court staff. Each decision is audited and the applicant is told by text message."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts import rules
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
from ecourt.accounts.services.roles import grant_role_from_review
from ecourt.core.audit import audit_record
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import OutboundMessage
from ecourt.core.services import message_queue

# --- Telling the applicant -------------------------------------------------------------------


def _notify_decision(
    user: User,
    *,
    approved_text: Promise,
    rejected_text: Promise,
    approve: bool,
    reason: str,
    params: dict[str, str] | None = None,
) -> None:
    """Queue a text message with the decision, in the applicant's language, in this transaction.

    The texts are passed in already lazy-translated, and rendered here under the applicant's
    language (not the reviewer's).
    """
    with translation.override(user.preferred_language):
        court = get_court_profile().name
        if approve:
            text = str(approved_text) % (params or {})
            body = _("[%(court)s] %(text)s") % {"court": court, "text": text}
        else:
            text = str(rejected_text) % (params or {})
            body = _("[%(court)s] %(text)s Reason: %(reason)s Sign in to see what to do next.") % {
                "court": court,
                "text": text,
                "reason": reason,
            }
    message_queue(
        channel=OutboundMessage.Channel.SMS,
        to=user.mobile,
        body=body,
        purpose="accounts.review_decision",
    )


# --- Real-name verification ----------------------------------------------------------------


def identity_submit(
    *,
    actor: User,
    document_type: str,
    legal_name: str,
    document_number: str,
    birth_date: date | None,
    document_image: UploadedFile | None,
) -> IdentityVerification:
    """Record a real-name verification attempt.

    A PRC resident identity card number that passes the national-standard checks is verified at
    once (``ECOURT_IDENTITY_REVIEW=all`` sends those to staff too); other documents always go
    to the staff review queue with their image.
    """
    today = timezone.localdate()
    legal_name = " ".join(legal_name.split())
    if not legal_name:
        raise DomainError(
            _("Enter your name as printed on the document."),
            code="name_missing",
            field="legal_name",
        )
    if document_type == IdentityDocumentType.RESIDENT_ID:
        number, birth_date = rules.validate_resident_id(document_number, today=today)
    elif document_type in IdentityDocumentType.values:
        number = rules.validate_other_document_number(document_number)
        birth_date = rules.validate_birth_date(birth_date, today=today)
    else:
        raise DomainError(_("Choose a document type."), code="type_unknown", field="document_type")

    automatic = (
        document_type == IdentityDocumentType.RESIDENT_ID
        and settings.ECOURT_IDENTITY_REVIEW == "documents"
    )
    if not automatic and not document_image:
        # Staff decide from the image; without one there is nothing to check the details against.
        raise DomainError(
            _("Upload a photo or scan of the document's photo page."),
            code="image_missing",
            field="document_image",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.identity_verified_at is not None:
            raise DomainError(
                _("Your identity is already verified."), code="identity_already_verified"
            )
        taken = IdentityVerification.objects.filter(
            document_type=document_type, document_number=number, status=ReviewStatus.VERIFIED
        ).exists()
        if taken:
            raise DomainError(
                _(
                    "This document is already verified for another account. If it is yours, "
                    "contact the court's support desk."
                ),
                code="identity_taken",
                field="document_number",
            )
        for earlier in IdentityVerification.objects.select_for_update().filter(
            user=user, status=ReviewStatus.PENDING
        ):
            earlier.status = ReviewStatus.REJECTED
            earlier.decision_reason = "Replaced by a newer submission."
            earlier.reviewed_at = timezone.now()
            earlier.method = "superseded"
            earlier.save(update_fields=["status", "decision_reason", "reviewed_at", "method"])
            audit_record(
                code="ecourt.accounts.identity.superseded",
                actor=actor,
                target=earlier,
                old={"status": ReviewStatus.PENDING},
                new={"status": ReviewStatus.REJECTED, "method": "superseded"},
            )
        verification = IdentityVerification(
            user=user,
            document_type=document_type,
            legal_name=legal_name,
            document_number=number,
            birth_date=birth_date,
            status=ReviewStatus.VERIFIED if automatic else ReviewStatus.PENDING,
            method="ric_check" if automatic else "",
        )
        if document_image:
            verification.document_image.save(
                document_image.name or "document", document_image, save=False
            )
        if automatic:
            verification.reviewed_at = timezone.now()
        verification.save()
        if automatic:
            user.identity_verified_at = verification.reviewed_at
            user.save(update_fields=["identity_verified_at"])
        audit_record(
            code="ecourt.accounts.identity.verified"
            if automatic
            else "ecourt.accounts.identity.submitted",
            actor=actor,
            target=verification,
            new={
                "document_type": document_type,
                "document_number": rules.mask_identifier(number),
                "status": verification.status,
            },
        )
    return verification


def _require_reviewer(actor: User) -> None:
    from ecourt.accounts.roles import IDENTITY_REVIEWER_ROLES

    if not actor.has_role(*IDENTITY_REVIEWER_ROLES):
        raise PermissionDenied(_("You may not review identity documents."), code="not_reviewer")


def _decide(
    submission: IdentityVerification | CompanyRepresentative | LawyerProfile,
    *,
    actor: User,
    approve: bool,
    reason: str,
) -> None:
    if submission.status != ReviewStatus.PENDING:
        raise DomainError(_("This submission was already decided."), code="already_decided")
    if not approve and not reason.strip():
        raise DomainError(
            _("Give the reason for rejecting, so the applicant knows what to fix."),
            code="reason_missing",
            field="reason",
        )
    submission.status = ReviewStatus.VERIFIED if approve else ReviewStatus.REJECTED
    submission.reviewed_by = actor
    submission.reviewed_at = timezone.now()
    submission.decision_reason = reason.strip()
    submission.method = "staff_review"
    submission.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "decision_reason", "method"]
    )


def identity_review(
    *, actor: User, verification_id: int, approve: bool, reason: str
) -> IdentityVerification:
    _require_reviewer(actor)
    with transaction.atomic():
        verification = IdentityVerification.objects.select_for_update().get(pk=verification_id)
        user = User.objects.select_for_update().get(pk=verification.user_id)
        if verification.user_id == actor.pk:
            raise PermissionDenied(
                _("You may not review your own submission."), code="own_submission"
            )
        if (
            approve
            and IdentityVerification.objects.filter(
                document_type=verification.document_type,
                document_number=verification.document_number,
                status=ReviewStatus.VERIFIED,
            ).exists()
        ):
            raise DomainError(
                _("This document is already verified for another account."),
                code="identity_taken",
            )
        old_status = verification.status
        _decide(verification, actor=actor, approve=approve, reason=reason)
        if approve:
            user.identity_verified_at = verification.reviewed_at
            user.save(update_fields=["identity_verified_at"])
        audit_record(
            code="ecourt.accounts.identity.verified"
            if approve
            else "ecourt.accounts.identity.rejected",
            actor=actor,
            target=verification,
            old={"status": old_status},
            new={"status": verification.status, "reason": verification.decision_reason},
        )
        _notify_decision(
            user,
            approve=approve,
            reason=verification.decision_reason,
            approved_text=gettext_lazy(
                "Your identity is verified. You can now take part in cases online."
            ),
            rejected_text=gettext_lazy("Your identity document was not accepted."),
        )
    return verification


# --- Companies and lawyers -------------------------------------------------------------------


def _require_verified_identity(actor: User) -> None:
    if not actor.is_identity_verified:
        raise DomainError(_("Verify your own identity first."), code="identity_unverified")


def company_register(
    *,
    actor: User,
    name: str,
    uscc: str,
    legal_representative: str,
    position: str,
    authorisation_letter: UploadedFile,
) -> CompanyRepresentative:
    """Ask to represent a company. Creates the company on first registration of its code."""
    _require_verified_identity(actor)
    code = rules.validate_uscc(uscc)
    name = " ".join(name.split())
    if not name:
        raise DomainError(
            _("Enter the company's registered name."), code="name_missing", field="name"
        )
    with transaction.atomic():
        company = Company.objects.select_for_update().filter(uscc=code).first()
        if company is None:
            company = Company.objects.create(
                name=name,
                uscc=code,
                legal_representative=" ".join(legal_representative.split()),
                created_by=actor,
            )
            audit_record(
                code="ecourt.accounts.company.registered",
                actor=actor,
                target=company,
                new={"name": name, "uscc": code},
            )
        if (
            CompanyRepresentative.objects.filter(company=company, user=actor)
            .exclude(status=ReviewStatus.REJECTED)
            .exists()
        ):
            raise DomainError(
                _("You have already asked to represent this company."),
                code="representative_exists",
                field="uscc",
            )
        link = CompanyRepresentative(company=company, user=actor, position=position.strip())
        link.authorisation_letter.save(
            authorisation_letter.name or "letter", authorisation_letter, save=False
        )
        link.save()
        audit_record(
            code="ecourt.accounts.company_representative.submitted",
            actor=actor,
            target=link,
            new={"company": company.pk, "status": link.status},
        )
    return link


def company_representative_review(
    *, actor: User, link_id: int, approve: bool, reason: str
) -> CompanyRepresentative:
    """Decide on a representative's authorisation; approving a new company verifies it too."""
    _require_reviewer(actor)
    with transaction.atomic():
        link = CompanyRepresentative.objects.select_for_update().get(pk=link_id)
        company = Company.objects.select_for_update().get(pk=link.company_id)
        if link.user_id == actor.pk:
            raise PermissionDenied(
                _("You may not review your own submission."), code="own_submission"
            )
        _decide(link, actor=actor, approve=approve, reason=reason)
        if approve and company.status == ReviewStatus.PENDING:
            company.status = ReviewStatus.VERIFIED
            company.reviewed_by = actor
            company.reviewed_at = link.reviewed_at
            company.method = "staff_review"
            company.save(update_fields=["status", "reviewed_by", "reviewed_at", "method"])
            audit_record(
                code="ecourt.accounts.company.verified",
                actor=actor,
                target=company,
                old={"status": ReviewStatus.PENDING},
                new={"status": ReviewStatus.VERIFIED},
            )
        if approve:
            grant_role_from_review(
                actor=actor, user_id=link.user_id, role=Role.COMPANY_REPRESENTATIVE
            )
        audit_record(
            code="ecourt.accounts.company_representative."
            + ("approved" if approve else "rejected"),
            actor=actor,
            target=link,
            old={"status": ReviewStatus.PENDING},
            new={"status": link.status, "reason": link.decision_reason},
        )
        _notify_decision(
            link.user,
            approve=approve,
            reason=link.decision_reason,
            approved_text=gettext_lazy("You may now act for %(company)s."),
            rejected_text=gettext_lazy(
                "Your authorisation to act for %(company)s was not accepted."
            ),
            params={"company": company.name},
        )
    return link


def lawyer_apply(
    *, actor: User, licence_number: str, law_firm: str, licence_image: UploadedFile
) -> LawyerProfile:
    _require_verified_identity(actor)
    number = rules.validate_lawyer_licence(licence_number)
    law_firm = " ".join(law_firm.split())
    if not law_firm:
        raise DomainError(
            _("Enter the name of your law firm."), code="firm_missing", field="law_firm"
        )
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        if (
            LawyerProfile.objects.filter(licence_number=number)
            .exclude(status=ReviewStatus.REJECTED)
            .exists()
        ):
            raise DomainError(
                _("This licence number is already registered or waiting for review."),
                code="licence_taken",
                field="licence_number",
            )
        profile = LawyerProfile(user=actor, licence_number=number, law_firm=law_firm)
        profile.licence_image.save(licence_image.name or "licence", licence_image, save=False)
        profile.save()
        audit_record(
            code="ecourt.accounts.lawyer.applied",
            actor=actor,
            target=profile,
            new={"licence_number": rules.mask_identifier(number), "law_firm": law_firm},
        )
    return profile


def lawyer_review(*, actor: User, profile_id: int, approve: bool, reason: str) -> LawyerProfile:
    _require_reviewer(actor)
    with transaction.atomic():
        profile = LawyerProfile.objects.select_for_update().get(pk=profile_id)
        if profile.user_id == actor.pk:
            raise PermissionDenied(
                _("You may not review your own submission."), code="own_submission"
            )
        _decide(profile, actor=actor, approve=approve, reason=reason)
        if approve:
            grant_role_from_review(actor=actor, user_id=profile.user_id, role=Role.LAWYER)
        audit_record(
            code="ecourt.accounts.lawyer." + ("approved" if approve else "rejected"),
            actor=actor,
            target=profile,
            old={"status": ReviewStatus.PENDING},
            new={"status": profile.status, "reason": profile.decision_reason},
        )
        _notify_decision(
            profile.user,
            approve=approve,
            reason=profile.decision_reason,
            approved_text=gettext_lazy(
                "Your lawyer's licence is approved. You can now act as an agent in cases."
            ),
            rejected_text=gettext_lazy("Your lawyer's licence was not accepted."),
        )
    return profile
