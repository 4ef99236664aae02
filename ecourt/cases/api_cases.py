"""Docketed cases: lists, the case file and its docket, a defendant linking with the
association code, reading the complaint (which serves it), answers and objections, online
litigation consent; and what court staff do: record service, move the case along its road,
reissue an association code.

Every route under /cases/{id} answers 404 to anyone who may not see the case
(``selectors.case_for_user``), then 403 to those who see it but may not do what they ask.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from ecourt.cases import selectors, services
from ecourt.cases.api_common import (
    NO_CONTROL,
    SIGNED_IN,
    BodyId,
    InvalidInput,
    PathId,
    actor,
    case_or_404,
    missing_is_404,
    problems,
)
from ecourt.cases.api_schemas import (
    CaseOut,
    CasePageOut,
    CaseRefOut,
    CaseTypeRefOut,
    ClaimOut,
    DocketEntryOut,
    EvidenceListingOut,
    PartyOut,
    PersonRefOut,
    case_out,
    case_summary_out,
    case_type_ref,
    claim_out,
    docket_entry_out,
    evidence_listing_out,
    party_out,
)
from ecourt.cases.models import Case, CaseStatus

router = Router(tags=["cases"], auth=django_auth)

ON_CASE = problems(400, 404, *SIGNED_IN)


def _case_detail(request: HttpRequest, case_id: int) -> CaseOut:
    return case_out(case_or_404(request, case_id), actor(request))


CaseStatusFilter = Literal[
    "open",
    "docketed",
    "complaint_served",
    "answer_period",
    "evidence_exchange",
    "hearing_scheduled",
    "heard",
    "decided",
    "effective",
    "appealed",
    "closed",
]


@router.get(
    "/cases",
    response=CasePageOut,
    summary="Cases I may see, newest first",
    description="Parties and their agents see their cases, judges theirs, filing clerks all.",
    openapi_extra=problems(*SIGNED_IN),
)
def cases(
    request: HttpRequest,
    status: Annotated[
        CaseStatusFilter | None, Query(None, description="A status, or open for any not closed.")
    ] = None,
    q: Annotated[
        str, Query("", max_length=100, pattern=NO_CONTROL, description="In number or title.")
    ] = "",
    limit: Annotated[int, Query(50, ge=1, le=200)] = 50,
    offset: Annotated[int, Query(0, ge=0, le=1_000_000)] = 0,
) -> CasePageOut:
    found = selectors.cases_list_for(actor(request), status=status or "", query=q.strip())
    return CasePageOut(
        count=found.count(), items=[case_summary_out(c) for c in found[offset : offset + limit]]
    )


class LinkIn(Schema):
    case_number: str = Field(max_length=40, pattern=NO_CONTROL, examples=["(2026)京0491民初1号"])
    code: str = Field(max_length=20, pattern=NO_CONTROL, description="From the court's text.")


class LinkOut(Schema):
    case: CaseRefOut
    party_id: int
    party_name: str


# Declared before /cases/{case_id}: Django matches URL patterns in order, and "link" would
# otherwise be taken for a case id.
@router.post(
    "/cases/link",
    response=LinkOut,
    summary="Link my verified account to a case as its defendant, with the association code",
    description="A wrong number, a wrong code and an expired code all answer 400 "
    "`link_invalid`; five failures an hour answer 429 `rate_limited`.",
    openapi_extra=problems(400, 429, *SIGNED_IN),
)
def case_link(request: HttpRequest, payload: LinkIn) -> LinkOut:
    party = services.case_link(
        actor=actor(request), case_number=payload.case_number, code=payload.code
    )
    case = party.case
    assert case is not None
    return LinkOut(
        case=CaseRefOut(id=case.pk, number=case.number), party_id=party.pk, party_name=party.name
    )


@router.get(
    "/cases/{case_id}",
    response=CaseOut,
    summary="A case: parties, claims, periods running, judge",
    openapi_extra=ON_CASE,
)
def case_detail(request: HttpRequest, case_id: PathId) -> CaseOut:
    return _case_detail(request, case_id)


@router.get(
    "/cases/{case_id}/docket",
    response=list[DocketEntryOut],
    summary="The docket, in order; text in the request's language",
    openapi_extra=ON_CASE,
)
def case_docket(request: HttpRequest, case_id: PathId) -> list[DocketEntryOut]:
    case = case_or_404(request, case_id)
    return [docket_entry_out(entry) for entry in selectors.case_docket(case)]


class ComplaintOut(Schema):
    case: CaseRefOut
    title: str
    case_type: CaseTypeRefOut | None
    filed_by: PersonRefOut
    submitted_at: datetime | None
    parties: list[PartyOut]
    claims: list[ClaimOut]
    facts_and_reasons: str
    evidence_list: list[EvidenceListingOut]
    served_now: bool = Field(
        description="This reading served the complaint on the caller's party (Online "
        "Litigation Rules 2021, Art. 31)."
    )


@router.get(
    "/cases/{case_id}/complaint",
    response=ComplaintOut,
    summary="Read the complaint; a linked defendant's first reading is service of it",
    openapi_extra=ON_CASE,
)
def case_complaint(request: HttpRequest, case_id: PathId) -> ComplaintOut:
    case = case_or_404(request, case_id)
    served = services.complaint_open(actor=actor(request), case_id=case.pk)
    application = case.application
    return ComplaintOut(
        case=CaseRefOut(id=case.pk, number=case.number),
        title=case.title,
        case_type=case_type_ref(case.case_type),
        filed_by=PersonRefOut(
            id=application.created_by_id, name=application.created_by.display_name
        ),
        submitted_at=application.submitted_at,
        parties=[party_out(p) for p in selectors.case_parties(case)],
        claims=[claim_out(c) for c in application.claims.all()],
        facts_and_reasons=application.facts_and_reasons,
        evidence_list=[evidence_listing_out(i) for i in application.evidence_list.all()],
        served_now=served is not None,
    )


class ResponseIn(Schema):
    kind: Literal["answer", "jurisdiction_objection"]
    text: str = Field(max_length=50_000, description="At least 10 characters.")


class ResponseOut(Schema):
    id: int
    kind: str
    party_id: int
    filed_at: datetime
    late: bool = Field(description="Filed after the answer period.")


@router.post(
    "/cases/{case_id}/responses",
    response={201: ResponseOut},
    summary="File an answer or an objection to jurisdiction (defendants)",
    openapi_extra=ON_CASE,
)
def response_create(request: HttpRequest, case_id: PathId, payload: ResponseIn) -> Status:
    case = case_or_404(request, case_id)
    response = services.response_file(
        actor=actor(request), case_id=case.pk, kind=payload.kind, text=payload.text
    )
    return Status(
        201,
        ResponseOut(
            id=response.pk,
            kind=response.kind,
            party_id=response.party_id,
            filed_at=response.filed_at,
            late=response.late,
        ),
    )


class OnlineLitigationIn(Schema):
    consent: bool


@router.post(
    "/cases/{case_id}/online-litigation",
    response=PartyOut,
    summary="Agree or refuse to litigate this case online (parties)",
    openapi_extra=ON_CASE,
)
def online_litigation(
    request: HttpRequest, case_id: PathId, payload: OnlineLitigationIn
) -> PartyOut:
    case = case_or_404(request, case_id)
    party = services.online_litigation_decide(
        actor=actor(request), case_id=case.pk, consent=payload.consent
    )
    return party_out(party)


# --- Court staff ------------------------------------------------------------------------------


class ServiceIn(Schema):
    party_id: BodyId = Field(description="A defendant of the case.")
    served_on: date
    method: str = Field(max_length=100, examples=["EMS registered post"])


@router.post(
    "/cases/{case_id}/service",
    response=CaseOut,
    summary="Record service of the complaint made another way (clerks, the case's judge)",
    openapi_extra=ON_CASE,
)
def complaint_service(request: HttpRequest, case_id: PathId, payload: ServiceIn) -> CaseOut:
    case = case_or_404(request, case_id)
    with missing_is_404():
        services.complaint_service_record(
            actor=actor(request),
            case_id=case.pk,
            party_id=payload.party_id,
            served_on=payload.served_on,
            method=payload.method,
        )
    return _case_detail(request, case_id)


class CaseActionIn(Schema):
    action: Literal[
        "open_evidence_exchange",
        "schedule_hearing",
        "record_heard",
        "decide",
        "make_effective",
        "close",
    ]
    on: date | None = Field(None, description="schedule_hearing: the hearing date.")
    kind: Literal["judgment", "ruling"] | None = Field(None, description="decide")
    mode: (
        Literal["judgment", "ruling", "mediation", "withdrawal", "dismissal", "transfer"] | None
    ) = Field(None, description="close")


def _needed(value: str | date | None, field: str) -> str | date:
    if value is None:
        raise InvalidInput(
            _("This action needs “%(field)s”.") % {"field": field},
            code=f"{field}_missing",
            field=field,
        )
    return value


def _act(case: Case, payload: CaseActionIn, request: HttpRequest) -> None:
    user, case_id = actor(request), case.pk
    if payload.action == "open_evidence_exchange":
        services.case_open_evidence_exchange(actor=user, case_id=case_id)
    elif payload.action == "schedule_hearing":
        on = _needed(payload.on, "on")
        assert isinstance(on, date)
        services.case_schedule_hearing(actor=user, case_id=case_id, on=on)
    elif payload.action == "record_heard":
        services.case_record_heard(actor=user, case_id=case_id)
    elif payload.action == "decide":
        services.case_decide(actor=user, case_id=case_id, kind=str(_needed(payload.kind, "kind")))
    elif payload.action == "make_effective":
        services.case_make_effective(actor=user, case_id=case_id)
    else:
        services.case_close(actor=user, case_id=case_id, mode=str(_needed(payload.mode, "mode")))


@router.post(
    "/cases/{case_id}/actions",
    response=CaseOut,
    summary="Move the case along its road (the case's judge)",
    description="`schedule_hearing` needs `on`, `decide` needs `kind`, `close` needs `mode`; "
    "without it: 422 `<field>_missing`. A move the case's status does not allow: 400 "
    f"`illegal_transition`. Statuses: {', '.join(CaseStatus.values)}.",
    openapi_extra=ON_CASE,
)
def case_action(request: HttpRequest, case_id: PathId, payload: CaseActionIn) -> CaseOut:
    _act(case_or_404(request, case_id), payload, request)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/parties/{party_id}/association-code",
    response={204: None},
    summary="Send a defendant a new association code (clerks)",
    openapi_extra=ON_CASE,
)
def association_code(request: HttpRequest, case_id: PathId, party_id: PathId) -> Status:
    case = case_or_404(request, case_id)
    with missing_is_404():
        services.association_code_reissue(actor=actor(request), case_id=case.pk, party_id=party_id)
    return Status(204, None)
