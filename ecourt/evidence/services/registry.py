"""The court administrator's registry: institutions that deposit over the API, their tokens,
and the witnesses whose cosignatures the court trusts."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.evidence.models import Institution, InstitutionToken, Witness
from ecourt.evidence.tlog import note

TOKEN_PREFIX = "ect_"


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def institution_create(*, actor: User | None, name: str) -> Institution:
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Enter the institution's name."), code="name_required", field="name")
    if len(name) > 200:
        raise DomainError(
            _("The name is at most 200 characters."), code="name_too_long", field="name"
        )
    with transaction.atomic():
        if Institution.objects.filter(name=name).exists():
            raise DomainError(
                _("An institution of this name is registered already."),
                code="institution_exists",
                field="name",
            )
        institution = Institution.objects.create(
            name=name, depositor_id="i-" + secrets.token_hex(8), created_by=actor
        )
        audit_record(
            code="ecourt.evidence.institution_created",
            actor=actor,
            target=institution,
            new={"name": name, "depositor_id": institution.depositor_id},
        )
    return institution


def institution_token_create(
    *,
    actor: User | None,
    institution: Institution | None = None,
    institution_name: str = "",
    create_institution: bool = False,
) -> tuple[InstitutionToken, str]:
    """A new API token for an institution: (row, the token itself, shown once)."""
    with transaction.atomic():
        if institution is None:
            institution = Institution.objects.filter(
                name=" ".join(institution_name.split())
            ).first()
            if institution is None:
                if not create_institution:
                    raise DomainError(_("No such institution."), code="no_institution")
                institution = institution_create(actor=actor, name=institution_name)
        if not institution.is_active:
            raise DomainError(_("This institution is deactivated."), code="institution_inactive")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = InstitutionToken.objects.create(
            institution=institution,
            token_sha256=token_hash(secret),
            prefix=secret[:10],
            created_by=actor,
        )
        audit_record(
            code="ecourt.evidence.token_created",
            actor=actor,
            target=institution,
            new={"token": row.prefix + "…"},
        )
    return row, secret


def institution_token_revoke(*, actor: User, token: InstitutionToken) -> InstitutionToken:
    with transaction.atomic():
        token = InstitutionToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            code="ecourt.evidence.token_revoked",
            actor=actor,
            target=token.institution,
            old={"token": token.prefix + "…"},
        )
    return token


def institution_for_token(secret: str) -> Institution | None:
    """The active institution a bearer token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = (
        InstitutionToken.objects.select_related("institution")
        .filter(token_sha256=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.institution.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        InstitutionToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.institution


def witness_add(*, actor: User, verifier_key: str, description: str = "") -> Witness:
    """Trust a witness: its verifier key string (type 0x04, cosignature/v1)."""
    try:
        verifier = note.parse_verifier(verifier_key)
    except note.NoteError as exc:
        raise DomainError(
            _("This is not a witness verifier key: %(problem)s") % {"problem": exc},
            code="bad_witness_key",
            field="verifier_key",
        ) from None
    if verifier.key_type != note.COSIGNATURE_V1:
        raise DomainError(
            _("A witness key has type 0x04 (cosignature/v1); this one signs notes (0x01)."),
            code="bad_witness_key",
            field="verifier_key",
        )
    with transaction.atomic():
        if Witness.objects.filter(name=verifier.name).exists():
            raise DomainError(
                _("A witness of this name is registered already."),
                code="witness_exists",
                field="verifier_key",
            )
        witness = Witness.objects.create(
            name=verifier.name, verifier_key=str(verifier), description=description.strip()[:300]
        )
        audit_record(
            code="ecourt.evidence.witness_added",
            actor=actor,
            target=witness,
            new={"name": witness.name, "key": witness.verifier_key},
        )
    return witness


def witness_set_active(*, actor: User, witness: Witness, active: bool) -> Witness:
    with transaction.atomic():
        witness = Witness.objects.select_for_update().get(pk=witness.pk)
        if witness.is_active == active:
            return witness
        witness.is_active = active
        witness.save(update_fields=["is_active"])
        audit_record(
            code="ecourt.evidence.witness_" + ("activated" if active else "deactivated"),
            actor=actor,
            target=witness,
            old={"is_active": not active},
            new={"is_active": active},
        )
    return witness
