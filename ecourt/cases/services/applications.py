"""Writing a lawsuit application: the draft the wizard (and the API) fills step by step, then
submission. Only the author edits, and only while it is a draft or corrections are asked for."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts import rules as account_rules
from ecourt.accounts import selectors as account_selectors
from ecourt.accounts.models import CompanyRepresentative, ReviewStatus, User
from ecourt.accounts.roles import Role
from ecourt.cases import selectors
from ecourt.cases.models import (
    Agent,
    Application,
    ApplicationStatus,
    Claim,
    EvidenceForm,
    EvidenceListing,
    FilingCapacity,
    Party,
    PartyKind,
    PartySide,
)
from ecourt.cases.rules import fees as fee_rules
from ecourt.cases.rules.filing import (
    STEP_OF_GAP,
    ApplicationFacts,
    application_gaps,
)
from ecourt.cases.services._common import (
    deadline_open,
    deadlines_close,
    guard_application_move,
    lock_application,
    notify,
    today,
)
from ecourt.cases.services._drafts import (
    check_email,
    check_mobile,
    editable,
    party_facts,
    verified_identity,
)
from ecourt.cases.signals import application_submitted
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text

S = ApplicationStatus


def application_create(
    *,
    actor: User,
    capacity: str = FilingCapacity.SELF,
    company_id: int | None = None,
    client_key: str = "",
) -> Application:
    """Start a draft. A person files for themselves, for a company they represent, or — as a
    lawyer — for a client. With ``client_key`` the call is idempotent (API retries)."""
    identity = verified_identity(actor)
    if account_selectors.consent_current(actor) is None:
        raise DomainError(
            _("Accept the terms of online litigation before filing."), code="consent_required"
        )
    client_key = client_key.strip()[:64]
    if client_key:
        existing = Application.objects.filter(created_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing
    representation = None
    if capacity == FilingCapacity.COMPANY:
        representation = (
            CompanyRepresentative.objects.select_related("company")
            .filter(user=actor, company_id=company_id or 0, status=ReviewStatus.VERIFIED)
            .first()
        )
        if representation is None:
            raise DomainError(
                _("You are not an approved representative of that company."),
                code="not_representative",
                field="company",
            )
    elif capacity == FilingCapacity.CLIENT:
        if not actor.has_role(Role.LAWYER):
            raise DomainError(
                _("Only a lawyer whose licence the court approved may file for a client."),
                code="not_lawyer",
                field="capacity",
            )
    elif capacity != FilingCapacity.SELF:
        raise DomainError(_("Choose whom you file for."), code="capacity_invalid", field="capacity")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                created_by=actor,
                capacity=capacity,
                client_key=client_key,
                delivery_mobile=actor.mobile,
                delivery_email=actor.email or "",
            )
            if capacity == FilingCapacity.SELF:
                Party.objects.create(
                    application=application,
                    side=PartySide.PLAINTIFF,
                    kind=PartyKind.PERSON,
                    name=identity.legal_name,
                    id_number=identity.document_number,
                    mobile=actor.mobile,
                    email=actor.email or "",
                    user=actor,
                    linked_at=timezone.now(),
                )
            elif representation is not None:
                company = representation.company
                Party.objects.create(
                    application=application,
                    side=PartySide.PLAINTIFF,
                    kind=PartyKind.COMPANY,
                    name=company.name,
                    id_number=company.uscc,
                    legal_representative=company.legal_representative,
                    mobile=actor.mobile,
                    email=actor.email or "",
                    user=actor,
                    linked_at=timezone.now(),
                )
            audit_record(
                code="ecourt.filing.application.created",
                actor=actor,
                target=application,
                new={"capacity": capacity, "company": company_id},
            )
    except IntegrityError:
        if not client_key:
            raise
        # Two retries with the same key raced; the other one won.
        return Application.objects.get(created_by=actor, client_key=client_key)
    return application


#: Case types only a state organ (a procuratorate) may bring: SPC Provisions on Internet
#: Courts Art. 2(9). An organ's unified social credit code starts with 1 (registered by the
#: establishment authority, GB 32100-2015).
ORGAN_ONLY_TYPES = frozenset({"internet_public_interest"})


def _files_as_state_organ(application: Application) -> bool:
    plaintiff = application.parties.filter(side=PartySide.PLAINTIFF, kind=PartyKind.COMPANY).first()
    return (
        application.capacity == FilingCapacity.COMPANY
        and plaintiff is not None
        and plaintiff.id_number.startswith("1")
    )


def application_set_case_type(*, actor: User, application_id: int, code: str) -> Application:
    """Step 1 and 2: choose the case type; a type the court does not hear is refused at once,
    naming the competent court."""
    with transaction.atomic():
        application = editable(actor, application_id)
        case_type = selectors.case_type_on(code, today())
        if case_type is None:
            raise DomainError(
                _("Choose one of the case types listed."),
                code="case_type_unknown",
                field="case_type",
            )
        if case_type.code in ORGAN_ONLY_TYPES and not _files_as_state_organ(application):
            raise DomainError(
                _(
                    "Only a procuratorate brings this action. A procuratorate files as an "
                    "organisation through its approved representative."
                ),
                code="procuratorate_only",
                field="case_type",
            )
        if not case_type.accepted:
            raise DomainError(
                _("This court does not hear “%(type)s”. Bring it to: %(court)s")
                % {"type": case_type.name, "court": case_type.competent_court},
                code="not_heard",
                field="case_type",
            )
        old = application.case_type.code if application.case_type else None
        application.case_type = case_type
        application.save(update_fields=["case_type", "updated_at"])
        audit_record(
            code="ecourt.filing.application.case_type",
            actor=actor,
            target=application,
            old={"case_type": old},
            new={"case_type": code},
        )
    return application


#: What a person is told when the fee rules cannot use an amount (rules/fees.parse_amount).
AMOUNT_MESSAGES = {
    "amount_not_positive": gettext_lazy("The amount must be more than zero."),
    "amount_too_precise": gettext_lazy("The amount can have at most two decimal places (fen)."),
    "amount_invalid": gettext_lazy("The amount is not a number."),
    "amount_too_large": gettext_lazy("The amount is too large."),
}


def claim_add(
    *, actor: User, application_id: int, text: str, amount: str | Decimal | None = None
) -> Claim:
    text = clean_text(text, field="text", max_length=2000, required=False, multiline=True)
    if not text:
        raise DomainError(
            _("Say what you ask the court to order."), code="claim_missing", field="text"
        )
    value: Decimal | None = None
    if amount not in (None, ""):
        try:
            value = fee_rules.parse_amount(amount)  # type: ignore[arg-type]
        except fee_rules.FeeRuleError as exc:
            raise DomainError(AMOUNT_MESSAGES[exc.code], code=exc.code, field="amount") from None
    with transaction.atomic():
        application = editable(actor, application_id)
        if application.claims.count() >= 30:
            raise DomainError(_("At most 30 claims."), code="too_many_claims")
        position = (application.claims.aggregate(m=Max("position"))["m"] or 0) + 1
        claim = Claim.objects.create(
            application=application, position=position, text=text, amount=value
        )
        audit_record(
            code="ecourt.filing.claim.added",
            actor=actor,
            target=application,
            new={"claim": claim.pk, "amount": value},
        )
    return claim


def claim_remove(*, actor: User, application_id: int, claim_id: int) -> None:
    with transaction.atomic():
        application = editable(actor, application_id)
        deleted, _n = application.claims.filter(pk=claim_id).delete()
        if not deleted:
            raise DomainError(_("No such claim."), code="not_found")
        audit_record(
            code="ecourt.filing.claim.removed",
            actor=actor,
            target=application,
            old={"claim": claim_id},
        )


def application_set_facts(*, actor: User, application_id: int, facts: str) -> Application:
    facts = clean_text(facts, field="facts", max_length=50_000, required=False, multiline=True)
    if len(facts) > 50_000:
        raise DomainError(
            _("Keep the facts and reasons under 50,000 characters."),
            code="facts_too_long",
            field="facts",
        )
    with transaction.atomic():
        application = editable(actor, application_id)
        application.facts_and_reasons = facts
        application.save(update_fields=["facts_and_reasons", "updated_at"])
        audit_record(
            code="ecourt.filing.application.facts",
            actor=actor,
            target=application,
            new={"length": len(facts)},
        )
    return application


def evidence_listing_add(
    *,
    actor: User,
    application_id: int,
    title: str,
    form: str,
    purpose: str,
    description: str = "",
) -> EvidenceListing:
    title, purpose = (
        clean_text(title, field="title", max_length=200, required=False),
        clean_text(purpose, field="purpose", max_length=2000, required=False, multiline=True),
    )
    if not title:
        raise DomainError(_("Give the evidence a title."), code="title_missing", field="title")
    if form not in EvidenceForm.values:
        raise DomainError(_("Choose the form of the evidence."), code="form_invalid", field="form")
    if not purpose:
        raise DomainError(
            _("Say what this evidence is meant to prove."), code="purpose_missing", field="purpose"
        )
    with transaction.atomic():
        application = editable(actor, application_id)
        if application.evidence_list.count() >= 200:
            raise DomainError(_("At most 200 items."), code="too_many_items")
        position = (application.evidence_list.aggregate(m=Max("position"))["m"] or 0) + 1
        item = EvidenceListing.objects.create(
            application=application,
            position=position,
            title=title,
            form=form,
            purpose=purpose,
            description=clean_text(
                description, field="description", max_length=5000, required=False, multiline=True
            ),
        )
        audit_record(
            code="ecourt.filing.evidence_listing.added",
            actor=actor,
            target=application,
            new={"item": item.pk, "title": title},
        )
    return item


def evidence_listing_remove(*, actor: User, application_id: int, item_id: int) -> None:
    with transaction.atomic():
        application = editable(actor, application_id)
        deleted, _n = application.evidence_list.filter(pk=item_id).delete()
        if not deleted:
            raise DomainError(_("No such item."), code="not_found")
        audit_record(
            code="ecourt.filing.evidence_listing.removed",
            actor=actor,
            target=application,
            old={"item": item_id},
        )


def application_confirm_delivery(
    *,
    actor: User,
    application_id: int,
    mobile: str,
    email: str = "",
    postal_address: str = "",
    electronic_service_consent: bool = False,
    confirmed: bool = False,
) -> Application:
    """The plaintiff confirms where the court may serve documents (Online Litigation Rules
    2021, Art. 29; CPL Art. 90)."""
    if not confirmed:
        raise DomainError(
            _("Confirm that these addresses are right and that you will keep them reachable."),
            code="delivery_not_confirmed",
            field="confirmed",
        )
    mobile = check_mobile(mobile)
    if not mobile:
        raise DomainError(
            _("Enter a mobile number for court notices."), code="mobile_missing", field="mobile"
        )
    with transaction.atomic():
        application = editable(actor, application_id)
        application.delivery_mobile = mobile
        application.delivery_email = check_email(email)
        application.delivery_postal_address = clean_text(
            postal_address, field="postal_address", max_length=300, required=False
        )
        application.electronic_service_consent = electronic_service_consent
        application.delivery_confirmed_at = timezone.now()
        application.save(
            update_fields=[
                "delivery_mobile",
                "delivery_email",
                "delivery_postal_address",
                "electronic_service_consent",
                "delivery_confirmed_at",
                "updated_at",
            ]
        )
        audit_record(
            code="ecourt.filing.application.delivery_confirmed",
            actor=actor,
            target=application,
            new={
                "mobile": account_rules.mask_mobile(mobile),
                "email": bool(email),
                "postal": bool(postal_address),
                "consent": electronic_service_consent,
            },
        )
    return application


def application_set_preferences(
    *,
    actor: User,
    application_id: int,
    adr_preference: bool,
    simplified_procedure: bool,
) -> Application:
    with transaction.atomic():
        application = editable(actor, application_id)
        old = {
            "adr": application.adr_preference,
            "simplified": application.simplified_procedure_requested,
        }
        application.adr_preference = adr_preference
        application.simplified_procedure_requested = simplified_procedure
        application.save(
            update_fields=[
                "adr_preference",
                "simplified_procedure_requested",
                "updated_at",
            ]
        )
        audit_record(
            code="ecourt.filing.application.preferences",
            actor=actor,
            target=application,
            old=old,
            new={"adr": adr_preference, "simplified": simplified_procedure},
        )
    return application


def application_set_step(*, actor: User, application_id: int, step: str) -> None:
    """Remember where the author left the wizard (no audit: it changes nothing of substance)."""
    Application.objects.filter(pk=application_id, created_by=actor).update(step=step[:20])


def application_facts(application: Application) -> ApplicationFacts:
    case_type = application.case_type
    claims = list(application.claims.all())
    parties = list(application.parties.all())
    lawyer_ok: bool | None = None
    if application.capacity == FilingCapacity.CLIENT:
        plaintiffs = [p for p in parties if p.side == PartySide.PLAINTIFF]
        appointed = set(
            Agent.objects.filter(
                party__in=plaintiffs, user_id=application.created_by_id
            ).values_list("party_id", flat=True)
        )
        lawyer_ok = all(p.pk in appointed for p in plaintiffs)
    return ApplicationFacts(
        case_type_accepted=case_type.accepted if case_type else None,
        needs_amount=bool(case_type and case_type.fee_category == fee_rules.FeeCategory.PROPERTY),
        parties=[party_facts(p) for p in parties],
        claims=len(claims),
        claims_with_amount=sum(1 for c in claims if c.amount is not None),
        facts_length=len(application.facts_and_reasons),
        delivery_confirmed=application.delivery_confirmed_at is not None,
        lawyer_is_agent_of_every_plaintiff=lawyer_ok,
    )


def application_fee(application: Application) -> fee_rules.FeeEstimate | None:
    """The acceptance fee the application would owe, or None before a case type is chosen."""
    case_type = application.case_type
    if case_type is None or not case_type.accepted:
        return None
    amounts = [c.amount for c in application.claims.all() if c.amount is not None]
    total = sum(amounts, Decimal(0)) if amounts else None
    category = fee_rules.FeeCategory(case_type.fee_category)
    if category == fee_rules.FeeCategory.PROPERTY and total is None:
        return None
    return fee_rules.acceptance_fee(category, total, schedule=fee_schedule())


def fee_schedule() -> fee_rules.FeeSchedule:
    from django.conf import settings

    return fee_rules.FeeSchedule(
        personality_rights_per_case=settings.ECOURT_FEE_PERSONALITY_RIGHTS,
        ip_without_amount_per_case=settings.ECOURT_FEE_IP_NO_AMOUNT,
        other_non_property_per_case=settings.ECOURT_FEE_OTHER_NON_PROPERTY,
    )


GAP_MESSAGES = {
    "case_type": gettext_lazy("Choose a case type this court hears."),
    "plaintiff": gettext_lazy("Add at least one plaintiff."),
    "lawyer_not_agent": gettext_lazy(
        "Every plaintiff must have appointed you (power of attorney)."
    ),
    "defendant": gettext_lazy("Add at least one defendant."),
    "defendant_contact": gettext_lazy("Every defendant needs a mobile number or email address."),
    "claims": gettext_lazy("Add at least one claim."),
    "amount": gettext_lazy("Give the amount claimed: the fee of this case type depends on it."),
    "facts": gettext_lazy("Write the facts and reasons (at least 20 characters)."),
    "delivery": gettext_lazy("Confirm your delivery address."),
}


#: Statuses in which an earlier submission still stands: submitting again changes nothing.
SUBMISSION_STANDS = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.DIVERTED, S.DOCKETED, S.SETTLED})


def application_submit(*, actor: User, application_id: int) -> Application:
    """Submit (or, after corrections, resubmit) the application. Idempotent: a second press
    of the button, a retry or a back-and-resubmit returns the same application unchanged."""
    with transaction.atomic():
        application = lock_application(application_id)
        if application.created_by_id != actor.pk:
            raise DomainError(_("No such application."), code="not_found")
        if application.status in SUBMISSION_STANDS:
            return application  # already submitted: same result, nothing changes
        if application.status not in (S.DRAFT, S.CORRECTIONS_REQUESTED):
            # Withdrawn or refused: pressing submit again must not look like it worked.
            guard_application_move(application, S.SUBMITTED)
        if application.case_type is not None:
            # The type is judged by the catalogue in force on the (first) submission date, not
            # the one in force when it was chosen: a later version may have dropped it.
            on = (
                timezone.localdate(application.submitted_at)
                if application.submitted_at
                else today()
            )
            application.case_type = selectors.case_type_on(application.case_type.code, on)
        gaps = application_gaps(application_facts(application))
        if gaps:
            first = gaps[0]
            raise DomainError(
                GAP_MESSAGES[first], code=f"incomplete_{first}", field=STEP_OF_GAP[first]
            )
        estimate = application_fee(application)
        assert estimate is not None  # guaranteed by the gaps check
        now, received = timezone.now(), today()
        resubmission = application.status == S.CORRECTIONS_REQUESTED
        old_status = application.status
        application.status = S.UNDER_REVIEW if resubmission else S.SUBMITTED
        if application.submitted_at is None:
            application.submitted_at = now
            application.submitted_on = received  # the statistics count it on this day
        application.received_on = received
        application.fee_amount = estimate.fee
        application.fee_basis = estimate.basis
        application.save(
            update_fields=[
                "status",
                "case_type",
                "submitted_at",
                "submitted_on",
                "received_on",
                "fee_amount",
                "fee_basis",
                "updated_at",
            ]
        )
        if resubmission:
            deadlines_close(how="met", application=application, code="correction")
            deadlines_close(how="cancelled", application=application, code="filing_decision")
        deadline_open(
            application=application,
            code="filing_decision",
            start=received,
            start_event="resubmission after corrections" if resubmission else "submission",
        )
        audit_record(
            code="ecourt.filing.application.resubmitted"
            if resubmission
            else "ecourt.filing.application.submitted",
            actor=actor,
            target=application,
            old={"status": old_status},
            new={"status": application.status, "fee": estimate.fee, "received_on": received},
        )
        if not resubmission:
            # Mediation diverts it here when the plaintiff asked for ADR (same transaction).
            application_submitted.send(sender=Application, application=application, actor=actor)
            application.refresh_from_db(fields=["status"])
        if application.status != S.DIVERTED:
            notify(
                actor,
                gettext_lazy(
                    "We received your lawsuit application no. %(id)s. The court decides "
                    "within 7 days whether to docket it."
                ),
                "filing.received",
                id=str(application.pk),
            )
    return application


def application_withdraw(*, actor: User, application_id: int) -> Application:
    """The author withdraws the application (or discards a draft) before the filing decision."""
    with transaction.atomic():
        application = lock_application(application_id)
        if application.created_by_id != actor.pk:
            raise DomainError(_("No such application."), code="not_found")
        if application.status == S.WITHDRAWN:
            return application
        if application.status == S.DIVERTED:
            # The mediation must end with it; that is the mediation capability's service.
            raise DomainError(
                _("This application is in mediation. Withdraw it from the mediation page."),
                code="in_mediation",
            )
        guard_application_move(application, S.WITHDRAWN)
        old = application.status
        application.status = S.WITHDRAWN
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decided_at", "updated_at"])
        deadlines_close(how="cancelled", application=application)
        audit_record(
            code="ecourt.filing.application.withdrawn",
            actor=actor,
            target=application,
            old={"status": old},
            new={"status": S.WITHDRAWN},
        )
    return application
