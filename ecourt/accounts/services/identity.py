"""Writes for real-name verification, company representatives and lawyers, and their
review by court staff. Each decision is audited and the applicant is told by text message."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts import rules
from ecourt.accounts.models import (
    REVIEW_TRANSITIONS,
    Company,
    CompanyRepresentative,
    IdentityDocumentType,
    IdentityVerification,
    LawyerProfile,
    ReviewStatus,
    User,
)
from ecourt.accounts.notices import text_person
from ecourt.accounts.roles import Role
from ecourt.accounts.services.roles import grant_role_from_review
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.text import clean_text
from ecourt.core.uploads import stored_upload

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
    """Text the applicant the decision, with the reason when refused."""
    text_person(
        user,
        text=approved_text if approve else rejected_text,
        params=params,
        reason=None if approve else reason,
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

    A PRC resident identity card number that passes the national-standard checks (GB 11643:
    check character, birth date, known area code) is verified at once; ``ECOURT_IDENTITY_REVIEW
    =all`` sends those to staff too. Other documents, and resident numbers whose area code is
    unknown, go to the staff review queue with their image.
    """
    today = timezone.localdate()
    legal_name = clean_text(legal_name, field="legal_name", max_length=100)
    area_known = True
    if document_type == IdentityDocumentType.RESIDENT_ID:
        number, birth_date = rules.validate_resident_id(document_number, today=today)
        area_known = rules.resident_id_area_known(number)
    elif document_type in IdentityDocumentType.values:
        number = rules.validate_other_document_number(document_number)
        birth_date = rules.validate_birth_date(birth_date, today=today)
    else:
        raise DomainError(_("Choose a document type."), code="type_unknown", field="document_type")

    automatic = (
        document_type == IdentityDocumentType.RESIDENT_ID
        and area_known
        and settings.ECOURT_IDENTITY_REVIEW == "documents"
    )
    if not automatic and not document_image:
        # Staff decide from the image; without one there is nothing to check the details against.
        message = _("Upload a photo or scan of the document's photo page.")
        if not area_known:
            message = _(
                "We could not check this number automatically. Upload a photo of the card "
                "and court staff will check it."
            )
        raise DomainError(message, code="image_missing", field="document_image")
    with stored_upload("identityverification", document_image) as image_name:
        try:
            with transaction.atomic():
                verification = _record_identity(
                    actor=actor,
                    document_type=document_type,
                    legal_name=legal_name,
                    number=number,
                    birth_date=birth_date,
                    image_name=image_name,
                    automatic=automatic,
                )
        except IntegrityError as exc:  # the same document verified by a parallel request
            raise _identity_taken() from exc
    return verification


def _identity_taken() -> DomainError:
    return DomainError(
        _(
            "This document is already verified for another account. If it is yours, "
            "contact the court's support desk."
        ),
        code="identity_taken",
        field="document_number",
    )


def _record_identity(
    *,
    actor: User,
    document_type: str,
    legal_name: str,
    number: str,
    birth_date: date | None,
    image_name: str,
    automatic: bool,
) -> IdentityVerification:
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.identity_verified_at is not None:
        raise DomainError(_("Your identity is already verified."), code="identity_already_verified")
    if IdentityVerification.objects.filter(
        document_type=document_type, document_number=number, status=ReviewStatus.VERIFIED
    ).exists():
        raise _identity_taken()
    now = timezone.now()
    for earlier in IdentityVerification.objects.select_for_update().filter(
        user=user, status=ReviewStatus.PENDING
    ):
        earlier.status = ReviewStatus.REJECTED
        earlier.decision_reason = "Replaced by a newer submission."
        earlier.reviewed_at = now
        earlier.method = "superseded"
        earlier.save(update_fields=["status", "decision_reason", "reviewed_at", "method"])
        audit_record(
            code="ecourt.accounts.identity.superseded",
            actor=actor,
            target=earlier,
            old={"status": ReviewStatus.PENDING},
            new={"status": ReviewStatus.REJECTED, "method": "superseded"},
        )
    verification = IdentityVerification.objects.create(
        user=user,
        document_type=document_type,
        legal_name=legal_name,
        document_number=number,
        birth_date=birth_date,
        document_image=image_name,
        status=ReviewStatus.VERIFIED if automatic else ReviewStatus.PENDING,
        # "ric_check" is a format check, not a check against the population register.
        method="ric_check" if automatic else "",
        reviewed_at=now if automatic else None,
    )
    if automatic:
        user.identity_verified_at = now
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


