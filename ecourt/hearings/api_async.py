"""Asynchronous trial over the API (SPC Online Litigation Rules 2021, Art. 20).

- ``GET``/``POST /cases/{case_id}/async-consents``: each party's answer; a party (or its
  agent) records its own.
- ``POST /cases/{case_id}/async-trials``: the case's judge opens a trial with round 1.
- ``GET /async-trials/{trial_id}``: the rounds with the answers the caller may read (a
  party sees the other parties' answers of a round once its window has ended; court staff see
  all), and the record once the trial is closed.
- ``POST /async-trials/{trial_id}/rounds``, ``POST /async-rounds/{round_id}/close``,
  ``POST /async-trials/{trial_id}/close``: the judge.
- ``POST /async-rounds/{round_id}/answers``: a party (or its agent), once per round.

Session auth with the CSRF header on writes. Everyone who may not see the case gets 404; those
who see it but may not act get 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from ecourt.cases import selectors as case_selectors
from ecourt.cases.api_common import (
    NO_CONTROL_MULTILINE,
    SIGNED_IN,
    BodyId,
    PathId,
    actor,
    case_or_404,
    missing_is_404,
    problems,
)
from ecourt.cases.models import Case
from ecourt.hearings.models import AsyncAnswer, AsyncRound, AsyncTrial, CourtRecord
from ecourt.hearings.services import async_trial as service

router = Router(auth=django_auth)

ON_RECORD = problems(400, 404, *SIGNED_IN)
READ = problems(404, *SIGNED_IN)

WindowHours = Annotated[
    int,
    Field(
        ge=service.MIN_WINDOW_HOURS,
        le=service.MAX_WINDOW_HOURS,
        description="Answer window in hours: 24 hours to 14 days.",
        examples=[72],
    ),
]
Questions = Annotated[
    str, Field(min_length=1, max_length=service.MAX_QUESTIONS_LENGTH, pattern=NO_CONTROL_MULTILINE)
]

# --- Schemas ------------------------------------------------------------------------------------


class AsyncConsentOut(Schema):
    party_id: int
    party_name: str
    side: str
    consent: bool | None = Field(description="None: not answered yet.")
    online_litigation: bool | None = Field(
        description="The party's consent to online litigation; false blocks asynchronous trial."
    )
    recorded_at: datetime | None


class AsyncConsentIn(Schema):
    party_id: BodyId
    consent: bool


class AsyncTrialOpenIn(Schema):
    questions: Questions
    window_hours: WindowHours


class AsyncRoundIn(Schema):
    questions: Questions
    window_hours: WindowHours


class AsyncAnswerIn(Schema):
    party_id: BodyId
    text: Annotated[
        str,
        Field(min_length=1, max_length=service.MAX_ANSWER_LENGTH, pattern=NO_CONTROL_MULTILINE),
    ]


class AsyncAnswerOut(Schema):
    id: int
    round_id: int
    party_id: int
    party_name: str
    text: str
    answered_at: datetime
    late: bool = Field(description="Given after the round's due time.")


class AsyncRoundOut(Schema):
    id: int
    number: int
    questions: str
    opened_at: datetime
    due_at: datetime
    closed_at: datetime | None
    window_over: bool = Field(description="Due time passed or round closed.")
    answers: list[AsyncAnswerOut] = Field(description="The answers the caller may read.")
    hidden_answers: int = Field(
        description="Other parties' answers not shown to the caller until the window ends."
    )


class AsyncRecordOut(Schema):
    id: int
    text: str
    closed_at: datetime | None
    sha256: str = Field(description="SHA-256 of the text in UTF-8.")
    deposit_no: str | None


class AsyncTrialOut(Schema):
    id: int
    case_id: int
    status: str
    opened_at: datetime
    closed_at: datetime | None
    rounds: list[AsyncRoundOut]
    record: AsyncRecordOut | None


# --- Builders -----------------------------------------------------------------------------------


def _answer_out(answer: AsyncAnswer) -> AsyncAnswerOut:
    return AsyncAnswerOut(
        id=answer.pk,
        round_id=answer.round_id,
        party_id=answer.party_id,
        party_name=answer.party.name,
        text=answer.text,
        answered_at=answer.answered_at,
        late=answer.late,
    )


def _record_out(record: CourtRecord | None) -> AsyncRecordOut | None:
    if record is None:
        return None
    return AsyncRecordOut(
        id=record.pk,
        text=record.text,
        closed_at=record.closed_at,
        sha256=record.sha256,
        deposit_no=record.deposit.deposit_no if record.deposit is not None else None,
    )


def _trial_out(request: HttpRequest, trial_id: int) -> AsyncTrialOut:
    trial = _trial_or_404(request, trial_id)
    rounds = [
        AsyncRoundOut(
            id=view.round.pk,
            number=view.round.number,
            questions=view.round.questions,
            opened_at=view.round.opened_at,
            due_at=view.round.due_at,
            closed_at=view.round.closed_at,
            window_over=view.window_over,
            answers=[_answer_out(a) for a in view.answers],
            hidden_answers=view.hidden,
        )
        for view in service.rounds_for_viewer(actor(request), trial)
    ]
    record = CourtRecord.objects.select_related("deposit").filter(async_trial=trial).first()
    return AsyncTrialOut(
        id=trial.pk,
        case_id=trial.case_id,
        status=trial.status,
        opened_at=trial.opened_at,
        closed_at=trial.closed_at,
        rounds=rounds,
        record=_record_out(record),
    )


def _round_out(request: HttpRequest, round_id: int) -> AsyncRoundOut:
    round_ = AsyncRound.objects.get(pk=round_id)
    trial = _trial_out(request, round_.trial_id)
    return next(r for r in trial.rounds if r.id == round_id)


# --- Access -------------------------------------------------------------------------------------


def _trial_or_404(request: HttpRequest, trial_id: int) -> AsyncTrial:
    case_id = AsyncTrial.objects.filter(pk=trial_id).values_list("case_id", flat=True).first()
    if case_id is None or case_selectors.case_for_user(actor(request), case_id) is None:
        raise Http404
    return AsyncTrial.objects.select_related("case").get(pk=trial_id)


def _round_or_404(request: HttpRequest, round_id: int) -> AsyncRound:
    round_ = AsyncRound.objects.filter(pk=round_id).first()
    if round_ is None:
        raise Http404
    _trial_or_404(request, round_.trial_id)
    return round_


def _consents_out(case: Case) -> list[AsyncConsentOut]:
    return [
        AsyncConsentOut(
            party_id=party.pk,
            party_name=party.name,
            side=party.side,
            consent=None if row is None else row.consent,
            online_litigation=party.online_litigation,
            recorded_at=None if row is None else row.recorded_at,
        )
        for party, row in service.consents_of(case)
    ]


# --- Routes -------------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/async-consents",
    response=list[AsyncConsentOut],
    summary="Each party's answer on asynchronous trial in a case",
    openapi_extra=READ,
)
def async_consents_list(request: HttpRequest, case_id: PathId) -> list[AsyncConsentOut]:
    return _consents_out(case_or_404(request, case_id))


@router.post(
    "/cases/{case_id}/async-consents",
    response=list[AsyncConsentOut],
    summary="Consent to asynchronous trial, or refuse it, for a party you act for",
    description="Changeable until a trial opens (then 400 `async_trial_open`). A party you do "
    "not act for: 403 `not_your_party`. Answers with every party's answer.",
    openapi_extra=ON_RECORD,
)
def async_consents_record(
    request: HttpRequest, case_id: PathId, payload: AsyncConsentIn
) -> list[AsyncConsentOut]:
    case = case_or_404(request, case_id)
    service.async_consent_record(
        actor=actor(request), case_id=case.pk, party_id=payload.party_id, consent=payload.consent
    )
    return _consents_out(case)


@router.post(
    "/cases/{case_id}/async-trials",
    response={201: AsyncTrialOut},
    summary="Open an asynchronous trial with its first round of questions (the case's judge)",
    description="Every party must have consented: 400 `async_consent_missing`, "
    "`async_consent_refused` or `online_litigation_refused`, naming the parties. A trial "
    "already open: 400 `async_trial_open`. Not the judge: 403 `not_judge`.",
    openapi_extra=ON_RECORD,
)
def async_trials_open(request: HttpRequest, case_id: PathId, payload: AsyncTrialOpenIn) -> Status:
    case = case_or_404(request, case_id)
    trial = service.async_trial_open(
        actor=actor(request),
        case_id=case.pk,
        questions=payload.questions,
        window_hours=payload.window_hours,
    )
    return Status(201, _trial_out(request, trial.pk))


@router.get(
    "/async-trials/{trial_id}",
    response=AsyncTrialOut,
    summary="An asynchronous trial: rounds, the answers you may read, and its record",
    openapi_extra=READ,
)
def async_trial_detail(request: HttpRequest, trial_id: PathId) -> AsyncTrialOut:
    return _trial_out(request, trial_id)


@router.post(
    "/async-trials/{trial_id}/rounds",
    response={201: AsyncRoundOut},
    summary="Post the next round of questions (the judge); the current round closes",
    openapi_extra=ON_RECORD,
)
def async_rounds_add(request: HttpRequest, trial_id: PathId, payload: AsyncRoundIn) -> Status:
    trial = _trial_or_404(request, trial_id)
    with missing_is_404():
        round_ = service.async_round_add(
            actor=actor(request),
            trial_id=trial.pk,
            questions=payload.questions,
            window_hours=payload.window_hours,
        )
    return Status(201, _round_out(request, round_.pk))


@router.post(
    "/async-rounds/{round_id}/answers",
    response={201: AsyncAnswerOut},
    summary="Answer a round for a party you act for, once",
    description="After the due time the answer is accepted and marked `late`. Twice for the "
    "same party: 400 `already_answered`; a closed round or trial: 400 `round_closed` / "
    "`async_trial_closed`; a party you do not act for: 403 `not_your_party`.",
    openapi_extra=ON_RECORD,
)
def async_answers_submit(request: HttpRequest, round_id: PathId, payload: AsyncAnswerIn) -> Status:
    round_ = _round_or_404(request, round_id)
    with missing_is_404():
        answer = service.async_answer_submit(
            actor=actor(request), round_id=round_.pk, party_id=payload.party_id, text=payload.text
        )
    return Status(201, _answer_out(answer))


@router.post(
    "/async-rounds/{round_id}/close",
    response=AsyncRoundOut,
    summary="Close a round (the judge)",
    openapi_extra=ON_RECORD,
)
def async_rounds_close(request: HttpRequest, round_id: PathId) -> AsyncRoundOut:
    round_ = _round_or_404(request, round_id)
    with missing_is_404():
        service.async_round_close(actor=actor(request), round_id=round_.pk)
    return _round_out(request, round_.pk)


@router.post(
    "/async-trials/{trial_id}/close",
    response=AsyncTrialOut,
    summary="Close the trial (the judge): the exchange becomes the frozen court record",
    openapi_extra=ON_RECORD,
)
def async_trials_close(request: HttpRequest, trial_id: PathId) -> AsyncTrialOut:
    trial = _trial_or_404(request, trial_id)
    with missing_is_404():
        service.async_trial_close(actor=actor(request), trial_id=trial.pk)
    return _trial_out(request, trial.pk)
