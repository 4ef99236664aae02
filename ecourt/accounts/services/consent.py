"""Writes for consent to online litigation (SPC Online Litigation Rules 2021, Arts. 2 and 4)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts.models import (
    ConsentRecord,
    TermsVersion,
    User,
)
from ecourt.core import context
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError

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
