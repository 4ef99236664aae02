"""Writes for accounts: registration, contact changes, identity, companies, lawyers, roles,
consent and sign-in records. Each function: atomic → lock → guard → mutate → audit."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts import rules
from ecourt.accounts.backends import user_for_login
from ecourt.accounts.models import (
    Company,
    CompanyRepresentative,
    ConsentRecord,
    IdentityDocumentType,
    IdentityVerification,
    LawyerProfile,
    ReviewStatus,
    RoleGrant,
    TermsVersion,
    User,
)
from ecourt.accounts.otp import otp_verify
from ecourt.accounts.roles import PUBLIC_ROLES, STAFF_ROLES, Role
from ecourt.core import context
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied

# --- Registration and contact details ---------------------------------------------------------


def user_register(
    *,
    mobile: str,
    display_name: str,
    password_hash: str,
    email: str | None,
    preferred_language: str,
    code: str,
) -> User:
    """Create a litigant account once the mobile number's one-time code checks out.

    The password arrives already hashed: the sign-up form hashes it before the code step so the
    plain password never sits in the session.
    """
    otp_verify(destination=mobile, purpose="register", code=code)
    now = timezone.now()
    try:
        with transaction.atomic():
            if User.objects.filter(mobile=mobile).exists():
                raise DomainError(
                    _("An account with this mobile number already exists. Sign in instead."),
                    code="mobile_taken",
                    field="mobile",
                )
            if email and User.objects.filter(email=email).exists():
                raise DomainError(
                    _("An account with this email address already exists."),
                    code="email_taken",
                    field="email",
                )
            user = User(
                mobile=mobile,
                email=email or None,
                display_name=display_name,
                preferred_language=preferred_language,
                mobile_verified_at=now,
                password=password_hash,
            )
            user.save()
            RoleGrant.objects.create(user=user, role=Role.LITIGANT)
            audit_record(
                code="ecourt.accounts.user.registered",
                actor=user,
                target=user,
                new={"mobile": rules.mask_mobile(mobile), "roles": [Role.LITIGANT]},
            )
    except IntegrityError as exc:  # two sign-ups racing for one number
        raise DomainError(
            _("An account with this mobile number already exists. Sign in instead."),
            code="mobile_taken",
            field="mobile",
        ) from exc
    return user


def user_update_profile(
    *, actor: User, user: User, display_name: str, preferred_language: str
) -> User:
    if preferred_language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."), code="language_unknown", field="language")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        old = {"display_name": locked.display_name, "preferred_language": locked.preferred_language}
        new = {"display_name": display_name, "preferred_language": preferred_language}
        if old == new:
            return locked
        locked.display_name = display_name
        locked.preferred_language = preferred_language
        locked.save(update_fields=["display_name", "preferred_language"])
        audit_record(
            code="ecourt.accounts.user.profile_changed",
            actor=actor,
            target=locked,
            old=old,
            new=new,
        )
    return locked


def user_set_language(*, actor: User, language: str) -> None:
    """Remember the language a signed-in person chose in the header switcher."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."), code="language_unknown")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        if locked.preferred_language == language:
            return
        old = locked.preferred_language
        locked.preferred_language = language
        locked.save(update_fields=["preferred_language"])
        audit_record(
            code="ecourt.accounts.user.language_changed",
            actor=actor,
            target=locked,
            old={"preferred_language": old},
            new={"preferred_language": language},
        )


def user_change_mobile(*, actor: User, new_mobile: str, code: str) -> User:
    otp_verify(destination=new_mobile, purpose="change_mobile", code=code)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        if User.objects.filter(mobile=new_mobile).exclude(pk=locked.pk).exists():
            raise DomainError(
                _("Another account already uses this mobile number."),
                code="mobile_taken",
                field="mobile",
            )
        old = locked.mobile
        locked.mobile = new_mobile
        locked.mobile_verified_at = timezone.now()
        locked.save(update_fields=["mobile", "mobile_verified_at"])
        audit_record(
            code="ecourt.accounts.user.mobile_changed",
            actor=actor,
            target=locked,
            old={"mobile": rules.mask_mobile(old)},
            new={"mobile": rules.mask_mobile(new_mobile)},
        )
    return locked


def user_change_email(*, actor: User, new_email: str, code: str) -> User:
    new_email = new_email.strip().lower()
    otp_verify(destination=new_email, purpose="change_email", code=code)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        if User.objects.filter(email=new_email).exclude(pk=locked.pk).exists():
            raise DomainError(
                _("Another account already uses this email address."),
                code="email_taken",
                field="email",
            )
        old = locked.email or ""
        locked.email = new_email
        locked.email_verified_at = timezone.now()
        locked.save(update_fields=["email", "email_verified_at"])
        audit_record(
            code="ecourt.accounts.user.email_changed",
            actor=actor,
            target=locked,
            old={"email": old},
            new={"email": new_email},
        )
    return locked


