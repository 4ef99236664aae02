"""The hearing room and the court record over the API (tag "trial").

- ``POST /hearings/{id}/identity/code`` and ``POST /hearings/{id}/identity``: the identity
  re-check with a fresh one-time code, which records attendance. Until it passes, a party's
  or agent's record and meeting routes answer 404 like an outsider's. The hearing's judge
  and clerk take no texted code (court staff sign in with two factors).
- ``GET /hearings/{id}/meeting``: the caller's link to the video conference.
- ``GET``/``PUT /hearings/{id}/record``: the live record (the clerk saves with
  ``base_version``; a stale one answers 409 ``version_conflict``).
- ``POST /hearings/{id}/start``, ``/end``, ``/evidence-shown``: the judge.
- ``GET /records/{id}``, ``POST /records/{id}/close``, ``/signature-code``, ``/signatures``:
  closing and signing.

Whoever is neither a participant nor the hearing's judge or clerk gets 404 on every hearing
route; record routes follow who may see the case. Then 403 for who may not act.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from ecourt.accounts.models import User
from ecourt.cases import selectors as case_selectors
from ecourt.cases.api_common import (
    NO_CONTROL,
    NO_CONTROL_MULTILINE,
    SIGNED_IN,
    BodyId,
    PathId,
    actor,
    missing_is_404,
    problems,
)
from ecourt.hearings.meeting import meeting_url
from ecourt.hearings.models import CourtRecord, Hearing, HearingParticipant
from ecourt.hearings.services import records as record_services
from ecourt.hearings.services import room as room_services
from ecourt.hearings.services.common import (
    is_hearing_staff,
    is_past_identity_check,
    participant_sync,
)

router = Router(auth=django_auth)

ON_HEARING = problems(400, 404, *SIGNED_IN)
ON_CODE = problems(400, 404, 429, *SIGNED_IN)
ON_RECORD = problems(400, 404, 409, *SIGNED_IN)


# --- Schemas ----------------------------------------------------------------------------------


class RoomEvidenceShownOut(Schema):
    item_id: int
    label: str
    shown_at: datetime
    url: str = Field(description="The evidence item's page (its own access rules apply).")


class RoomRecordOut(Schema):
    record_id: int | None = Field(description="None until the judge begins the hearing.")
    version: int
    text: str
    closed: bool
    sha256: str = Field(description="Of the closed text (UTF-8); empty while open.")
    status: str = Field(description="The hearing's status.")
    evidence_shown: list[RoomEvidenceShownOut]


class RoomRecordIn(Schema):
    text: str = Field(max_length=record_services.MAX_RECORD_CHARS, pattern=NO_CONTROL_MULTILINE)
    base_version: int = Field(ge=0, description="The version the text was edited from.")


class RoomCodeIn(Schema):
    code: str = Field(max_length=20, pattern=NO_CONTROL, description="The texted code.")


class RoomParticipantOut(Schema):
    name: str
    role: str
    offline: bool
    verified_at: datetime | None
    joined_at: datetime | None


class RoomHearingOut(Schema):
    id: int
    case_id: int
    status: str
    starts_at: datetime
    ends_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    record_id: int | None


class RoomMeetingOut(Schema):
    url: str


class RoomEvidenceIn(Schema):
    item_id: BodyId


class RoomSignatureOut(Schema):
    name: str
    user_id: int
    party_id: int | None
    sha256: str
    signed_at: datetime


class RoomCourtRecordOut(Schema):
    id: int
    case_id: int
    hearing_id: int | None
    async_trial_id: int | None
    supplements_id: int | None
    version: int
    text: str
    closed_at: datetime | None
    sha256: str
    deposit_no: str | None
    completed_at: datetime | None
    signatures: list[RoomSignatureOut]
    unsigned: list[str] = Field(description="Names of participants who have not signed yet.")


class RoomSignatureIn(Schema):
    code: str = Field(max_length=20, pattern=NO_CONTROL, description="The texted code.")
    sha256: str = Field(
        max_length=100, pattern=NO_CONTROL, description="The sha256 of the record as read."
    )


# --- Access -----------------------------------------------------------------------------------


def _hearing_or_404(
    request: HttpRequest, hearing_id: int
) -> tuple[Hearing, HearingParticipant | None]:
    user = actor(request)
    hearing = Hearing.objects.select_related("case", "courtroom").filter(pk=hearing_id).first()
    if hearing is None:
        raise Http404
    participant_sync(hearing)  # a party linked, or an agent appointed, since scheduling
    participant = hearing.participants.filter(user=user).first()
    if participant is None and not is_hearing_staff(user, hearing):
        raise Http404
    return hearing, participant


def _inside_or_404(request: HttpRequest, hearing_id: int) -> Hearing:
    """Past the identity check: a party or agent verified with a texted code, or the
    hearing's judge or clerk (two-factor sign-in; no texted code)."""
    hearing, participant = _hearing_or_404(request, hearing_id)
    if not is_past_identity_check(actor(request), hearing, participant):
        raise Http404
    return hearing


