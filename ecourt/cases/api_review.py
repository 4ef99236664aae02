"""The filing clerk's side: the queue, the review decisions, confirming bank transfers and
deciding fee relief. Staff sessions have passed the TOTP step (StaffOtpRequiredMiddleware).

Routes on one application answer 404 first to anyone who may not see it, then 403 to those
who see it but are not filing clerks (its author, for one).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import Role
from ecourt.cases import selectors, services
from ecourt.cases.api_common import (
    SIGNED_IN,
    BodyId,
    PathId,
    actor,
    application_or_404,
    missing_is_404,
    problems,
)
from ecourt.cases.api_schemas import (
    ApplicationOut,
    CaseOut,
    FeeReliefOut,
    PaymentOut,
    QueuePageOut,
    application_out,
    case_out,
    fee_relief_out,
    payment_out,
    queue_item_out,
)

router = Router(tags=["filing review"], auth=django_auth)

ON_APPLICATION = problems(400, 404, *SIGNED_IN)


@router.get(
    "/filing/queue",
    response=QueuePageOut,
    summary="Applications waiting for a filing decision, the oldest receipt first (clerks)",
    openapi_extra=problems(*SIGNED_IN),
)
def filing_queue(
    request: HttpRequest,
    limit: Annotated[int, Query(50, ge=1, le=200)] = 50,
    offset: Annotated[int, Query(0, ge=0, le=1_000_000)] = 0,
) -> QueuePageOut:
    require_roles(request.user, Role.FILING_CLERK)
    queue = selectors.filing_queue()
    return QueuePageOut(
        count=queue.count(), items=[queue_item_out(a) for a in queue[offset : offset + limit]]
    )


@router.post(
    "/applications/{application_id}/review/start",
    response=ApplicationOut,
    summary="Take the application for review (or take it over)",
    openapi_extra=ON_APPLICATION,
)
def review_start(request: HttpRequest, application_id: PathId) -> ApplicationOut:
    application_or_404(request, application_id)
    services.filing_review_start(actor=actor(request), application_id=application_id)
    return application_out(application_or_404(request, application_id), actor(request))


class AcceptIn(Schema):
    judge_id: BodyId | None = Field(None, description="Left out: the judge with fewest cases.")
    procedure: Literal["ordinary", "simplified"] = "ordinary"


@router.post(
    "/applications/{application_id}/review/accept",
    response={201: CaseOut},
    summary="Docket the case (the fee must be settled)",
    openapi_extra=ON_APPLICATION,
)
def review_accept(request: HttpRequest, application_id: PathId, payload: AcceptIn) -> Status:
    application_or_404(request, application_id)
    user = actor(request)
    case = services.filing_accept(
        actor=user,
        application_id=application_id,
        judge_id=payload.judge_id,
        procedure=payload.procedure,
    )
    found = selectors.case_for_user(user, case.pk)
    assert found is not None  # clerks see every case
    return Status(201, case_out(found, user))


class CorrectionsIn(Schema):
    items: list[Annotated[str, Field(max_length=1000)]] = Field(
        min_length=1, max_length=50, description="What to fix, once and in full."
    )
    due: date = Field(description="A future day, at most 90 days ahead.")


@router.post(
    "/applications/{application_id}/review/corrections",
    response=ApplicationOut,
    summary="Ask the applicant for corrections by a date",
    openapi_extra=ON_APPLICATION,
)
def review_corrections(
    request: HttpRequest, application_id: PathId, payload: CorrectionsIn
) -> ApplicationOut:
    application_or_404(request, application_id)
    services.filing_request_corrections(
        actor=actor(request), application_id=application_id, items=payload.items, due=payload.due
    )
    return application_out(application_or_404(request, application_id), actor(request))


class RefuseIn(Schema):
    reason: str = Field(max_length=5000, description="The reasons of the ruling (10+ chars).")


@router.post(
    "/applications/{application_id}/review/refuse",
    response=ApplicationOut,
    summary="Refuse to docket, with reasons",
    openapi_extra=ON_APPLICATION,
)
def review_refuse(
    request: HttpRequest, application_id: PathId, payload: RefuseIn
) -> ApplicationOut:
    application_or_404(request, application_id)
    services.filing_refuse(
        actor=actor(request), application_id=application_id, reason=payload.reason
    )
    return application_out(application_or_404(request, application_id), actor(request))


class PaymentConfirmIn(Schema):
    record: str = Field(max_length=200, description="The bank statement line of the transfer.")


@router.post(
    "/payments/{payment_id}/confirm",
    response=PaymentOut,
    summary="Confirm a bank transfer from the statement (clerks)",
    openapi_extra=ON_APPLICATION,
)
def payment_confirm(
    request: HttpRequest, payment_id: PathId, payload: PaymentConfirmIn
) -> PaymentOut:
    require_roles(request.user, Role.FILING_CLERK)
    with missing_is_404():
        payment = services.payment_confirm(
            actor=actor(request), payment_id=payment_id, record=payload.record
        )
    return payment_out(payment)


class FeeReliefDecisionIn(Schema):
    grant: bool
    reason: str = Field("", max_length=5000, description="Required to refuse.")
    reduced_fee: str | None = Field(
        None, max_length=40, description="For a reduction: the fee to pay, yuan."
    )


@router.post(
    "/fee-relief/{request_id}/decide",
    response=FeeReliefOut,
    summary="Grant or refuse a request to defer, reduce or waive the fee (clerks)",
    openapi_extra=ON_APPLICATION,
)
def fee_relief_decide(
    request: HttpRequest, request_id: PathId, payload: FeeReliefDecisionIn
) -> FeeReliefOut:
    require_roles(request.user, Role.FILING_CLERK)
    with missing_is_404():
        relief = services.fee_relief_decide(
            actor=actor(request),
            request_id=request_id,
            grant=payload.grant,
            reason=payload.reason,
            reduced_fee=payload.reduced_fee,
        )
    return fee_relief_out(relief)
