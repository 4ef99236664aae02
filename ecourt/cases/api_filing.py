"""The applicant's side of filing: drafting a lawsuit application step by step, submitting or
withdrawing it, paying the fee or asking for relief from it.

Every route under /applications/{id} answers 404 to anyone who may not see the application
(``selectors.application_for_user``), and only its author may change it. Writes need the
session cookie and the CSRF header, as the web pages do.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status, UploadedFile
from ninja.security import django_auth
from pydantic import Field

from ecourt.cases import selectors, services
from ecourt.cases.api_common import (
    NO_CONTROL,
    SIGNED_IN,
    BodyId,
    Email,
    PathId,
    actor,
    application_or_404,
    missing_is_404,
    problems,
)
from ecourt.cases.api_schemas import (
    AgentOut,
    ApplicationOut,
    ApplicationPageOut,
    ClaimOut,
    EvidenceListingOut,
    FeeReliefOut,
    PartyOut,
    PaymentOut,
    agent_out,
    application_out,
    application_summary_out,
    claim_out,
    evidence_listing_out,
    fee_relief_out,
    party_out,
    payment_out,
)
from ecourt.cases.models import Agent, Application, FilingCapacity, Party
from ecourt.core.errors import DomainError
from ecourt.core.forms import BoundedImageField

router = Router(tags=["filing"], auth=django_auth)

#: Problems every route on one application may answer.
ON_APPLICATION = problems(400, 404, *SIGNED_IN)


def _detail(request: HttpRequest, application_id: int) -> ApplicationOut:
    """The application as it is now (re-read after a write)."""
    return application_out(application_or_404(request, application_id), actor(request))


def _party_or_404(application: Application, party_id: int) -> Party:
    for party in selectors.application_parties(application):
        if party.pk == party_id:
            return party
    raise Http404


def _power_of_attorney(upload: UploadedFile | None) -> UploadedFile | None:
    """A signed power of attorney: a PDF, or a photo or scan checked by its content like every
    other picture people upload. Stored by what it is, never by the name it came with."""
    if upload is None:
        return None
    limit = settings.ECOURT_MAX_IMAGE_UPLOAD_BYTES
    if upload.size and upload.size > limit:
        raise DomainError(
            _("This file is too large; the limit is %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
            field="power_of_attorney",
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        upload.name = "upload.pdf"
        return upload
    try:
        picture: UploadedFile | None = BoundedImageField(required=False).clean(upload)
    except DjangoValidationError:
        raise DomainError(
            _("Upload the power of attorney as a PDF, or as a JPEG, PNG or WebP picture."),
            code="invalid_document",
            field="power_of_attorney",
        ) from None
    return picture


# --- The draft ----------------------------------------------------------------------------------


class ApplicationIn(Schema):
    capacity: Literal["self", "company", "client"] = Field(
        "self", description="For myself, for a company I represent, or as a lawyer for a client."
    )
    company_id: BodyId | None = Field(None, description="With capacity company.")


IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=64,
        pattern=r"^[\x21-\x7e]+$",
        description="Any printable ASCII up to 64 characters. A retry with the same key "
        "returns the draft the first call made, with 200 instead of 201.",
    ),
]


@router.post(
    "/applications",
    response={200: ApplicationOut, 201: ApplicationOut},
    summary="Start a lawsuit application (a draft)",
    openapi_extra=problems(400, *SIGNED_IN),
)
def application_create(
    request: HttpRequest, payload: ApplicationIn, idempotency_key: IdempotencyKey = None
) -> Status:
    user = actor(request)
    key = (idempotency_key or "").strip()
    existed = (
        bool(key)
        and selectors.applications_of(user).filter(created_by=user, client_key=key).exists()
    )
    application = services.application_create(
        actor=user, capacity=payload.capacity, company_id=payload.company_id, client_key=key
    )
    return Status(200 if existed else 201, _detail(request, application.pk))


@router.get(
    "/applications",
    response=ApplicationPageOut,
    summary="My applications (as author, party or agent), newest first",
    openapi_extra=problems(*SIGNED_IN),
)
def applications(
    request: HttpRequest,
    limit: Annotated[int, Query(50, ge=1, le=200)] = 50,
    offset: Annotated[int, Query(0, ge=0, le=1_000_000)] = 0,
) -> ApplicationPageOut:
    mine = selectors.applications_of(actor(request))
    return ApplicationPageOut(
        count=mine.count(),
        items=[application_summary_out(a) for a in mine[offset : offset + limit]],
    )


@router.get(
    "/applications/{application_id}",
    response=ApplicationOut,
    summary="An application in full",
    openapi_extra=ON_APPLICATION,
)
def application_detail(request: HttpRequest, application_id: PathId) -> ApplicationOut:
    return _detail(request, application_id)


class CaseTypeIn(Schema):
    code: str = Field(min_length=1, max_length=60, pattern=NO_CONTROL, examples=["domain_name"])


@router.put(
    "/applications/{application_id}/case-type",
    response=ApplicationOut,
    summary="Choose the case type (a type the court does not hear: 400 not_heard)",
    openapi_extra=ON_APPLICATION,
)
def application_case_type(
    request: HttpRequest, application_id: PathId, payload: CaseTypeIn
) -> ApplicationOut:
    application_or_404(request, application_id)
    with missing_is_404():
        services.application_set_case_type(
            actor=actor(request), application_id=application_id, code=payload.code
        )
    return _detail(request, application_id)


# --- Parties and agents -------------------------------------------------------------------------


class PartyIn(Schema):
    side: Literal["plaintiff", "defendant", "third_party"]
    kind: Literal["person", "company"]
    name: str = Field(max_length=200)
    id_number: str = Field("", max_length=40, pattern=NO_CONTROL)
    legal_representative: str = Field("", max_length=100)
    mobile: str = Field("", max_length=30, pattern=NO_CONTROL)
    email: Email = ""
    address: str = Field("", max_length=300)
    scope: Literal["general", "special"] = Field(
        "general", description="A lawyer's authority from the client's power of attorney."
    )


@router.post(
    "/applications/{application_id}/parties",
    response={201: PartyOut},
    summary="Add a party (multipart or form-encoded)",
    description="A lawyer filing for a client adds the client as plaintiff with the client's "
    "signed power of attorney in `power_of_attorney` (PDF, JPEG, PNG or WebP); that makes "
    "the lawyer the client's agent. Any other party is added without a file (one sent is "
    "not kept).",
    openapi_extra=ON_APPLICATION,
)
def party_create(
    request: HttpRequest,
    application_id: PathId,
    payload: Form[PartyIn],
    power_of_attorney: UploadedFile | None = File(None),
) -> Status:
    application = application_or_404(request, application_id)
    # party_add stores any file it is given, but keeps it only for a lawyer's client; pass it
    # on only then, so no unreferenced upload is left in storage.
    for_client = payload.side == "plaintiff" and application.capacity == FilingCapacity.CLIENT
    with missing_is_404():
        party = services.party_add(
            actor=actor(request),
            application_id=application_id,
            side=payload.side,
            kind=payload.kind,
            name=payload.name,
            id_number=payload.id_number,
            legal_representative=payload.legal_representative,
            mobile=payload.mobile,
            email=payload.email,
            address=payload.address,
            power_of_attorney=_power_of_attorney(power_of_attorney) if for_client else None,
            scope=payload.scope,
        )
    return Status(201, party_out(party))


@router.delete(
    "/applications/{application_id}/parties/{party_id}",
    response={204: None},
    summary="Remove a party (and its agents)",
    openapi_extra=ON_APPLICATION,
)
def party_delete(request: HttpRequest, application_id: PathId, party_id: PathId) -> Status:
    application_or_404(request, application_id)
    with missing_is_404():
        services.party_remove(
            actor=actor(request), application_id=application_id, party_id=party_id
        )
    return Status(204, None)


class AgentIn(Schema):
    agent_mobile: str = Field(max_length=30, pattern=NO_CONTROL, description="As registered.")
    kind: Literal["lawyer", "citizen"]
    scope: Literal["general", "special"] = "general"


@router.post(
    "/applications/{application_id}/parties/{party_id}/agents",
    response={201: AgentOut},
    summary="Appoint an agent for a plaintiff (multipart, with the power of attorney)",
    openapi_extra=ON_APPLICATION,
)
def agent_create(
    request: HttpRequest,
    application_id: PathId,
    party_id: PathId,
    payload: Form[AgentIn],
    power_of_attorney: UploadedFile = File(...),
) -> Status:
    application = application_or_404(request, application_id)
    _party_or_404(application, party_id)
    with missing_is_404():
        agent = services.agent_appoint(
            actor=actor(request),
            application_id=application_id,
            party_id=party_id,
            agent_mobile=payload.agent_mobile,
            kind=payload.kind,
            scope=payload.scope,
            power_of_attorney=_power_of_attorney(power_of_attorney),
        )
    return Status(201, agent_out(agent))


@router.delete(
    "/applications/{application_id}/parties/{party_id}/agents/{agent_id}",
    response={204: None},
    summary="Remove an agent",
    openapi_extra=ON_APPLICATION,
)
def agent_delete(
    request: HttpRequest, application_id: PathId, party_id: PathId, agent_id: PathId
) -> Status:
    application = application_or_404(request, application_id)
    agents: list[Agent] = list(_party_or_404(application, party_id).agents.all())
    if not any(agent.pk == agent_id for agent in agents):
        raise Http404
    with missing_is_404():
        services.agent_remove(
            actor=actor(request), application_id=application_id, agent_id=agent_id
        )
    return Status(204, None)


# --- Claims, facts, evidence --------------------------------------------------------------------


class ClaimIn(Schema):
    text: str = Field(max_length=2000)
    amount: str | None = Field(
        None,
        max_length=40,
        description="Yuan as a string, at most two decimals; for claims that ask for money.",
        examples=["50000.00"],
    )


@router.post(
    "/applications/{application_id}/claims",
    response={201: ClaimOut},
    summary="Add a claim",
    openapi_extra=ON_APPLICATION,
)
def claim_create(request: HttpRequest, application_id: PathId, payload: ClaimIn) -> Status:
    application_or_404(request, application_id)
    with missing_is_404():
        claim = services.claim_add(
            actor=actor(request),
            application_id=application_id,
            text=payload.text,
            amount=payload.amount,
        )
    return Status(201, claim_out(claim))


@router.delete(
    "/applications/{application_id}/claims/{claim_id}",
    response={204: None},
    summary="Remove a claim",
    openapi_extra=ON_APPLICATION,
)
def claim_delete(request: HttpRequest, application_id: PathId, claim_id: PathId) -> Status:
    application_or_404(request, application_id)
    with missing_is_404():
        services.claim_remove(
            actor=actor(request), application_id=application_id, claim_id=claim_id
        )
    return Status(204, None)


class FactsIn(Schema):
    facts: str = Field(max_length=50_000, description="Facts and reasons, 20 characters or more.")


@router.put(
    "/applications/{application_id}/facts",
    response=ApplicationOut,
    summary="Write the facts and reasons",
    openapi_extra=ON_APPLICATION,
)
def application_facts(
    request: HttpRequest, application_id: PathId, payload: FactsIn
) -> ApplicationOut:
    application_or_404(request, application_id)
    with missing_is_404():
        services.application_set_facts(
            actor=actor(request), application_id=application_id, facts=payload.facts
        )
    return _detail(request, application_id)


class EvidenceListingIn(Schema):
    title: str = Field(max_length=200)
    form: Literal["document", "picture", "audio", "video", "electronic_data", "web_page", "other"]
    purpose: str = Field(max_length=2000, description="What the item is meant to prove.")
    description: str = Field("", max_length=5000)


@router.post(
    "/applications/{application_id}/evidence-list",
    response={201: EvidenceListingOut},
    summary="Add an item to the evidence list",
    openapi_extra=ON_APPLICATION,
)
def evidence_listing_create(
    request: HttpRequest, application_id: PathId, payload: EvidenceListingIn
) -> Status:
    application_or_404(request, application_id)
    with missing_is_404():
        item = services.evidence_listing_add(
            actor=actor(request),
            application_id=application_id,
            title=payload.title,
            form=payload.form,
            purpose=payload.purpose,
            description=payload.description,
        )
    return Status(201, evidence_listing_out(item))


@router.delete(
    "/applications/{application_id}/evidence-list/{item_id}",
    response={204: None},
    summary="Remove an item from the evidence list",
    openapi_extra=ON_APPLICATION,
)
def evidence_listing_delete(
    request: HttpRequest, application_id: PathId, item_id: PathId
) -> Status:
    application_or_404(request, application_id)
    with missing_is_404():
        services.evidence_listing_remove(
            actor=actor(request), application_id=application_id, item_id=item_id
        )
    return Status(204, None)


class DeliveryIn(Schema):
    mobile: str = Field(max_length=30, pattern=NO_CONTROL)
    email: Email = ""
    postal_address: str = Field("", max_length=300)
    electronic_service_consent: bool = False
    confirmed: bool = Field(
        description="The applicant confirms the addresses and will keep them reachable."
    )


@router.put(
    "/applications/{application_id}/delivery",
    response=ApplicationOut,
    summary="Confirm where the court serves documents",
    openapi_extra=ON_APPLICATION,
)
def application_delivery(
    request: HttpRequest, application_id: PathId, payload: DeliveryIn
) -> ApplicationOut:
    application_or_404(request, application_id)
    with missing_is_404():
        services.application_confirm_delivery(
            actor=actor(request),
            application_id=application_id,
            mobile=payload.mobile,
            email=payload.email,
            postal_address=payload.postal_address,
            electronic_service_consent=payload.electronic_service_consent,
            confirmed=payload.confirmed,
        )
    return _detail(request, application_id)


class PreferencesIn(Schema):
    adr_preference: bool = Field(description="Try online mediation before docketing.")
    simplified_procedure: bool


@router.put(
    "/applications/{application_id}/preferences",
    response=ApplicationOut,
    summary="Ask for mediation first or for the simplified procedure",
    openapi_extra=ON_APPLICATION,
)
def application_preferences(
    request: HttpRequest, application_id: PathId, payload: PreferencesIn
) -> ApplicationOut:
    application_or_404(request, application_id)
    with missing_is_404():
        services.application_set_preferences(
            actor=actor(request),
            application_id=application_id,
            adr_preference=payload.adr_preference,
            simplified_procedure=payload.simplified_procedure,
        )
    return _detail(request, application_id)


# --- Submitting, withdrawing --------------------------------------------------------------------


@router.post(
    "/applications/{application_id}/submit",
    response=ApplicationOut,
    summary="Submit (or resubmit after corrections); a repeat changes nothing",
    description="An incomplete application is a 400 problem `incomplete_<gap>` whose "
    "`field` names the wizard step to fix.",
    openapi_extra=ON_APPLICATION,
)
def application_submit(request: HttpRequest, application_id: PathId) -> ApplicationOut:
    application_or_404(request, application_id)
    with missing_is_404():
        services.application_submit(actor=actor(request), application_id=application_id)
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/withdraw",
    response=ApplicationOut,
    summary="Withdraw the application (or discard the draft) before the filing decision",
    openapi_extra=ON_APPLICATION,
)
def application_withdraw(request: HttpRequest, application_id: PathId) -> ApplicationOut:
    application_or_404(request, application_id)
    with missing_is_404():
        services.application_withdraw(actor=actor(request), application_id=application_id)
    return _detail(request, application_id)


# --- The fee ------------------------------------------------------------------------------------


@router.post(
    "/applications/{application_id}/payments",
    response={200: PaymentOut, 201: PaymentOut},
    summary="Pay the fee: open a payment (201), or get the one already open (200)",
    openapi_extra=ON_APPLICATION,
)
def payment_create(request: HttpRequest, application_id: PathId) -> Status:
    application = application_or_404(request, application_id)
    open_before = selectors.payment_pending(application)
    with missing_is_404():
        payment = services.payment_start(actor=actor(request), application_id=application_id)
    reused = open_before is not None and open_before.pk == payment.pk
    return Status(200 if reused else 201, payment_out(payment))


@router.post(
    "/payments/{payment_id}/sandbox-complete",
    response=PaymentOut,
    summary="Pay a sandbox payment (practice court only; the payer's own payments)",
    openapi_extra=problems(400, 404, *SIGNED_IN),
)
def payment_sandbox_complete(request: HttpRequest, payment_id: PathId) -> PaymentOut:
    with missing_is_404():
        payment = services.payment_sandbox_complete(actor=actor(request), payment_id=payment_id)
    return payment_out(payment)


class FeeReliefIn(Schema):
    kind: Literal["deferral", "reduction", "waiver"]
    reasons: str = Field(max_length=5000, description="At least 10 characters.")


@router.post(
    "/applications/{application_id}/fee-relief",
    response={201: FeeReliefOut},
    summary="Ask for the fee to be deferred, reduced or waived",
    openapi_extra=ON_APPLICATION,
)
def fee_relief_create(request: HttpRequest, application_id: PathId, payload: FeeReliefIn) -> Status:
    application_or_404(request, application_id)
    with missing_is_404():
        relief = services.fee_relief_request(
            actor=actor(request),
            application_id=application_id,
            kind=payload.kind,
            reasons=payload.reasons,
        )
    return Status(201, fee_relief_out(relief))