def _record_or_404(request: HttpRequest, record_id: int) -> CourtRecord:
    record = CourtRecord.objects.select_related("case", "deposit").filter(pk=record_id).first()
    if record is None or case_selectors.case_for_user(actor(request), record.case_id) is None:
        raise Http404
    return record


def _hearing_out(hearing: Hearing) -> RoomHearingOut:
    record = CourtRecord.objects.filter(hearing=hearing).values_list("pk", flat=True).first()
    return RoomHearingOut(
        id=hearing.pk,
        case_id=hearing.case_id,
        status=hearing.status,
        starts_at=hearing.starts_at,
        ends_at=hearing.ends_at,
        started_at=hearing.started_at,
        ended_at=hearing.ended_at,
        record_id=record,
    )


def _live_record_out(hearing: Hearing) -> RoomRecordOut:
    record = CourtRecord.objects.filter(hearing=hearing).first()
    return RoomRecordOut(
        record_id=record.pk if record else None,
        version=record.version if record else 0,
        text=record.text if record else "",
        closed=bool(record and record.is_closed),
        sha256=record.sha256 if record else "",
        status=hearing.status,
        evidence_shown=[
            RoomEvidenceShownOut(
                item_id=entry.item_id,
                label=entry.label,
                shown_at=entry.shown_at,
                url=reverse("evidence:item_detail", args=[entry.item_id]),
            )
            for entry in room_services.evidence_shown_in(hearing)
        ],
    )


def _record_out(record_id: int) -> RoomCourtRecordOut:
    record = CourtRecord.objects.select_related("deposit").get(pk=record_id)
    signatures = list(record.signatures.all())
    signed = {s.user_id for s in signatures}
    return RoomCourtRecordOut(
        id=record.pk,
        case_id=record.case_id,
        hearing_id=record.hearing_id,
        async_trial_id=record.async_trial_id,
        supplements_id=record.supplements_id,
        version=record.version,
        text=record.text,
        closed_at=record.closed_at,
        sha256=record.sha256,
        deposit_no=record.deposit.deposit_no if record.deposit else None,
        completed_at=record.completed_at,
        signatures=[
            RoomSignatureOut(
                name=s.name,
                user_id=s.user_id,
                party_id=s.party_id,
                sha256=s.sha256,
                signed_at=s.signed_at,
            )
            for s in signatures
        ],
        unsigned=[
            s.name for s in record_services.record_signers(record) if s.user_id not in signed
        ],
    )


def _language(user: User) -> str:
    return user.preferred_language or get_language() or "zh-hans"


# --- The room ---------------------------------------------------------------------------------


@router.post(
    "/hearings/{hearing_id}/identity/code",
    response={204: None},
    summary="Text me a fresh code to check my identity before joining (participants)",
    description="From 30 minutes before the start until the hearing ends: else 400 "
    "`room_not_open`, `hearing_time_over` or `hearing_closed`. A participant attending in "
    "person: 400 `attends_offline`.",
    openapi_extra=ON_CODE,
)
def identity_code(request: HttpRequest, hearing_id: PathId) -> Status:
    hearing, _participant = _hearing_or_404(request, hearing_id)
    user = actor(request)
    with missing_is_404():
        room_services.hearing_identity_send(
            actor=user, hearing_id=hearing.pk, language=_language(user)
        )
    return Status(204, None)


@router.post(
    "/hearings/{hearing_id}/identity",
    response=RoomParticipantOut,
    summary="Check my identity with the texted code: that is my attendance (participants)",
    description="A wrong, expired or used code: 400 `otp_wrong`, `otp_expired`, `otp_missing`.",
    openapi_extra=ON_CODE,
)
def identity_verify(
    request: HttpRequest, hearing_id: PathId, payload: RoomCodeIn
) -> RoomParticipantOut:
    hearing, _participant = _hearing_or_404(request, hearing_id)
    with missing_is_404():
        participant = room_services.hearing_identity_verify(
            actor=actor(request), hearing_id=hearing.pk, code=payload.code
        )
    return RoomParticipantOut(
        name=participant.name,
        role=participant.role,
        offline=participant.offline,
        verified_at=participant.verified_at,
        joined_at=participant.joined_at,
    )


@router.get(
    "/hearings/{hearing_id}/meeting",
    response=RoomMeetingOut,
    summary="My link to the hearing's video conference (after the identity check)",
    openapi_extra=problems(404, *SIGNED_IN),
)
def meeting(request: HttpRequest, hearing_id: PathId) -> RoomMeetingOut:
    hearing = _inside_or_404(request, hearing_id)
    participant = hearing.participants.filter(user=actor(request)).first()
    if participant is not None and participant.offline:
        raise Http404
    return RoomMeetingOut(url=meeting_url(hearing, actor(request)))


@router.get(
    "/hearings/{hearing_id}/record",
    response=RoomRecordOut,
    summary="The live court record and the evidence shown (after the identity check)",
    openapi_extra=problems(404, *SIGNED_IN),
)
def record_get(request: HttpRequest, hearing_id: PathId) -> RoomRecordOut:
    return _live_record_out(_inside_or_404(request, hearing_id))


