"""Scheduling in the JSON API (tag "trial"): a case's hearings, scheduling (the case's judge),
a hearing, attendance confirmation and requests to reschedule (parties and agents), the
judge's decision, cancelling, and the division head's judge assignment.

Session authentication (CSRF header on writes). Every route answers 404 to whoever may not
see the case, then 403 to those who see it but may not act."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from ecourt.accounts.models import User
from ecourt.cases.api_common import (
    NO_CONTROL,
    NO_CONTROL_MULTILINE,
    SIGNED_IN,
    BodyId,
    PathId,
    actor,
    case_or_404,
    missing_is_404,
    problems,
)
from ecourt.hearings import rules, selectors
from ecourt.hearings.models import Hearing, HearingParticipant, RescheduleRequest
from ecourt.hearings.services import scheduling as services

router = Router(auth=django_auth)

ON_RECORD = problems(400, 404, *SIGNED_IN)
READ = problems(404, *SIGNED_IN)

Minutes = Annotated[int, Field(ge=rules.MIN_MINUTES, le=rules.MAX_MINUTES)]


class HearingParticipantOut(Schema):
    id: int
    role: str
    name: str
    party_id: int | None
    offline: bool
    confirmed_at: datetime | None


class HearingOut(Schema):
    id: int
    case_id: int
    starts_at: datetime
    ends_at: datetime
    minutes: int
    status: str
    courtroom: str
    judge: str
    clerk: str
    warnings: list[str]
    summons_id: int | None
    cancelled_reason: str
    participants: list[HearingParticipantOut]


class HearingScheduleIn(Schema):
    starts_at: datetime = Field(description="Aware, or naive meaning Beijing time.")
    minutes: Minutes
    courtroom_id: BodyId
    clerk_id: BodyId


class HearingCancelIn(Schema):
    reason: str = Field(max_length=500, pattern=NO_CONTROL)


class RescheduleRequestIn(Schema):
    reasons: str = Field(max_length=5000, pattern=NO_CONTROL_MULTILINE)
    party_id: BodyId | None = None


class RescheduleRequestOut(Schema):
    id: int
    hearing_id: int
    party_id: int
    requested_at: datetime
    reasons: str
    status: str
    decided_at: datetime | None
    decision_note: str
    old_starts_at: datetime | None
    new_starts_at: datetime | None


class RescheduleDecisionIn(Schema):
    grant: bool
    note: str = Field("", max_length=500, pattern=NO_CONTROL)
    starts_at: datetime | None = None
    minutes: Minutes | None = None


class CaseJudgeIn(Schema):
    judge_id: BodyId | None = Field(None, description="None: the judge with the fewest cases.")


class CaseJudgeOut(Schema):
    case_id: int
    judge_id: int | None
    judge: str


def _participant_out(p: HearingParticipant) -> HearingParticipantOut:
    return HearingParticipantOut(
        id=p.pk,
        role=p.role,
        name=p.name,
        party_id=p.party_id,
        offline=p.offline,
        confirmed_at=p.confirmed_at,
    )


def hearing_out(hearing: Hearing) -> HearingOut:
    return HearingOut(
        id=hearing.pk,
        case_id=hearing.case_id,
        starts_at=hearing.starts_at,
        ends_at=hearing.ends_at,
        minutes=hearing.minutes,
        status=hearing.status,
        courtroom=hearing.courtroom.name,
        judge=hearing.judge.display_name,
        clerk=hearing.clerk.display_name,
        warnings=list(hearing.warnings),
        summons_id=hearing.summons_id,
        cancelled_reason=hearing.cancelled_reason,
        participants=[_participant_out(p) for p in hearing.participants.all()],
    )


def _request_out(r: RescheduleRequest) -> RescheduleRequestOut:
    return RescheduleRequestOut(
        id=r.pk,
        hearing_id=r.hearing_id,
        party_id=r.party_id,
        requested_at=r.requested_at,
        reasons=r.reasons,
        status=r.status,
        decided_at=r.decided_at,
        decision_note=r.decision_note,
        old_starts_at=r.old_starts_at,
        new_starts_at=r.new_starts_at,
    )


def _hearing_or_404(request: HttpRequest, hearing_id: int) -> Hearing:
    hearing = selectors.hearing_for_user(actor(request), hearing_id)
    if hearing is None:
        raise Http404
    return hearing


def _fresh(user: User, hearing_id: int) -> HearingOut:
    hearing = selectors.hearing_for_user(user, hearing_id)
    assert hearing is not None
    return hearing_out(hearing)


@router.get(
    "/cases/{case_id}/hearings",
    response=list[HearingOut],
    summary="A case's hearings with their participants",
    openapi_extra=READ,
)
def case_hearings(request: HttpRequest, case_id: PathId) -> list[HearingOut]:
    case = case_or_404(request, case_id)
    return [hearing_out(h) for h in selectors.case_hearings(case)]


@router.post(
    "/cases/{case_id}/hearings",
    response={201: HearingOut},
    summary="Schedule a hearing and issue the summons (the case's judge)",
    description="400 `start_past`, `notice_too_short` (CPL Art. 139: 3 days), "
    "`minutes_invalid`, `clerk_invalid`, `courtroom_invalid`, `illegal_transition`, "
    "`conflict` (the message names the judge, clerk, courtroom or agent and the other "
    "hearing's time). Weekend and holiday `warnings` do not refuse.",
    openapi_extra=ON_RECORD,
)
def hearing_schedule(request: HttpRequest, case_id: PathId, payload: HearingScheduleIn) -> Status:
    user = actor(request)
    case = case_or_404(request, case_id)
    hearing = services.hearing_schedule(
        actor=user,
        case_id=case.pk,
        starts_at=payload.starts_at,
        minutes=payload.minutes,
        courtroom_id=payload.courtroom_id,
        clerk_id=payload.clerk_id,
    )
    return Status(201, _fresh(user, hearing.pk))


@router.get(
    "/hearings/{hearing_id}",
    response=HearingOut,
    summary="A hearing with its participants and their confirmations",
    openapi_extra=READ,
)
def hearing_get(request: HttpRequest, hearing_id: PathId) -> HearingOut:
    return hearing_out(_hearing_or_404(request, hearing_id))


@router.post(
    "/hearings/{hearing_id}/confirm",
    response=HearingOut,
    summary="Confirm attendance (a party or its agent)",
    description="403 `not_party`; 400 `hearing_not_scheduled`.",
    openapi_extra=ON_RECORD,
)
def hearing_confirm(request: HttpRequest, hearing_id: PathId) -> HearingOut:
    user = actor(request)
    hearing = _hearing_or_404(request, hearing_id)
    services.attendance_confirm(actor=user, hearing_id=hearing.pk)
    return _fresh(user, hearing.pk)


@router.post(
    "/hearings/{hearing_id}/reschedule-requests",
    response={201: RescheduleRequestOut},
    summary="Apply to move a hearing, with reasons (a party or its agent)",
    description="400 `reasons_missing`, `reschedule_pending` (one pending per party), "
    "`hearing_started`; 403 `not_party`.",
    openapi_extra=ON_RECORD,
)
def reschedule_request(
    request: HttpRequest, hearing_id: PathId, payload: RescheduleRequestIn
) -> Status:
    hearing = _hearing_or_404(request, hearing_id)
    created = services.reschedule_request(
        actor=actor(request),
        hearing_id=hearing.pk,
        reasons=payload.reasons,
        party_id=payload.party_id,
    )
    return Status(201, _request_out(created))


@router.post(
    "/reschedule-requests/{request_id}/decision",
    response=RescheduleRequestOut,
    summary="Grant (moving the hearing) or refuse a request to reschedule (the judge)",
    description="400 `start_missing`, `note_missing`, `already_decided`, `conflict`, "
    "`notice_too_short`; 403 `not_judge`.",
    openapi_extra=ON_RECORD,
)
def reschedule_decide(
    request: HttpRequest, request_id: PathId, payload: RescheduleDecisionIn
) -> RescheduleRequestOut:
    user = actor(request)
    hearing_id = (
        RescheduleRequest.objects.filter(pk=request_id).values_list("hearing_id", flat=True).first()
    )
    if hearing_id is None:
        raise Http404
    _hearing_or_404(request, hearing_id)  # 404 for whoever may not see the case
    with missing_is_404():
        decided = services.reschedule_decide(
            actor=user,
            request_id=request_id,
            grant=payload.grant,
            note=payload.note,
            starts_at=payload.starts_at,
            minutes=payload.minutes,
        )
    return _request_out(decided)


@router.post(
    "/hearings/{hearing_id}/cancel",
    response=HearingOut,
    summary="Cancel a hearing that has not started, with a reason (the judge)",
    description="400 `reason_missing`, `hearing_not_scheduled`; 403 `not_judge`.",
    openapi_extra=ON_RECORD,
)
def hearing_cancel(
    request: HttpRequest, hearing_id: PathId, payload: HearingCancelIn
) -> HearingOut:
    user = actor(request)
    hearing = _hearing_or_404(request, hearing_id)
    services.hearing_cancel(actor=user, hearing_id=hearing.pk, reason=payload.reason)
    return _fresh(user, hearing.pk)


@router.post(
    "/cases/{case_id}/judge",
    response=CaseJudgeOut,
    summary="Assign the case's judge, or let the system pick by load (a division head)",
    description="400 `judge_invalid`, `no_judge`, `case_decided`; 403 `not_division_head`.",
    openapi_extra=ON_RECORD,
)
def case_judge_assign(request: HttpRequest, case_id: PathId, payload: CaseJudgeIn) -> CaseJudgeOut:
    case = case_or_404(request, case_id)
    case = services.case_judge_assign(
        actor=actor(request), case_id=case.pk, judge_id=payload.judge_id
    )
    return CaseJudgeOut(
        case_id=case.pk,
        judge_id=case.judge_id,
        judge=case.judge.display_name if case.judge else "",
    )
