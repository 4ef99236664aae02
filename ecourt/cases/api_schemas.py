"""The shapes the filing API answers with, and how they are built from the models.

Identity numbers, mobile numbers and email addresses of parties are always masked: the API
shows them to the parties of both sides, their agents and the court.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.rules import mask_identifier, mask_mobile
from ecourt.cases import selectors
from ecourt.cases.api_common import Money, money, money_or_none
from ecourt.cases.models import (
    Agent,
    Application,
    Case,
    CaseDeadline,
    CaseType,
    Claim,
    DocketEntry,
    EvidenceListing,
    FeeReliefRequest,
    Party,
    PartySide,
    Payment,
)
from ecourt.cases.payments import payment_provider
from ecourt.cases.rules.filing import application_gaps
from ecourt.cases.services.applications import application_facts, application_fee
from ecourt.core.selectors import court_today

# --- Pieces -----------------------------------------------------------------------------------


class CaseTypeRefOut(Schema):
    code: str
    name_en: str
    name_zh: str
    accepted: bool


class PersonRefOut(Schema):
    id: int
    name: str


class AgentOut(Schema):
    id: int
    kind: str = Field(description="lawyer or citizen")
    scope: str = Field(description="general or special authority")
    name: str
    appointed_at: datetime


class PartyOut(Schema):
    id: int
    side: str = Field(description="plaintiff, defendant or third_party")
    kind: str = Field(description="person or company")
    position: int
    name: str
    id_number: str = Field(description="Masked.")
    legal_representative: str
    mobile: str = Field(description="Masked.")
    email: str = Field(description="Masked.")
    linked: bool = Field(description="A verified account acts as this party.")
    agents: list[AgentOut]
    complaint_served_on: date | None
    complaint_service_method: str
    online_litigation: bool | None = Field(
        description="Consent to litigate online; null: not said."
    )


class ClaimOut(Schema):
    id: int
    position: int
    text: str
    amount: Money | None


class EvidenceListingOut(Schema):
    id: int
    position: int
    title: str
    form: str
    description: str
    purpose: str


class DeadlineOut(Schema):
    id: int
    code: str
    basis: str = Field(description="The rule that sets the period, e.g. CPL Art. 128.")
    start_event: str
    start_date: date
    due_date: date
    days_left: int = Field(description="Days from today (court time zone) to the due date.")
    open: bool
    party_id: int | None


class InstructionOut(Schema):
    label: str
    value: str


class PaymentOut(Schema):
    id: int
    application_id: int
    reference: str
    amount: Money
    status: str = Field(description="pending, paid or cancelled")
    provider: str
    created_at: datetime
    paid_at: datetime | None
    instructions: list[InstructionOut]
    payer_completes: bool = Field(
        description="True for the sandbox: POST /payments/{id}/sandbox-complete pays."
    )


class FeeReliefOut(Schema):
    id: int
    application_id: int
    kind: str = Field(description="deferral, reduction or waiver")
    reasons: str
    status: str = Field(description="pending, granted or refused")
    reduced_fee: Money | None
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None


class FeeStandingOut(Schema):
    settled: bool
    how: str = Field(description="no_fee, paid, deferred, waived, reduced_paid or unpaid")
    outstanding: Money


class FeeOut(Schema):
    amount: Money | None = Field(description="Fixed on submission; an estimate before it.")
    basis: str
    estimated: bool
    standing: FeeStandingOut | None = Field(description="After submission only.")


class DeliveryOut(Schema):
    mobile: str
    email: str
    postal_address: str
    electronic_service_consent: bool
    confirmed_at: datetime | None


class CaseRefOut(Schema):
    id: int
    number: str


def _mask_email(value: str) -> str:
    local, _sep, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask_identifier(value)


def person_ref(user: User | None) -> PersonRefOut | None:
    return PersonRefOut(id=user.pk, name=user.display_name) if user is not None else None


def case_type_ref(case_type: CaseType | None) -> CaseTypeRefOut | None:
    if case_type is None:
        return None
    return CaseTypeRefOut(
        code=case_type.code,
        name_en=case_type.name_en,
        name_zh=case_type.name_zh,
        accepted=case_type.accepted,
    )


def agent_out(agent: Agent) -> AgentOut:
    return AgentOut(
        id=agent.pk,
        kind=agent.kind,
        scope=agent.scope,
        name=agent.user.display_name,
        appointed_at=agent.appointed_at,
    )


def party_out(party: Party) -> PartyOut:
    return PartyOut(
        id=party.pk,
        side=party.side,
        kind=party.kind,
        position=party.position,
        name=party.name,
        id_number=mask_identifier(party.id_number),
        legal_representative=party.legal_representative,
        mobile=mask_mobile(party.mobile) if party.mobile else "",
        email=_mask_email(party.email) if party.email else "",
        linked=party.user_id is not None,
        agents=[agent_out(agent) for agent in party.agents.all()],
        complaint_served_on=party.complaint_served_on,
        complaint_service_method=party.complaint_service_method,
        online_litigation=party.online_litigation,
    )


def claim_out(claim: Claim) -> ClaimOut:
    return ClaimOut(
        id=claim.pk,
        position=claim.position,
        text=claim.text,
        amount=money_or_none(claim.amount),
    )


def evidence_listing_out(item: EvidenceListing) -> EvidenceListingOut:
    return EvidenceListingOut(
        id=item.pk,
        position=item.position,
        title=item.title,
        form=item.form,
        description=item.description,
        purpose=item.purpose,
    )


def deadline_out(deadline: CaseDeadline, today: date) -> DeadlineOut:
    return DeadlineOut(
        id=deadline.pk,
        code=deadline.code,
        basis=deadline.basis,
        start_event=deadline.start_event,
        start_date=deadline.start_date,
        due_date=deadline.due_date,
        days_left=(deadline.due_date - today).days,
        open=deadline.is_open,
        party_id=deadline.party_id,
    )


def payment_out(payment: Payment) -> PaymentOut:
    instructions = payment_provider(payment.provider).instructions(
        reference=payment.reference, amount=money(payment.amount)
    )
    return PaymentOut(
        id=payment.pk,
        application_id=payment.application_id,
        reference=payment.reference,
        amount=money(payment.amount),
        status=payment.status,
        provider=payment.provider,
        created_at=payment.created_at,
        paid_at=payment.paid_at,
        instructions=[InstructionOut(label=k, value=v) for k, v in instructions.lines],
        payer_completes=instructions.payer_completes,
    )


def fee_relief_out(request: FeeReliefRequest) -> FeeReliefOut:
    return FeeReliefOut(
        id=request.pk,
        application_id=request.application_id,
        kind=request.kind,
        reasons=request.reasons,
        status=request.status,
        reduced_fee=money_or_none(request.reduced_fee),
        decision_reason=request.decision_reason,
        created_at=request.created_at,
        decided_at=request.decided_at,
    )


# --- Applications -----------------------------------------------------------------------------


class ApplicationSummaryOut(Schema):
    id: int
    status: str
    capacity: str
    case_type: CaseTypeRefOut | None
    created_at: datetime
    submitted_at: datetime | None
    case: CaseRefOut | None


class ApplicationPageOut(Schema):
    count: int
    items: list[ApplicationSummaryOut]


class ApplicationOut(Schema):
    id: int
    status: str = Field(
        description="draft, submitted, under_review, corrections_requested, docketed, "
        "refused, withdrawn or diverted"
    )
    capacity: str = Field(description="self, company or client")
    step: str = Field(description="The wizard step to resume at.")
    created_by: PersonRefOut
    created_at: datetime
    submitted_at: datetime | None
    received_on: date | None
    case_type: CaseTypeRefOut | None
    parties: list[PartyOut]
    claims: list[ClaimOut]
    facts_and_reasons: str
    evidence_list: list[EvidenceListingOut]
    delivery: DeliveryOut = Field(description="Masked, and no postal address, for the other side.")
    adr_preference: bool
    simplified_procedure_requested: bool
    fee: FeeOut
    payments: list[PaymentOut] = Field(description="The applicant's side and clerks only.")
    fee_relief_requests: list[FeeReliefOut] = Field(
        description="The applicant's side and clerks only."
    )
    corrections: list[str]
    corrections_due: date | None
    decision_reason: str
    decided_at: datetime | None
    reviewer: PersonRefOut | None
    case: CaseRefOut | None
    deadlines: list[DeadlineOut] = Field(description="Periods still running.")
    missing: list[str] = Field(
        description="What submitting still needs (gap codes), while the author may edit."
    )


def _case_of(application: Application) -> Case | None:
    # A reverse one-to-one raises (an AttributeError subclass) when there is no case yet.
    case: Case | None = getattr(application, "case", None)
    return case


def case_ref(application: Application) -> CaseRefOut | None:
    case = _case_of(application)
    return CaseRefOut(id=case.pk, number=case.number) if case is not None else None


def application_summary_out(application: Application) -> ApplicationSummaryOut:
    return ApplicationSummaryOut(
        id=application.pk,
        status=application.status,
        capacity=application.capacity,
        case_type=case_type_ref(application.case_type),
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        case=case_ref(application),
    )


def _fee(application: Application) -> FeeOut:
    if application.fee_amount is not None:
        standing = selectors.fee_standing_of(application)
        return FeeOut(
            amount=money(application.fee_amount),
            basis=application.fee_basis,
            estimated=False,
            standing=FeeStandingOut(
                settled=standing.settled,
                how=standing.how,
                outstanding=money(standing.outstanding),
            ),
        )
    estimate = application_fee(application)
    return FeeOut(
        amount=money(estimate.fee) if estimate else None,
        basis=estimate.basis if estimate else "",
        estimated=True,
        standing=None,
    )


def _applicants_side(application: Application, viewer: User) -> bool:
    """The author, filing clerks and whoever acts for a plaintiff see the applicant's own
    papers: delivery addresses, payments, reasons for fee relief. A defendant who linked to
    the case sees the rest of the application, as filed."""
    if viewer.pk == application.created_by_id or viewer.has_role(Role.FILING_CLERK):
        return True
    acting = selectors.parties_acting_for(viewer, application=application)
    return any(party.side == PartySide.PLAINTIFF for party in acting)


def _delivery(application: Application, *, full: bool) -> DeliveryOut:
    mobile, email = application.delivery_mobile, application.delivery_email
    return DeliveryOut(
        mobile=mobile if full else (mask_mobile(mobile) if mobile else ""),
        email=email if full else (_mask_email(email) if email else ""),
        postal_address=application.delivery_postal_address if full else "",
        electronic_service_consent=application.electronic_service_consent,
        confirmed_at=application.delivery_confirmed_at,
    )


def application_out(application: Application, viewer: User) -> ApplicationOut:
    """The application as ``viewer`` may see it (see ``_applicants_side``)."""
    today = court_today()
    full = _applicants_side(application, viewer)
    return ApplicationOut(
        id=application.pk,
        status=application.status,
        capacity=application.capacity,
        step=application.step,
        created_by=PersonRefOut(
            id=application.created_by_id, name=application.created_by.display_name
        ),
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        received_on=application.received_on,
        case_type=case_type_ref(application.case_type),
        parties=[party_out(p) for p in selectors.application_parties(application)],
        claims=[claim_out(c) for c in application.claims.all()],
        facts_and_reasons=application.facts_and_reasons,
        evidence_list=[evidence_listing_out(item) for item in application.evidence_list.all()],
        delivery=_delivery(application, full=full),
        adr_preference=application.adr_preference,
        simplified_procedure_requested=application.simplified_procedure_requested,
        fee=_fee(application),
        payments=[payment_out(p) for p in application.payments.all()] if full else [],
        fee_relief_requests=[fee_relief_out(r) for r in application.fee_relief_requests.all()]
        if full
        else [],
        corrections=[str(item) for item in application.corrections],
        corrections_due=application.corrections_due,
        decision_reason=application.decision_reason,
        decided_at=application.decided_at,
        reviewer=person_ref(application.reviewer),
        case=case_ref(application),
        deadlines=[
            deadline_out(d, today)
            for d in application.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True)
        ],
        missing=application_gaps(application_facts(application))
        if application.is_editable and viewer.pk == application.created_by_id
        else [],
    )


class QueueItemOut(Schema):
    id: int
    status: str
    case_type: CaseTypeRefOut | None
    filed_by: PersonRefOut
    received_on: date | None
    submitted_at: datetime | None
    decision_due: date | None = Field(description="End of the 7-day decision period.")
    reviewer: PersonRefOut | None
    fee_amount: Money | None


class QueuePageOut(Schema):
    count: int
    items: list[QueueItemOut]


def queue_item_out(application: Application) -> QueueItemOut:
    running: list[CaseDeadline] = getattr(application, "open_decision_deadlines", [])
    return QueueItemOut(
        id=application.pk,
        status=application.status,
        case_type=case_type_ref(application.case_type),
        filed_by=PersonRefOut(
            id=application.created_by_id, name=application.created_by.display_name
        ),
        received_on=application.received_on,
        submitted_at=application.submitted_at,
        decision_due=min((d.due_date for d in running), default=None),
        reviewer=person_ref(application.reviewer),
        fee_amount=money_or_none(application.fee_amount),
    )


# --- Cases ------------------------------------------------------------------------------------


class CaseSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: str
    procedure: str
    case_type: CaseTypeRefOut
    docketed_on: date
    judge: PersonRefOut | None


class CasePageOut(Schema):
    count: int
    items: list[CaseSummaryOut]


class CaseOut(CaseSummaryOut):
    application_id: int
    docketed_at: datetime
    fee_amount: Money
    decision_kind: str
    decided_on: date | None
    closing_mode: str
    closed_at: datetime | None
    parties: list[PartyOut]
    claims: list[ClaimOut]
    deadlines: list[DeadlineOut]
    my_party_ids: list[int] = Field(description="The parties the caller acts as or for.")


def case_summary_out(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        id=case.pk,
        number=case.number,
        title=case.title,
        status=case.status,
        procedure=case.procedure,
        case_type=CaseTypeRefOut(
            code=case.case_type.code,
            name_en=case.case_type.name_en,
            name_zh=case.case_type.name_zh,
            accepted=case.case_type.accepted,
        ),
        docketed_on=case.docketed_on,
        judge=person_ref(case.judge),
    )


def case_out(case: Case, viewer: User) -> CaseOut:
    today = court_today()
    summary = case_summary_out(case)
    return CaseOut(
        **summary.model_dump(),
        application_id=case.application_id,
        docketed_at=case.docketed_at,
        fee_amount=money(case.fee_amount),
        decision_kind=case.decision_kind,
        decided_on=case.decided_on,
        closing_mode=case.closing_mode,
        closed_at=case.closed_at,
        parties=[party_out(p) for p in selectors.case_parties(case)],
        claims=[claim_out(c) for c in case.application.claims.all()],
        deadlines=[deadline_out(d, today) for d in selectors.case_deadlines(case)],
        my_party_ids=[p.pk for p in selectors.parties_acting_for(viewer, case=case)],
    )


class DocketEntryOut(Schema):
    number: int
    entered_at: datetime
    code: str
    text: str = Field(description="In the request's language.")
    text_en: str
    text_zh: str
    filed_by: str | None
    party: str | None
    document_text: str


def docket_entry_out(entry: DocketEntry) -> DocketEntryOut:
    return DocketEntryOut(
        number=entry.number,
        entered_at=entry.entered_at,
        code=entry.code,
        text=entry.text,
        text_en=entry.text_en,
        text_zh=entry.text_zh,
        filed_by=entry.filed_by.display_name if entry.filed_by else None,
        party=entry.party.name if entry.party else None,
        document_text=entry.document_text,
    )