@router.put(
    "/hearings/{hearing_id}/record",
    response=RoomRecordOut,
    summary="Save the live record (the hearing's clerk, or its judge)",
    description="`base_version` is the version the text was edited from; another save in "
    "between: 409 `version_conflict`. A closed record: 400 `record_closed`. Before the "
    "hearing begins there is no record: 404.",
    openapi_extra=ON_RECORD,
)
def record_put(request: HttpRequest, hearing_id: PathId, payload: RoomRecordIn) -> RoomRecordOut:
    hearing = _inside_or_404(request, hearing_id)
    record = CourtRecord.objects.filter(hearing=hearing).first()
    if record is None:
        raise Http404
    with missing_is_404():
        record_services.record_save(
            actor=actor(request),
            record_id=record.pk,
            text=payload.text,
            base_version=payload.base_version,
        )
    return _live_record_out(hearing)


@router.post(
    "/hearings/{hearing_id}/start",
    response=RoomHearingOut,
    summary="Begin the hearing (its judge; from 30 minutes before the start)",
    openapi_extra=ON_HEARING,
)
def start(request: HttpRequest, hearing_id: PathId) -> RoomHearingOut:
    hearing, _participant = _hearing_or_404(request, hearing_id)
    with missing_is_404():
        hearing = room_services.hearing_start(actor=actor(request), hearing_id=hearing.pk)
    return _hearing_out(hearing)


@router.post(
    "/hearings/{hearing_id}/end",
    response=RoomHearingOut,
    summary="End the hearing (its judge); the case is heard when no other hearing is to come",
    openapi_extra=ON_HEARING,
)
def end(request: HttpRequest, hearing_id: PathId) -> RoomHearingOut:
    hearing, _participant = _hearing_or_404(request, hearing_id)
    with missing_is_404():
        hearing = room_services.hearing_end(actor=actor(request), hearing_id=hearing.pk)
    return _hearing_out(hearing)


@router.post(
    "/hearings/{hearing_id}/evidence-shown",
    response={201: RoomEvidenceShownOut},
    summary="Show an evidence item of the case in the hearing (its judge)",
    description="An item not submitted in this case: 400 `evidence_invalid`.",
    openapi_extra=ON_HEARING,
)
def evidence_shown(request: HttpRequest, hearing_id: PathId, payload: RoomEvidenceIn) -> Status:
    hearing, _participant = _hearing_or_404(request, hearing_id)
    with missing_is_404():
        shown = room_services.evidence_show(
            actor=actor(request), hearing_id=hearing.pk, item_id=payload.item_id
        )
    return Status(
        201,
        RoomEvidenceShownOut(
            item_id=shown.item_id,
            label=shown.label,
            shown_at=shown.shown_at,
            url=reverse("evidence:item_detail", args=[shown.item_id]),
        ),
    )


# --- Records ----------------------------------------------------------------------------------


@router.get(
    "/records/{record_id}",
    response=RoomCourtRecordOut,
    summary="A court record with its hash and signatures",
    openapi_extra=problems(404, *SIGNED_IN),
)
def record_detail(request: HttpRequest, record_id: PathId) -> RoomCourtRecordOut:
    return _record_out(_record_or_404(request, record_id).pk)


@router.post(
    "/records/{record_id}/close",
    response=RoomCourtRecordOut,
    summary="Close the record for signature: frozen, hashed, deposited (the clerk or judge)",
    description="Before the hearing has ended: 400 `hearing_not_ended`; already closed: 400 "
    "`record_closed`.",
    openapi_extra=ON_HEARING,
)
def record_close(request: HttpRequest, record_id: PathId) -> RoomCourtRecordOut:
    record = _record_or_404(request, record_id)
    with missing_is_404():
        record_services.record_close(actor=actor(request), record_id=record.pk)
    return _record_out(record.pk)


@router.post(
    "/records/{record_id}/signature-code",
    response={204: None},
    summary="Text me a fresh code to sign the closed record (participants)",
    openapi_extra=ON_CODE,
)
def record_signature_code(request: HttpRequest, record_id: PathId) -> Status:
    record = _record_or_404(request, record_id)
    user = actor(request)
    with missing_is_404():
        record_services.record_sign_send(actor=user, record_id=record.pk, language=_language(user))
    return Status(204, None)


@router.post(
    "/records/{record_id}/signatures",
    response={201: RoomCourtRecordOut},
    summary="Sign the closed record as read, with the texted code (participants)",
    description="`sha256` is the record's hash as the signer read it; a different one: 400 "
    "`record_changed`. A wrong, expired or used code: 400 `otp_wrong`, `otp_expired`, "
    "`otp_missing`. Signed already: 400 `already_signed`.",
    openapi_extra=ON_CODE,
)
def record_signatures(request: HttpRequest, record_id: PathId, payload: RoomSignatureIn) -> Status:
    record = _record_or_404(request, record_id)
    with missing_is_404():
        record_services.record_sign(
            actor=actor(request), record_id=record.pk, code=payload.code, sha256=payload.sha256
        )
    return Status(201, _record_out(record.pk))
