"""The shapes the mediation API answers with, and how they are built from the models.

What of the room a person sees is decided before these run (``selectors.messages_for`` and
friends); the builders only shape what they are given.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import get_language
from ninja import Schema
from pydantic import Field

from ecourt.accounts.models import User
from ecourt.cases.api_schemas import CaseRefOut, CaseTypeRefOut, PersonRefOut, case_type_ref
from ecourt.cases.models import Party
from ecourt.core.selectors import court_today
from ecourt.mediation import rules, selectors
from ecourt.mediation.models import (
    AgreementSignature,
    ConsentKind,
    DiversionProposal,
    Mediation,
    MediationEvent,
    MediationMessage,
    MediationOrganisation,
    MediationSession,
    Mediator,
    Proposal,
    ProposalResponse,
    SettlementAgreement,
)

# --- Pieces -----------------------------------------------------------------------------------


class MediationRefOut(Schema):
    id: int
    number: str


class OrganisationRefOut(Schema):
    id: int
    name_zh: str
    name_en: str


class MediatorRefOut(Schema):
    id: int
    name: str
    organisation: OrganisationRefOut | None


class MediationPartyOut(Schema):
    id: int
    side: str = Field(description="plaintiff, defendant or third_party")
    kind: str = Field(description="person or company")
    name: str
    linked: bool = Field(description="A verified account acts as this party.")


def organisation_ref(organisation: MediationOrganisation | None) -> OrganisationRefOut | None:
    if organisation is None:
        return None
    return OrganisationRefOut(
        id=organisation.pk, name_zh=organisation.name_zh, name_en=organisation.name_en
    )


def mediator_ref(mediator: Mediator | None) -> MediatorRefOut | None:
    if mediator is None:
        return None
    return MediatorRefOut(
        id=mediator.pk,
        name=mediator.user.display_name,
        organisation=organisation_ref(mediator.organisation),
    )


def mediation_party_out(party: Party) -> MediationPartyOut:
    return MediationPartyOut(
        id=party.pk,
        side=party.side,
        kind=party.kind,
        name=party.name,
        linked=party.user_id is not None,
    )


# --- Mediations -------------------------------------------------------------------------------


class MediationSummaryOut(Schema):
    id: int
    number: str
    status: str = Field(
        description="awaiting_mediator, assigned, in_progress, settled, failed or withdrawn"
    )
    route: str = Field(description="preference or proposal")
    application_id: int
    case_type: CaseTypeRefOut | None
    diverted_on: date
    due_on: date | None = Field(description="Last day of the mediation period.")
    mediator: MediatorRefOut | None


class MediationPageOut(Schema):
    count: int
    items: list[MediationSummaryOut]


class EventOut(Schema):
    number: int
    code: str
    at: datetime
    actor: str | None
    text: str = Field(description="In the request's language.")
    text_en: str
    text_zh: str


class FactsOut(Schema):
    text: str
    text_sha256: str = Field(description="What a party sends to agree to this wording.")
    recorded_at: datetime | None
    agreed_by: list[int] = Field(description="Ids of the parties that agreed to this wording.")


class MediationOut(MediationSummaryOut):
    status_label: str
    diverted_at: datetime
    assigned_at: datetime | None
    accepted_at: datetime | None
    period_started_on: date | None
    days_left: int | None = Field(description="Days from today (court time zone) to due_on.")
    extended: bool
    failure_reason: str = Field(description="refused, no_agreement, period_ended or empty.")
    ended_at: datetime | None
    ended_on: date | None
    confirmation_case: CaseRefOut | None = Field(
        description="The 民特 case for judicial confirmation, once every party applied."
    )
    parties: list[MediationPartyOut]
    my_party_ids: list[int] = Field(description="The parties the caller acts as or for.")
    i_am_mediator: bool
    in_room: bool = Field(
        description="The caller may read the room (messages, sessions, proposals, agreement)."
    )
    undisputed_facts: FactsOut | None = Field(description="Recorded facts; for the room only.")
    extension_consents: list[int] = Field(description="Parties that consented to extending.")
    confirmation_applicants: list[int] = Field(
        description="Parties that applied for judicial confirmation."
    )
    timeline: list[EventOut]


def mediation_summary_out(mediation: Mediation) -> MediationSummaryOut:
    return MediationSummaryOut(
        id=mediation.pk,
        number=mediation.number,
        status=mediation.status,
        route=mediation.route,
        application_id=mediation.application_id,
        case_type=case_type_ref(mediation.application.case_type),
        diverted_on=mediation.diverted_on,
        due_on=mediation.due_on,
        mediator=mediator_ref(mediation.mediator),
    )


def event_out(event: MediationEvent) -> EventOut:
    return EventOut(
        number=event.number,
        code=event.code,
        at=event.at,
        actor=event.actor.display_name if event.actor else None,
        text=event.text_zh if (get_language() or "").startswith("zh") else event.text_en,
        text_en=event.text_en,
        text_zh=event.text_zh,
    )


def _facts(mediation: Mediation) -> FactsOut | None:
    if not mediation.undisputed_facts:
        return None
    return FactsOut(
        text=mediation.undisputed_facts,
        text_sha256=rules.text_sha256(mediation.undisputed_facts),
        recorded_at=mediation.undisputed_facts_at,
        agreed_by=sorted(selectors.facts_agreed_by(mediation)),
    )


def mediation_out(mediation: Mediation, viewer: User) -> MediationOut:
    """The mediation as ``viewer`` may see it: the record and timeline for anyone who sees the
    mediation; the undisputed facts only for those in the room."""
    summary = mediation_summary_out(mediation)
    in_room = bool(selectors.threads_for(viewer, mediation))
    case = mediation.confirmation_case
    return MediationOut(
        **summary.model_dump(),
        status_label=str(mediation.get_status_display()),
        diverted_at=mediation.diverted_at,
        assigned_at=mediation.assigned_at,
        accepted_at=mediation.accepted_at,
        period_started_on=mediation.period_started_on,
        days_left=(mediation.due_on - court_today()).days if mediation.due_on else None,
        extended=mediation.extended,
        failure_reason=mediation.failure_reason,
        ended_at=mediation.ended_at,
        ended_on=mediation.ended_on,
        confirmation_case=CaseRefOut(id=case.pk, number=case.number) if case else None,
        parties=[
            mediation_party_out(p)
            for p in Party.objects.filter(application_id=mediation.application_id)
        ],
        my_party_ids=[p.pk for p in selectors.parties_of(viewer, mediation)],
        i_am_mediator=selectors.is_mediator(viewer, mediation),
        in_room=in_room,
        undisputed_facts=_facts(mediation) if in_room else None,
        extension_consents=[
            c.party_id for c in selectors.consents(mediation, ConsentKind.EXTENSION)
        ],
        confirmation_applicants=[
            c.party_id for c in selectors.consents(mediation, ConsentKind.CONFIRMATION)
        ],
        timeline=[event_out(e) for e in selectors.timeline(mediation)],
    )


# --- The room ---------------------------------------------------------------------------------


class MessageOut(Schema):
    id: int
    thread_party_id: int | None = Field(
        description="null: the joint thread; a party id: the private (caucus) thread."
    )
    author: str
    author_party_id: int | None = Field(description="null: the mediator wrote.")
    body: str
    attachment_name: str
    corrects_id: int | None
    sent_at: datetime


def message_out(message: MediationMessage) -> MessageOut:
    return MessageOut(
        id=message.pk,
        thread_party_id=message.thread_party_id,
        author=message.author.display_name,
        author_party_id=message.author_party_id,
        body=message.body,
        attachment_name=message.attachment_name,
        corrects_id=message.corrects_id,
        sent_at=message.sent_at,
    )


class SessionOut(Schema):
    id: int
    thread_party_id: int | None = Field(description="null: joint; set: private with that party.")
    starts_at: datetime
    duration_minutes: int
    meeting_url: str
    cancelled_at: datetime | None


def session_out(session: MediationSession) -> SessionOut:
    return SessionOut(
        id=session.pk,
        thread_party_id=session.thread_party_id,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        meeting_url=session.meeting_url,
        cancelled_at=session.cancelled_at,
    )


class ProposalAnswerOut(Schema):
    party_id: int
    party_name: str
    answer: str = Field(description="accept, reject or counter")
    counter_terms: str
    answered_at: datetime


class ProposalOut(Schema):
    id: int
    number: int
    terms: str
    made_at: datetime
    answers: list[ProposalAnswerOut]


def _answer_out(response: ProposalResponse) -> ProposalAnswerOut:
    return ProposalAnswerOut(
        party_id=response.party_id,
        party_name=response.party.name,
        answer=response.answer,
        counter_terms=response.counter_terms,
        answered_at=response.answered_at,
    )


def proposal_out(proposal: Proposal) -> ProposalOut:
    return ProposalOut(
        id=proposal.pk,
        number=proposal.number,
        terms=proposal.terms,
        made_at=proposal.made_at,
        answers=[_answer_out(r) for r in proposal.responses.all()],
    )


class SignatureOut(Schema):
    party_id: int
    party_name: str
    signed_by: str
    signed_at: datetime
    method: str
    text_sha256: str


class AgreementOut(Schema):
    id: int
    version: int
    terms: str
    text: str = Field(description="The full agreement, as signed.")
    text_sha256: str = Field(description="SHA-256 of text (UTF-8, LF): what a signer sends.")
    drafted_at: datetime
    completed_at: datetime | None = Field(description="Every party signed: in effect.")
    signatures: list[SignatureOut]
    unsigned_party_ids: list[int]


def _signature_out(signature: AgreementSignature) -> SignatureOut:
    return SignatureOut(
        party_id=signature.party_id,
        party_name=signature.party.name,
        signed_by=signature.signed_by.display_name,
        signed_at=signature.signed_at,
        method=signature.method,
        text_sha256=signature.text_sha256,
    )


def agreement_out(agreement: SettlementAgreement) -> AgreementOut:
    signatures = selectors.signatures_of(agreement)
    signed = {s.party_id for s in signatures}
    parties = Party.objects.filter(application_id=agreement.mediation.application_id)
    return AgreementOut(
        id=agreement.pk,
        version=agreement.version,
        terms=agreement.terms,
        text=agreement.text,
        text_sha256=agreement.text_sha256,
        drafted_at=agreement.drafted_at,
        completed_at=agreement.completed_at,
        signatures=[_signature_out(s) for s in signatures],
        unsigned_party_ids=[p.pk for p in parties if p.pk not in signed],
    )


# --- Diversion --------------------------------------------------------------------------------


class DiversionProposalOut(Schema):
    id: int
    application_id: int
    proposed_at: datetime
    note: str
    accepted: bool | None = Field(description="null: not answered.")
    answered_at: datetime | None
    lapsed_at: datetime | None = Field(
        description="The application left filing review before the answer."
    )


def diversion_proposal_out(proposal: DiversionProposal) -> DiversionProposalOut:
    return DiversionProposalOut(
        id=proposal.pk,
        application_id=proposal.application_id,
        proposed_at=proposal.proposed_at,
        note=proposal.note,
        accepted=proposal.accepted,
        answered_at=proposal.answered_at,
        lapsed_at=proposal.lapsed_at,
    )


# --- Registry and workloads -------------------------------------------------------------------


class OrganisationOut(OrganisationRefOut):
    kind: str = Field(description="centre, committee, industry or other")
    active: bool
    created_at: datetime


def organisation_out(organisation: MediationOrganisation) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.pk,
        name_zh=organisation.name_zh,
        name_en=organisation.name_en,
        kind=organisation.kind,
        active=organisation.active,
        created_at=organisation.created_at,
    )


class MediatorOut(Schema):
    id: int
    user: PersonRefOut
    organisation: OrganisationRefOut | None
    specialties: list[str] = Field(description="Case-type codes taken on.")
    languages: list[str] = Field(description="Empty: no restriction.")
    capacity: int
    active: bool
    last_assigned_at: datetime | None
    open_matters: int | None = Field(description="In the registry list only.")
    settled: int | None = None
    failed: int | None = None


def mediator_out(mediator: Mediator, line: selectors.MediatorLine | None = None) -> MediatorOut:
    return MediatorOut(
        id=mediator.pk,
        user=PersonRefOut(id=mediator.user_id, name=mediator.user.display_name),
        organisation=organisation_ref(mediator.organisation),
        specialties=list(mediator.specialties),
        languages=list(mediator.languages),
        capacity=mediator.capacity,
        active=mediator.active,
        last_assigned_at=mediator.last_assigned_at,
        open_matters=line.open_matters if line else None,
        settled=line.settled if line else None,
        failed=line.failed if line else None,
    )


class MatterOut(Schema):
    mediation: MediationRefOut
    status: str
    case_type: CaseTypeRefOut | None
    due_on: date | None
    days_left: int | None


def matter_out(line: selectors.MatterLine) -> MatterOut:
    mediation = line.mediation
    return MatterOut(
        mediation=MediationRefOut(id=mediation.pk, number=mediation.number),
        status=mediation.status,
        case_type=case_type_ref(mediation.application.case_type),
        due_on=mediation.due_on,
        days_left=line.days_left,
    )
