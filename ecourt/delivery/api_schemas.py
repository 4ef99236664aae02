"""The shapes the delivery API answers with and accepts, and how they are built from the
models. Who may see what is decided before these run (``ecourt.delivery.selectors``); the
builders only shape what they are given."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Annotated, Any

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from ecourt.accounts.rules import mask_identifier, mask_mobile
from ecourt.cases.api_common import NO_CONTROL, NO_CONTROL_MULTILINE, BodyId
from ecourt.delivery.models import (
    AddressConfirmation,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryEvent,
    NotificationPreference,
    ProofOfService,
)
from ecourt.documents.models import CourtDocument

#: A time of day in court time, ``HH:MM``.
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["22:00"])]

# --- Out ----------------------------------------------------------------------------------------


class CourtDocumentRefOut(Schema):
    id: int
    kind: str
    title: str
    sha256: str = Field(description="SHA-256 of the document's text in UTF-8.")
    issued_at: datetime


class RecipientOut(Schema):
    id: int
    name: str
    side: str


class DeliveryAttemptOut(Schema):
    channel: str
    outcome: str
    round: int
    started_at: datetime
    finished_at: datetime | None
    message: str = Field(description="The provider's or mail server's answer, verbatim.")
    address: str = Field(description="Masked.")


class DeliveryEventOut(Schema):
    kind: str
    channel: str
    at: datetime
    detail: dict[str, Any]


class DeliveryDetailOut(Schema):
    id: int
    case_number: str | None
    party: RecipientOut | None = Field(description="The recipient party; null for a notice.")
    document: CourtDocumentRefOut | None = Field(description="Null for a notice (not service).")
    subject: str
    legal: bool = Field(description="Service of a court document; false for a notice.")
    status: str = Field(
        description="queued, sending, sent, delivered, read, failed or offline. Whether it "
        "is served is served_at, whatever the status."
    )
    failure_reason: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    acked_at: datetime | None
    served_at: datetime | None
    served_rule: str = Field(description="The rule that made it served, e.g. confirmed.reached.")
    paper_requested_at: datetime | None
    paper_sent_at: datetime | None
    links: dict[str, str] = Field(description="document: where to read the text.")
    last_error: str | None = Field(
        None, description="Court staff only: the last provider error, verbatim."
    )
    attempts: list[DeliveryAttemptOut] | None = Field(None, description="Court staff only.")
    events: list[DeliveryEventOut] | None = Field(None, description="Court staff only.")


class DeliveryPageOut(Schema):
    deliveries: list[DeliveryDetailOut]
    next_after: int | None = Field(description="Pass as `after` for the next page; null: done.")


class DocumentTextOut(Schema):
    title: str
    kind: str = Field(description="The document's kind, or notice.")
    body: str
    sha256: str | None = Field(description="SHA-256 of body in UTF-8; null for a notice.")


class CourtDocumentOut(CourtDocumentRefOut):
    deposit_no: str | None = Field(description="The deposit of its hash in the evidence log.")


class DocumentIssuedOut(Schema):
    document: CourtDocumentOut
    delivery_ids: list[int]


class ServiceProofOut(Schema):
    delivery_id: int
    text: str = Field(description="The canonical JSON that was hashed, as stored.")
    fields: dict[str, Any] = Field(description="The same text, parsed.")
    sha256: str
    deposit_no: str | None
    created_at: datetime
    superseded: list[str] = Field(description="SHA-256 of the proofs this one replaced.")


class NotificationPreferenceOut(Schema):
    sms: bool
    email: bool
    quiet_start: str | None = Field(description="HH:MM court time; null: no quiet hours.")
    quiet_end: str | None


class AddressConfirmationOut(Schema):
    id: int
    party: RecipientOut
    version: int
    mobile: str
    email: str
    institution_inbox: bool
    consents_to_decisions: bool
    channels: list[str]
    confirmed_at: datetime
    superseded_at: datetime | None


# --- In -----------------------------------------------------------------------------------------


class NotificationPreferenceIn(Schema):
    sms: bool
    email: bool
    quiet_start: ClockTime | None = None
    quiet_end: ClockTime | None = None


class AddressConfirmationIn(Schema):
    party_id: BodyId
    mobile: str = Field("", max_length=30, pattern=NO_CONTROL, description="Empty: no SMS.")
    email: str = Field("", max_length=254, pattern=NO_CONTROL, description="Empty: no email.")
    institution_inbox: bool = Field(
        False, description="A company's system pulls its deliveries over this API."
    )
    consents_to_decisions: bool = Field(
        description="Consent to electronic service of judgments, rulings and mediation statements."
    )
    undertaking: bool = Field(
        description="Undertakes to keep the addresses reachable (required: must be true)."
    )


class CourtDocumentIn(Schema):
    kind: str = Field(
        max_length=30,
        pattern=NO_CONTROL,
        description="complaint_copy, acceptance_notice, summons, evidence_notice, "
        "mediation_notice, ruling, judgment, mediation_statement or other.",
    )
    title: str = Field(max_length=300, pattern=NO_CONTROL)
    body: str = Field(max_length=200_000, pattern=NO_CONTROL_MULTILINE)
    recipient_ids: list[BodyId] | None = Field(
        None, max_length=100, description="Party ids; default: every party of the case."
    )


class DeliveryRedirectIn(Schema):
    channel: str = Field(max_length=12, pattern=NO_CONTROL, description="sms or email")
    address: str = Field(max_length=254, pattern=NO_CONTROL)


class OfflineIn(Schema):
    reason: str = Field(max_length=300, pattern=NO_CONTROL)


class PaperSentIn(Schema):
    note: str = Field(max_length=200, pattern=NO_CONTROL)


class ServedCorrectIn(Schema):
    served_on: date
    reason: str = Field(max_length=300, pattern=NO_CONTROL)


# --- Builders -----------------------------------------------------------------------------------


def clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def parse_clock(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _mask_address(channel: str, address: str) -> str:
    if not address:
        return ""
    if channel == Channel.SMS:
        return mask_mobile(address)
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask_identifier(address)


def document_ref(document: CourtDocument) -> CourtDocumentRefOut:
    return CourtDocumentRefOut(
        id=document.pk,
        kind=document.kind,
        title=document.title,
        sha256=document.sha256,
        issued_at=document.issued_at,
    )


def document_out(document: CourtDocument) -> CourtDocumentOut:
    return CourtDocumentOut(
        **document_ref(document).model_dump(),
        deposit_no=document.deposit.deposit_no if document.deposit_id else None,  # type: ignore[union-attr]
    )


def attempt_out(attempt: DeliveryAttempt) -> DeliveryAttemptOut:
    return DeliveryAttemptOut(
        channel=attempt.channel,
        outcome=attempt.outcome,
        round=attempt.round,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        message=attempt.message,
        address=_mask_address(attempt.channel, attempt.address),
    )


def event_out(event: DeliveryEvent) -> DeliveryEventOut:
    detail = dict(event.detail or {})
    if "address" in detail:
        detail["address"] = _mask_address(event.channel, str(detail["address"]))
    return DeliveryEventOut(kind=event.kind, channel=event.channel, at=event.at, detail=detail)


def delivery_out(delivery: Delivery, *, staff: bool = False) -> DeliveryDetailOut:
    """One delivery; ``staff`` adds its channel attempts and events."""
    document = delivery.document
    party = delivery.party
    return DeliveryDetailOut(
        id=delivery.pk,
        case_number=delivery.case.number if delivery.case is not None else None,
        party=RecipientOut(id=party.pk, name=party.name, side=party.side) if party else None,
        document=document_ref(document) if document is not None else None,
        subject=delivery.subject,
        legal=delivery.legal,
        status=delivery.status,
        failure_reason=delivery.failure_reason,
        created_at=delivery.created_at,
        sent_at=delivery.sent_at,
        delivered_at=delivery.delivered_at,
        read_at=delivery.read_at,
        acked_at=delivery.acked_at,
        served_at=delivery.served_at,
        served_rule=delivery.served_rule,
        paper_requested_at=delivery.paper_requested_at,
        paper_sent_at=delivery.paper_sent_at,
        links={"document": reverse("api:delivery_document", kwargs={"delivery_id": delivery.pk})},
        last_error=delivery.last_error if staff else None,
        attempts=[attempt_out(a) for a in delivery.tries.all()] if staff else None,
        events=[event_out(e) for e in delivery.events.all()] if staff else None,
    )


def proof_out(proof: ProofOfService, superseded: list[ProofOfService]) -> ServiceProofOut:
    return ServiceProofOut(
        delivery_id=proof.delivery_id,
        text=proof.text,
        fields=json.loads(proof.text),
        sha256=proof.sha256,
        deposit_no=proof.deposit.deposit_no if proof.deposit_id else None,  # type: ignore[union-attr]
        created_at=proof.created_at,
        superseded=[p.sha256 for p in superseded],
    )


def preference_out(preference: NotificationPreference) -> NotificationPreferenceOut:
    return NotificationPreferenceOut(
        sms=preference.sms,
        email=preference.email,
        quiet_start=clock(preference.quiet_start),
        quiet_end=clock(preference.quiet_end),
    )


def address_out(confirmation: AddressConfirmation) -> AddressConfirmationOut:
    party = confirmation.party
    return AddressConfirmationOut(
        id=confirmation.pk,
        party=RecipientOut(id=party.pk, name=party.name, side=party.side),
        version=confirmation.version,
        mobile=confirmation.mobile,
        email=confirmation.email,
        institution_inbox=confirmation.institution_inbox,
        consents_to_decisions=confirmation.consents_to_decisions,
        channels=confirmation.channels,
        confirmed_at=confirmation.confirmed_at,
        superseded_at=confirmation.superseded_at,
    )