def user_change_password(*, actor: User, new_password: str) -> None:
    """Set a new password (the form has checked the old one and the validators)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        audit_record(code="ecourt.accounts.user.password_changed", actor=actor, target=locked)


def user_reset_password(*, mobile: str, code: str, new_password: str) -> User:
    """Forgotten password: proven by a code sent to the account's mobile number."""
    from axes.utils import reset

    otp_verify(destination=mobile, purpose="reset_password", code=code)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(mobile=mobile, is_active=True).first()
        if user is None:
            raise DomainError(_("No active account uses this mobile number."), code="user_missing")
        user.set_password(new_password)
        user.save(update_fields=["password"])
        # The paused sign-in page offers this reset as the way out: the guesses counted
        # against the old password no longer matter once the person proved the number.
        cleared = sum(
            int(reset(username=login) or 0) for login in (user.mobile, user.email) if login
        )
        audit_record(
            code="ecourt.accounts.user.password_reset",
            actor=None,
            target=user,
            new={"sign_in_attempts_cleared": cleared},
        )
    return user


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
        if not document_image:
            raise DomainError(
                _("Upload a photo or scan of the document's photo page."),
                code="image_missing",
                field="document_image",
            )
    else:
        raise DomainError(_("Choose a document type."), code="type_unknown", field="document_type")

    automatic = (
        document_type == IdentityDocumentType.RESIDENT_ID
        and settings.ECOURT_IDENTITY_REVIEW == "documents"
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
        IdentityVerification.objects.filter(user=user, status=ReviewStatus.PENDING).update(
            status=ReviewStatus.REJECTED,
            decision_reason="Replaced by a newer submission.",
            reviewed_at=timezone.now(),
            method="superseded",
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
        elif company.status == ReviewStatus.REJECTED:
            raise DomainError(
                _("This company's registration was rejected: %(reason)s")
                % {"reason": company.decision_reason},
                code="company_rejected",
                field="uscc",
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
            _grant(actor=actor, user_id=link.user_id, role=Role.COMPANY_REPRESENTATIVE)
        audit_record(
            code="ecourt.accounts.company_representative."
            + ("approved" if approve else "rejected"),
            actor=actor,
            target=link,
            old={"status": ReviewStatus.PENDING},
            new={"status": link.status, "reason": link.decision_reason},
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
            _grant(actor=actor, user_id=profile.user_id, role=Role.LAWYER)
        audit_record(
            code="ecourt.accounts.lawyer." + ("approved" if approve else "rejected"),
            actor=actor,
            target=profile,
            old={"status": ReviewStatus.PENDING},
            new={"status": profile.status, "reason": profile.decision_reason},
        )
    return profile


# --- Roles ----------------------------------------------------------------------------------


def _grant(*, actor: User | None, user_id: int, role: str) -> bool:
    grant, created = RoleGrant.objects.get_or_create(
        user_id=user_id, role=role, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            code="ecourt.accounts.role.granted",
            actor=actor,
            target=grant.user,
            new={"role": role},
        )
    return created


def role_grant(*, actor: User, user_id: int, role: str) -> bool:
    """A court administrator grants a staff role. Returns False when the person already has it."""
    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(_("Only a court administrator may grant roles."), code="not_admin")
    if role not in STAFF_ROLES:
        raise DomainError(
            _("This role follows from the person's own registration and cannot be granted."),
            code="role_not_grantable",
            field="role",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        created = _grant(actor=actor, user_id=user.pk, role=role)
        if role == Role.COURT_ADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return created


def role_revoke(*, actor: User, user_id: int, role: str) -> bool:
    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(_("Only a court administrator may revoke roles."), code="not_admin")
    if role in PUBLIC_ROLES:
        raise DomainError(
            _("This role follows from the person's own registration and cannot be revoked here."),
            code="role_not_grantable",
            field="role",
        )
    if role == Role.COURT_ADMIN and user_id == actor.pk:
        raise DomainError(
            _("You cannot remove your own administrator role; ask another administrator."),
            code="own_admin_role",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        deleted, _count = RoleGrant.objects.filter(user=user, role=role).delete()
        if not deleted:
            return False
        if role == Role.COURT_ADMIN and user.is_staff:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
        audit_record(
            code="ecourt.accounts.role.revoked", actor=actor, target=user, old={"role": role}
        )
    return True


def account_unlock(*, actor: User, username: str) -> int:
    """Lift a sign-in lockout (django-axes) for a login name; returns attempts cleared."""
    from axes.utils import reset

    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(
            _("Only a court administrator may unlock accounts."), code="not_admin"
        )
    with transaction.atomic():
        cleared = int(reset(username=username) or 0)
        # The lockout's login name is an E.164 mobile number or a lower-case email address.
        user = user_for_login(username)
        audit_record(
            code="ecourt.accounts.user.unlocked",
            actor=actor,
            target=user,
            new={"username": rules.mask_mobile(username), "attempts_cleared": cleared},
        )
    return cleared


# --- Consent to online litigation -----------------------------------------------------------


def consent_accept(*, actor: User, terms_id: int) -> ConsentRecord:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        terms = TermsVersion.objects.get(pk=terms_id)
        if terms.effective_from > timezone.now():
            raise DomainError(_("These terms are not in force yet."), code="terms_not_in_force")
        existing = ConsentRecord.objects.filter(
            user=user, terms=terms, withdrawn_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        record = ConsentRecord.objects.create(
            user=user, terms=terms, ip_hash=context.current().ip_hash
        )
        audit_record(
            code="ecourt.accounts.consent.accepted",
            actor=actor,
            target=record,
            new={"terms": terms.version},
        )
    return record


def consent_withdraw(*, actor: User) -> int:
    """Withdraw consent to online litigation. Later steps must then offer offline handling."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        now = timezone.now()
        records = list(ConsentRecord.objects.filter(user=actor, withdrawn_at__isnull=True))
        for record in records:
            record.withdrawn_at = now
            record.save(update_fields=["withdrawn_at"])
            audit_record(
                code="ecourt.accounts.consent.withdrawn",
                actor=actor,
                target=record,
                old={"withdrawn_at": None},
                new={"withdrawn_at": now},
            )
    return len(records)
