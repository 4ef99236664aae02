"""Steps that need every party's consent: the one extension of the period, and agreeing to
the undisputed facts that are carried over to the case if mediation fails. Each party's
consent is a MediationConsent row (facts: bound to the hash of the text agreed to)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import (
    ApplicationStatus,
)
from ecourt.cases.services._common import (
    deadline_open,
    deadlines_close,
)
from ecourt.core import deadlines
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_calendar
from ecourt.core.text import clean_text
from ecourt.mediation import rules
from ecourt.mediation.models import (
    ConsentKind,
    Mediation,
    MediationConsent,
    MediationStatus,
)
from ecourt.mediation.services._common import (
    event_add,
    lock_mediation,
    mediation_parties,
    require_mediator,
    require_open,
    require_party,
)
from ecourt.mediation.services.diversion import (
    EXTENSION_BASIS,
    MEDIATION_DEADLINE,
)

S = ApplicationStatus
M = MediationStatus


# --- Consents: extension, undisputed facts -----------------------------------------------------


def _consent(
    actor: User, mediation: Mediation, kind: str, subject: str = ""
) -> list[MediationConsent]:
    parties = require_party(actor, mediation)
    have = set(
        MediationConsent.objects.filter(
            mediation=mediation, kind=kind, subject_sha256=subject
        ).values_list("party_id", flat=True)
    )
    now = timezone.now()
    return [
        MediationConsent.objects.create(
            mediation=mediation,
            kind=kind,
            party=party,
            given_by=actor,
            given_at=now,
            subject_sha256=subject,
        )
        for party in parties
        if party.pk not in have
    ]


def _everyone_consented(mediation: Mediation, kind: str, subject: str = "") -> bool:
    given = set(
        MediationConsent.objects.filter(
            mediation=mediation, kind=kind, subject_sha256=subject
        ).values_list("party_id", flat=True)
    )
    return {p.pk for p in mediation_parties(mediation)} <= given


def extension_consent(*, actor: User, mediation_id: int) -> Mediation:
    """A party consents to extending the period. When every party has, the period is extended
    once by the court's extension length, counted from the current last day."""
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_open(mediation)
        if mediation.extended:
            raise DomainError(
                _("The mediation period has already been extended once."), code="already_extended"
            )
        if mediation.due_on is None:
            raise DomainError(_("The period starts when a mediator is assigned."), code="no_period")
        new = _consent(actor, mediation, ConsentKind.EXTENSION)
        for consent in new:
            event_add(
                mediation=mediation,
                code="mediation.extension.consent",
                actor=actor,
                text=gettext_lazy("%(party)s consented to extending the mediation period."),
                params={"party": consent.party.name},
            )
        parties = [p.pk for p in mediation_parties(mediation)]
        consenting = MediationConsent.objects.filter(
            mediation=mediation, kind=ConsentKind.EXTENSION
        ).values_list("party_id", flat=True)
        if rules.extension_allowed(
            already_extended=mediation.extended, parties=parties, consenting=consenting
        ):
            old_due = mediation.due_on
            mediation.due_on = deadlines.period_end(
                old_due,
                settings.ECOURT_MEDIATION_EXTENSION_DAYS,
                deadlines.Unit.DAYS,
                court_calendar=court_calendar(),
            )
            mediation.extended = True
            mediation.save(update_fields=["due_on", "extended"])
            deadlines_close(
                how="cancelled", application=mediation.application, code=MEDIATION_DEADLINE
            )
            deadline_open(
                application=mediation.application,
                code=MEDIATION_DEADLINE,
                start=old_due,
                start_event="extension with every party's consent",
                due=mediation.due_on,
                basis=EXTENSION_BASIS,
            )
            event_add(
                mediation=mediation,
                code="mediation.extended",
                text=gettext_lazy(
                    "Every party consented: the mediation period is extended to %(due)s."
                ),
                params={"due": mediation.due_on.isoformat()},
            )
            audit_record(
                code="ecourt.mediation.extended",
                actor=actor,
                target=mediation,
                old={"due_on": old_due},
                new={"due_on": mediation.due_on},
            )
    return mediation


def facts_record(*, actor: User, mediation_id: int, text: str) -> Mediation:
    """The mediator writes down the facts the parties do not dispute. Agreements to an
    earlier wording do not count for a new one (they bind its hash)."""
    text = clean_text(text, field="text", max_length=20_000, required=False, multiline=True)
    if len(text) < 10:
        raise DomainError(
            _("Write the undisputed facts (at least 10 characters)."),
            code="facts_required",
            field="text",
        )
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_mediator(actor, mediation)
        require_open(mediation)
        mediation.undisputed_facts = text
        mediation.undisputed_facts_at = timezone.now()
        mediation.save(update_fields=["undisputed_facts", "undisputed_facts_at"])
        event_add(
            mediation=mediation,
            code="mediation.facts",
            actor=actor,
            text=gettext_lazy(
                "The mediator recorded the undisputed facts for the parties to agree to."
            ),
        )
        audit_record(
            code="ecourt.mediation.facts.recorded",
            actor=actor,
            target=mediation,
            new={"sha256": rules.text_sha256(text)},
        )
    return mediation


def facts_agree(*, actor: User, mediation_id: int, text_sha256: str) -> Mediation:
    """A party agrees that the recorded facts, as read, may be carried over to the case."""
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_open(mediation)
        digest = rules.text_sha256(mediation.undisputed_facts) if mediation.undisputed_facts else ""
        if not digest or (text_sha256 or "").strip().lower() != digest:
            raise DomainError(
                _("The undisputed facts changed after you read them. Read them again."),
                code="facts_changed",
            )
        for consent in _consent(actor, mediation, ConsentKind.FACTS, digest):
            event_add(
                mediation=mediation,
                code="mediation.facts.agreed",
                actor=actor,
                text=gettext_lazy("%(party)s agreed to the undisputed facts."),
                params={"party": consent.party.name},
            )
            audit_record(
                code="ecourt.mediation.facts.agreed",
                actor=actor,
                target=mediation,
                new={"party": consent.party_id, "sha256": digest},
            )
    return mediation