def document_view_record(
    *, actor: User, submission: IdentityVerification | CompanyRepresentative | LawyerProfile
) -> None:
    """Record that a staff member opened someone's identity document, letter or licence.

    Identity documents are personal information: who looked at whose, and when, must be
    answerable afterwards."""
    _require_reviewer(actor)
    audit_record(
        code="ecourt.accounts.document.viewed",
        actor=actor,
        target=submission,
        new={"applicant": submission.user_id},
    )


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
    reason = clean_text(reason, field="reason", max_length=2000, required=False, multiline=True)
    target = ReviewStatus.VERIFIED if approve else ReviewStatus.REJECTED
    if target not in REVIEW_TRANSITIONS[submission.status]:
        raise DomainError(_("This submission was already decided."), code="already_decided")
    if not approve and not reason.strip():
        raise DomainError(
            _("Give the reason for rejecting, so the applicant knows what to fix."),
            code="reason_missing",
            field="reason",
        )
    submission.status = target
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
    try:
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
    except IntegrityError as exc:  # another reviewer verified the same document meanwhile
        raise DomainError(
            _("This document is already verified for another account."), code="identity_taken"
        ) from exc
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
    """Ask to represent a company. Creates the company (pending) on first registration of its
    code; each applicant's own account of its name and legal representative is kept on their
    request, and the company record takes the details staff approve."""
    _require_verified_identity(actor)
    code = rules.validate_uscc(uscc)
    name = clean_text(name, field="name", max_length=200)
    legal_representative = clean_text(
        legal_representative, field="legal_representative", max_length=100
    )
    position = clean_text(position, field="position", max_length=100, required=False)
    with stored_upload("companyrepresentative", authorisation_letter) as letter_name:
        # Two people registering the same new company at once: the second insert of the
        # company fails; the second try then finds the company and goes on.
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    link = _record_representative(
                        actor=actor,
                        code=code,
                        name=name,
                        legal_representative=legal_representative,
                        position=position,
                        letter_name=letter_name,
                    )
                break
            except IntegrityError as exc:
                if (
                    attempt == 2
                    or CompanyRepresentative.objects.filter(company__uscc=code, user=actor)
                    .exclude(status=ReviewStatus.REJECTED)
                    .exists()
                ):
                    raise _representative_exists() from exc
    return link


def _record_representative(
    *,
    actor: User,
    code: str,
    name: str,
    legal_representative: str,
    position: str,
    letter_name: str,
) -> CompanyRepresentative:
    company = Company.objects.select_for_update().filter(uscc=code).first()
    if company is None:
        company = Company.objects.create(
            name=name, uscc=code, legal_representative=legal_representative, created_by=actor
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
        raise _representative_exists()
    link = CompanyRepresentative.objects.create(
        company=company,
        user=actor,
        company_name=name,
        legal_representative=legal_representative,
        position=position,
        authorisation_letter=letter_name,
    )
    audit_record(
        code="ecourt.accounts.company_representative.submitted",
        actor=actor,
        target=link,
        new={"company": company.pk, "company_name": name, "status": link.status},
    )
    return link


def _representative_exists() -> DomainError:
    return DomainError(
        _("You have already asked to represent this company."),
        code="representative_exists",
        field="uscc",
    )


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
            # The first approved request fixes the company's details: staff checked them
            # against this applicant's letter, not whatever the first applicant typed.
            old = {
                "status": company.status,
                "name": company.name,
                "legal_representative": company.legal_representative,
            }
            company.status = ReviewStatus.VERIFIED
            company.name = link.company_name or company.name
            company.legal_representative = link.legal_representative or company.legal_representative
            company.reviewed_by = actor
            company.reviewed_at = link.reviewed_at
            company.method = "staff_review"
            company.save(
                update_fields=[
                    "status",
                    "name",
                    "legal_representative",
                    "reviewed_by",
                    "reviewed_at",
                    "method",
                ]
            )
            audit_record(
                code="ecourt.accounts.company.verified",
                actor=actor,
                target=company,
                old=old,
                new={
                    "status": company.status,
                    "name": company.name,
                    "legal_representative": company.legal_representative,
                },
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
    law_firm = clean_text(law_firm, field="law_firm", max_length=200)
    with stored_upload("lawyerprofile", licence_image) as image_name:
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=actor.pk)
                if (
                    LawyerProfile.objects.filter(licence_number=number)
                    .exclude(status=ReviewStatus.REJECTED)
                    .exists()
                ):
                    raise _licence_taken()
                profile = LawyerProfile.objects.create(
                    user=actor,
                    licence_number=number,
                    law_firm=law_firm,
                    licence_image=image_name,
                )
                audit_record(
                    code="ecourt.accounts.lawyer.applied",
                    actor=actor,
                    target=profile,
                    new={"licence_number": rules.mask_identifier(number), "law_firm": law_firm},
                )
        except IntegrityError as exc:  # the same licence sent by two requests at once
            raise _licence_taken() from exc
    return profile


def _licence_taken() -> DomainError:
    return DomainError(
        _("This licence number is already registered or waiting for review."),
        code="licence_taken",
        field="licence_number",
    )


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
