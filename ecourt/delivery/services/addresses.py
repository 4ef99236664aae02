"""A party's address confirmation for a case, a person's notice preferences, and the API
tokens a company's system pulls its deliveries with."""

from __future__ import annotations

import hashlib
import secrets
from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import ReviewStatus, User
from ecourt.accounts.rules import normalise_mobile
from ecourt.cases.models import Party, PartyKind
from ecourt.cases.services._common import docket_add, lock_case
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text
from ecourt.delivery.models import AddressConfirmation, InboxToken, NotificationPreference
from ecourt.delivery.services.common import acts_for

#: Top-level domains that never receive mail (RFC 2606, RFC 6761).
_UNREACHABLE_TLDS = frozenset({"invalid", "test", "example", "localhost", "local"})


def _clean_mobile(mobile: str) -> str:
    mobile = clean_text(mobile, field="mobile", max_length=30, required=False)
    if not mobile:
        return ""
    try:
        return normalise_mobile(mobile)
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, field="mobile") from None


def clean_email(email: str, *, field: str = "email") -> str:
    """An email address that can receive mail, or a specific error on ``field``."""
    email = clean_text(email, field=field, max_length=254, required=False).lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            _("Enter a valid email address, like name@example.com."),
            code="email_invalid",
            field=field,
        ) from None
    domain = email.rsplit("@", 1)[1]
    if "." not in domain or domain.rsplit(".", 1)[1] in _UNREACHABLE_TLDS:
        raise DomainError(
            _("Mail cannot reach %(domain)s: give an address that receives mail.")
            % {"domain": domain},
            code="email_unreachable",
            field=field,
        )
    return email


def address_confirm(
    *,
    actor: User,
    case_id: int,
    party_id: int,
    mobile: str,
    email: str,
    institution_inbox: bool,
    consents_to_decisions: bool,
    undertaking: bool,
) -> AddressConfirmation:
    """Confirm (or change) where the court serves documents on a party in a case. The new
    version applies to documents issued from now on (SPC Online Litigation Rules 2021,
    Art. 29; CPL Art. 90)."""
    mobile = _clean_mobile(mobile)
    email = clean_email(email)
    if not undertaking:
        raise DomainError(
            _(
                "Confirm that you will keep these addresses reachable and tell the court of any "
                "change."
            ),
            code="undertaking_missing",
            field="undertaking",
        )
    with transaction.atomic():
        case = lock_case(case_id)
        party = Party.objects.select_for_update().filter(pk=party_id, case=case).first()
        if party is None or not acts_for(actor, party):
            raise DomainError(_("You do not act for this party."), code="not_your_party")
        if institution_inbox and party.kind != PartyKind.COMPANY:
            raise DomainError(
                _("Only a company can receive documents in its own system over the API."),
                code="institution_not_company",
                field="institution_inbox",
            )
        current = AddressConfirmation.objects.filter(
            party=party, superseded_at__isnull=True
        ).first()
        if current is not None and (
            current.mobile,
            current.email,
            current.institution_inbox,
            current.consents_to_decisions,
        ) == (mobile, email, institution_inbox, consents_to_decisions):
            return current
        now = timezone.now()
        if current is not None:
            current.superseded_at = now
            current.save(update_fields=["superseded_at"])
        version = (
            AddressConfirmation.objects.filter(party=party).aggregate(n=Max("version"))["n"] or 0
        ) + 1
        confirmation = AddressConfirmation.objects.create(
            case=case,
            party=party,
            version=version,
            mobile=mobile,
            email=email,
            institution_inbox=institution_inbox,
            consents_to_decisions=consents_to_decisions,
            undertaking=True,
            confirmed_by=actor,
            confirmed_at=now,
        )
        docket_add(
            case=case,
            code="delivery.address_confirmed",
            actor=actor,
            party=party,
            text=gettext_lazy(
                "%(party)s confirmed its addresses for electronic service (version %(version)s)."
            ),
            params={"party": party.name, "version": version},
        )
        audit_record(
            code="ecourt.delivery.address_confirmed",
            actor=actor,
            target=party,
            old={"version": current.version} if current else {},
            new={
                "version": version,
                "channels": confirmation.channels,
                "consents_to_decisions": consents_to_decisions,
            },
        )
    return confirmation


def notification_preference_set(
    *,
    actor: User,
    sms: bool,
    email: bool,
    quiet_start: time | None,
    quiet_end: time | None,
) -> NotificationPreference:
    """How notices (not legal service) reach ``actor``. Legal service ignores these."""
    if (quiet_start is None) != (quiet_end is None):
        raise DomainError(
            _("Give both the start and the end of your quiet hours, or neither."),
            code="quiet_hours_incomplete",
            field="quiet_end",
        )
    if email and not actor.email:
        raise DomainError(
            _("Add an email address to your account first."), code="no_email", field="email"
        )
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user=actor
        )
        old = {"sms": preference.sms, "email": preference.email}
        preference.sms, preference.email = sms, email
        preference.quiet_start, preference.quiet_end = quiet_start, quiet_end
        preference.save()
        audit_record(
            code="ecourt.delivery.preferences",
            actor=actor,
            target=preference,
            old=old,
            new={"sms": sms, "email": email, "quiet": bool(quiet_start)},
        )
    return preference


TOKEN_PREFIX = "eci_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def inbox_token_create(*, actor: User) -> tuple[InboxToken, str]:
    """A token for a company's system to pull its deliveries. Returned once; only its hash
    is kept. Only an approved company representative may create one."""
    if not actor.company_links.filter(status=ReviewStatus.VERIFIED).exists():
        raise DomainError(
            _("Only an approved representative of a company can create an API token."),
            code="not_company_representative",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = InboxToken.objects.create(
        user=actor, token_sha256=token_digest(token), prefix=token[:10], created_at=timezone.now()
    )
    audit_record(code="ecourt.delivery.token_created", actor=actor, target=row)
    return row, token


def inbox_token_revoke(*, actor: User, token_id: int) -> InboxToken:
    row = InboxToken.objects.filter(pk=token_id, user=actor).first()
    if row is None:
        raise DomainError(_("No such token."), code="not_found")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        audit_record(code="ecourt.delivery.token_revoked", actor=actor, target=row)
    return row
