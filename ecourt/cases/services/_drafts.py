"""Guards shared by the services that edit a draft application."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ecourt.accounts import rules as account_rules
from ecourt.accounts.models import IdentityVerification, ReviewStatus, User
from ecourt.cases.models import Application, Party, PartyKind
from ecourt.cases.rules.filing import PartyFacts
from ecourt.cases.services._common import lock_application, today
from ecourt.core.errors import DomainError


def check_email(raw: str) -> str:
    """An email address, lower-cased, or "" when none was given."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = (raw or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            _("Enter an email address like name@example.com."), code="email_invalid", field="email"
        ) from None
    return email


def verified_identity(user: User) -> IdentityVerification:
    identity = (
        IdentityVerification.objects.filter(user=user, status=ReviewStatus.VERIFIED)
        .order_by("-reviewed_at")
        .first()
    )
    if identity is None or not user.is_identity_verified:
        raise DomainError(
            _("Verify your identity before filing (Online Litigation Rules, Art. 7)."),
            code="identity_required",
        )
    return identity


def editable(actor: User, application_id: int) -> Application:
    """Lock the application for an edit by its author."""
    application = lock_application(application_id)
    if application.created_by_id != actor.pk:
        raise DomainError(_("No such application."), code="not_found")
    if not application.is_editable:
        raise DomainError(
            _("This application can no longer be changed (%(status)s).")
            % {"status": application.get_status_display()},
            code="not_editable",
        )
    return application


def check_id_number(kind: str, raw: str) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    try:
        if kind == PartyKind.COMPANY:
            return account_rules.validate_uscc(raw)
        return account_rules.validate_resident_id(raw, today=today())[0]
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, field="id_number") from None


def check_mobile(raw: str) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    try:
        return account_rules.normalise_mobile(raw)
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, field="mobile") from None


def party_facts(party: Party) -> PartyFacts:
    return PartyFacts(party.side, party.name, party.id_number, party.mobile, party.email)
