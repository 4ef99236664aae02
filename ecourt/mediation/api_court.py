"""The court's side of pre-filing mediation: filing clerks propose mediation, reassign matters
and read the figures; a mediator reads their workload; court administrators keep the registry
of organisations and mediators; the judge rules on judicial confirmation.

Staff sessions have passed the TOTP step (StaffOtpRequiredMiddleware). A route on one
application, mediation or case answers 404 first to whoever may not see it, then 403 to those
who see it but do not hold the role.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import Role
from ecourt.cases.api_common import (
    NO_CONTROL,
    NO_CONTROL_MULTILINE,
    SIGNED_IN,
    BodyId,
    InvalidInput,
    NotFoundProblem,
    PathId,
    actor,
    application_or_404,
    case_or_404,
    date_param,
    missing_is_404,
    problems,
)
from ecourt.cases.api_schemas import CaseOut, case_out
from ecourt.mediation import selectors, services
from ecourt.mediation.api_room import mediation_or_404
from ecourt.mediation.api_schemas import (
    DiversionProposalOut,
    MatterOut,
    MediationOut,
    MediatorOut,
    OrganisationOut,
    diversion_proposal_out,
    matter_out,
    mediation_out,
    mediator_out,
    organisation_out,
)
from ecourt.mediation.models import MediationOrganisation

router = Router(tags=["mediation (court)"], auth=django_auth)

ON_RECORD = problems(400, 404, *SIGNED_IN)

# --- Filing clerks ----------------------------------------------------------------------------


class FiguresOut(Schema):
    since: str | None
    until: str | None
    diverted: int = Field(description="Mediations diverted in the period (by diversion day).")
    settled: int = Field(description="Outcomes by the day mediation ended.")
    failed: int
    withdrawn: int
    success_rate: float | None = Field(description="settled ÷ ended; null when none ended.")
    median_days: float | None = Field(description="Diversion to end, for those ended.")


# Declared before the routes on /mediations/{mediation_id}.
@router.get(
    "/mediations/figures",
    response=FiguresOut,
    summary="Mediation figures for a period, both days included (clerks)",
    description="Days are YYYY-MM-DD, court time zone; either may be left out. A malformed "
    "day: 422 `date_invalid`; from after until: 422 `period_invalid`.",
    openapi_extra=problems(*SIGNED_IN),
)
def figures(
    request: HttpRequest,
    since: Annotated[str | None, Query(None, alias="from", max_length=20)] = None,
    until: Annotated[str | None, Query(None, max_length=20)] = None,
) -> FiguresOut:
    require_roles(request.user, Role.FILING_CLERK)
    first = date_param(since, field="from") if since and since.strip() else None
    last = date_param(until, field="until") if until and until.strip() else None
    if first and last and first > last:
        raise InvalidInput(
            _("“from” must not be after “until”."), code="period_invalid", field="from"
        )
    found = selectors.mediation_figures(since=first, until=last)
    return FiguresOut(
        since=first.isoformat() if first else None,
        until=last.isoformat() if last else None,
        diverted=found.diverted,
        settled=found.settled,
        failed=found.failed,
        withdrawn=found.withdrawn,
        success_rate=found.success_rate,
        median_days=found.median_days,
    )


@router.get(
    "/applications/{application_id}/diversion-proposals",
    response=list[DiversionProposalOut],
    summary="The court's proposals of mediation on an application, newest first",
    openapi_extra=ON_RECORD,
)
def diversion_proposals(request: HttpRequest, application_id: PathId) -> list[DiversionProposalOut]:
    application = application_or_404(request, application_id)
    return [diversion_proposal_out(p) for p in application.diversion_proposals.all()]


class DiversionIn(Schema):
    note: str = Field("", max_length=2000, pattern=NO_CONTROL_MULTILINE, description="Why.")


@router.post(
    "/applications/{application_id}/diversion-proposals",
    response={201: DiversionProposalOut},
    summary="Propose mediation to the plaintiff (clerks, while the application is in review)",
    openapi_extra=ON_RECORD,
)
def diversion_propose(request: HttpRequest, application_id: PathId, payload: DiversionIn) -> Status:
    application = application_or_404(request, application_id)
    proposal = services.diversion_propose(
        actor=actor(request), application_id=application.pk, note=payload.note
    )
    return Status(201, diversion_proposal_out(proposal))


class DiversionAnswerIn(Schema):
    accept: bool


@router.post(
    "/diversion-proposals/{proposal_id}/answer",
    response=DiversionProposalOut,
    summary="Accept (the matter goes to mediation) or decline the court's proposal (the filer)",
    description="Accepting after the application left filing review: 400 `proposal_lapsed`.",
    openapi_extra=ON_RECORD,
)
def diversion_answer(
    request: HttpRequest, proposal_id: PathId, payload: DiversionAnswerIn
) -> DiversionProposalOut:
    with missing_is_404():
        proposal = services.diversion_answer(
            actor=actor(request), proposal_id=proposal_id, accept=payload.accept
        )
    return diversion_proposal_out(proposal)


class ReassignIn(Schema):
    mediator_id: BodyId
    reason: str = Field("", max_length=2000, pattern=NO_CONTROL_MULTILINE)


@router.post(
    "/mediations/{mediation_id}/reassign",
    response=MediationOut,
    summary="Give the matter to a mediator of the court's choice (clerks)",
    openapi_extra=ON_RECORD,
)
def mediation_reassign(
    request: HttpRequest, mediation_id: PathId, payload: ReassignIn
) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    services.mediation_reassign(
        actor=actor(request),
        mediation_id=mediation.pk,
        mediator_id=payload.mediator_id,
        reason=payload.reason,
    )
    return mediation_out(mediation_or_404(request, mediation_id), actor(request))


# --- Mediators --------------------------------------------------------------------------------


class WorkloadOut(Schema):
    mediator: MediatorOut
    open: list[MatterOut] = Field(description="Open matters, the soonest due first.")
    settled: int
    failed: int
    withdrawn: int


@router.get(
    "/mediators/me/workload",
    response=WorkloadOut,
    summary="My open matters and outcomes (a registered mediator)",
    description="Not registered as a mediator: 404 `not_registered`.",
    openapi_extra=problems(404, *SIGNED_IN),
)
def workload(request: HttpRequest) -> WorkloadOut:
    mediator = selectors.mediator_of(actor(request))
    if mediator is None:
        raise NotFoundProblem(_("You are not registered as a mediator."), code="not_registered")
    load = selectors.workload_of(mediator)
    lines: list[selectors.MatterLine] = load["open"]  # type: ignore[assignment]
    outcomes: dict[str, int] = load["outcomes"]  # type: ignore[assignment]
    return WorkloadOut(
        mediator=mediator_out(mediator),
        open=[matter_out(line) for line in lines],
        settled=outcomes.get("settled", 0),
        failed=outcomes.get("failed", 0),
        withdrawn=outcomes.get("withdrawn", 0),
    )


# --- Court administrators: the registry --------------------------------------------------------


@router.get(
    "/mediation-organisations",
    response=list[OrganisationOut],
    summary="Invited mediation organisations (court administrators, filing clerks)",
    openapi_extra=problems(*SIGNED_IN),
)
def organisations(request: HttpRequest) -> list[OrganisationOut]:
    require_roles(request.user, Role.COURT_ADMIN, Role.FILING_CLERK)
    return [organisation_out(o) for o in MediationOrganisation.objects.all()]


class OrganisationIn(Schema):
    name_zh: str = Field(max_length=200, pattern=NO_CONTROL)
    name_en: str = Field("", max_length=200, pattern=NO_CONTROL)
    kind: str = Field(
        max_length=20, pattern=NO_CONTROL, description="centre, committee, industry or other"
    )


@router.post(
    "/mediation-organisations",
    response={201: OrganisationOut},
    summary="Register an organisation the court invites to mediate (court administrators)",
    openapi_extra=problems(400, *SIGNED_IN),
)
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status:
    organisation = services.organisation_register(
        actor=actor(request), name_zh=payload.name_zh, name_en=payload.name_en, kind=payload.kind
    )
    return Status(201, organisation_out(organisation))


class ActiveIn(Schema):
    active: bool


@router.post(
    "/mediation-organisations/{organisation_id}/active",
    response=OrganisationOut,
    summary="Activate or deactivate an organisation (court administrators)",
    openapi_extra=ON_RECORD,
)
def organisation_active(
    request: HttpRequest, organisation_id: PathId, payload: ActiveIn
) -> OrganisationOut:
    with missing_is_404():
        organisation = services.organisation_set_active(
            actor=actor(request), organisation_id=organisation_id, active=payload.active
        )
    return organisation_out(organisation)


@router.get(
    "/mediators",
    response=list[MediatorOut],
    summary="Registered mediators with their load (court administrators, filing clerks)",
    openapi_extra=problems(*SIGNED_IN),
)
def mediators(request: HttpRequest) -> list[MediatorOut]:
    require_roles(request.user, Role.COURT_ADMIN, Role.FILING_CLERK)
    return [mediator_out(line.mediator, line) for line in selectors.mediators_with_load()]


Code = Annotated[str, Field(max_length=60, pattern=NO_CONTROL)]


class MediatorProfileIn(Schema):
    specialties: list[Code] = Field(max_length=100, description="Case-type codes.")
    capacity: int = Field(ge=0, le=100_000, description="Open matters at most: 1 to 500.")
    languages: list[Code] = Field([], max_length=10, description="zh-hans, en; empty: any.")
    organisation_id: BodyId | None = Field(None, description="Left out: an individual.")


class MediatorIn(MediatorProfileIn):
    user_id: BodyId = Field(description="A person who holds the mediator role.")


class MediatorUpdateIn(MediatorProfileIn):
    active: bool = True


def _mediator_line(mediator_id: int) -> MediatorOut:
    line = next(line for line in selectors.mediators_with_load() if line.mediator.pk == mediator_id)
    return mediator_out(line.mediator, line)


@router.post(
    "/mediators",
    response={201: MediatorOut},
    summary="Register a mediator (court administrators)",
    openapi_extra=problems(400, *SIGNED_IN),
)
def mediator_create(request: HttpRequest, payload: MediatorIn) -> Status:
    mediator = services.mediator_register(
        actor=actor(request),
        user_id=payload.user_id,
        specialties=payload.specialties,
        capacity=payload.capacity,
        languages=payload.languages,
        organisation_id=payload.organisation_id,
    )
    return Status(201, _mediator_line(mediator.pk))


@router.put(
    "/mediators/{mediator_id}",
    response=MediatorOut,
    summary="Change what a mediator takes on (court administrators)",
    openapi_extra=ON_RECORD,
)
def mediator_update(
    request: HttpRequest, mediator_id: PathId, payload: MediatorUpdateIn
) -> MediatorOut:
    with missing_is_404():
        mediator = services.mediator_update(
            actor=actor(request),
            mediator_id=mediator_id,
            specialties=payload.specialties,
            capacity=payload.capacity,
            languages=payload.languages,
            organisation_id=payload.organisation_id,
            active=payload.active,
        )
    return _mediator_line(mediator.pk)


# --- The judge --------------------------------------------------------------------------------


class RulingIn(Schema):
    confirm: bool = Field(description="true: the agreement is valid; false: rejected.")
    reasons: str = Field(
        "", max_length=20_000, pattern=NO_CONTROL_MULTILINE, description="Needed to reject."
    )


@router.post(
    "/cases/{case_id}/confirmation-ruling",
    response=CaseOut,
    summary="Rule on an application for judicial confirmation (the case's judge)",
    description="A case that is not a judicial confirmation: 404. The ruling is final.",
    openapi_extra=ON_RECORD,
)
def confirmation_ruling(request: HttpRequest, case_id: PathId, payload: RulingIn) -> CaseOut:
    case = case_or_404(request, case_id)
    with missing_is_404():
        services.confirmation_decide(
            actor=actor(request), case_id=case.pk, confirm=payload.confirm, reasons=payload.reasons
        )
    return case_out(case_or_404(request, case_id), actor(request))
