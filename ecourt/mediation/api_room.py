"""The mediation room's JSON API: the parties' and the mediator's side of a pre-filing
mediation — the record and its timeline, messages (joint and caucus), online sessions,
proposals, the settlement agreement and its signing, and the steps that end or extend it.

Who sees what:

- Every route with a mediation, session, proposal or agreement id answers 404 to anyone who
  may not see the mediation (``selectors.mediation_for_user``): outsiders, and mediators it
  is not assigned to.
- Filing clerks see every mediation's record (``GET /mediations/{id}``), never its room:
  messages, sessions, proposals and the agreement answer 404 to anyone who is neither a party
  (or acts for one) nor the mediator. What of the room a person reads comes from the
  selectors, which keep each caucus between the mediator and that party.
- Someone who sees the mediation but may not take a step gets 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import Model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import AfterValidator, Field

from ecourt.cases.api_common import (
    NO_CONTROL,
    NO_CONTROL_MULTILINE,
    SIGNED_IN,
    BodyId,
    NotFoundProblem,
    PathId,
    actor,
    missing_is_404,
    problems,
)
from ecourt.core import context
from ecourt.core.errors import PermissionDenied
from ecourt.mediation import selectors, services
from ecourt.mediation.api_schemas import (
    AgreementOut,
    MediationOut,
    MediationPageOut,
    MediationRefOut,
    MessageOut,
    ProposalOut,
    SessionOut,
    agreement_out,
    mediation_out,
    mediation_summary_out,
    message_out,
    proposal_out,
    session_out,
)
from ecourt.mediation.models import (
    OPEN_MEDIATION_STATUSES,
    Mediation,
    MediationSession,
    Proposal,
    SettlementAgreement,
)

router = Router(tags=["mediation"], auth=django_auth)

ON_MEDIATION = problems(400, 404, *SIGNED_IN)
#: Signing and sending codes may also be rate limited.
ON_SIGNING = problems(400, 404, 429, *SIGNED_IN)

# --- Access -----------------------------------------------------------------------------------


def mediation_or_404(request: HttpRequest, mediation_id: int) -> Mediation:
    """The mediation, if the caller may see its record; otherwise 404, whether it exists or
    not."""
    mediation = selectors.mediation_for_user(actor(request), mediation_id)
    if mediation is None:
        raise Http404
    return mediation


def room_or_404(request: HttpRequest, mediation_id: int) -> Mediation:
    """The mediation, if the caller may enter its room (a party or the mediator); 404 for
    everyone else, clerks included: the room is confidential."""
    mediation = mediation_or_404(request, mediation_id)
    if not selectors.threads_for(actor(request), mediation):
        raise Http404
    return mediation


def _room_of(request: HttpRequest, model: type[Model], pk: int) -> Mediation:
    """The room a session, proposal or agreement belongs to, on the same terms."""
    mediation_id = model._default_manager.filter(pk=pk).values_list("mediation_id", flat=True)
    found = mediation_id.first()
    if found is None:
        raise Http404
    return room_or_404(request, found)


def _as_party(request: HttpRequest, mediation: Mediation) -> None:
    """Steps only a party (or whoever acts for one) may take: 403 for the mediator and clerks,
    who see the mediation but speak for no party."""
    if not selectors.parties_of(actor(request), mediation):
        raise PermissionDenied(_("You are not a party to this mediation."), code="not_party")


def _detail(request: HttpRequest, mediation_id: int) -> MediationOut:
    return mediation_out(mediation_or_404(request, mediation_id), actor(request))


# --- Lists, joining, the record ---------------------------------------------------------------


StatusFilter = Literal[
    "open", "awaiting_mediator", "assigned", "in_progress", "settled", "failed", "withdrawn"
]


@router.get(
    "/mediations",
    response=MediationPageOut,
    summary="Mediations I may see, newest first",
    description="Parties and their agents see theirs, a mediator the matters assigned to them "
    "now, filing clerks every mediation's record.",
    openapi_extra=problems(*SIGNED_IN),
)
def mediations(
    request: HttpRequest,
    status: Annotated[
        StatusFilter | None, Query(None, description="A status, or open for any not ended.")
    ] = None,
    limit: Annotated[int, Query(50, ge=1, le=200)] = 50,
    offset: Annotated[int, Query(0, ge=0, le=1_000_000)] = 0,
) -> MediationPageOut:
    found = selectors.mediations_visible_to(actor(request)).select_related(
        "application", "application__case_type", "mediator__user", "mediator__organisation"
    )
    if status == "open":
        found = found.filter(status__in=OPEN_MEDIATION_STATUSES)
    elif status:
        found = found.filter(status=status)
    return MediationPageOut(
        count=found.count(),
        items=[mediation_summary_out(m) for m in found[offset : offset + limit]],
    )


class LinkIn(Schema):
    number: str = Field(max_length=40, pattern=NO_CONTROL, examples=["(2026)京0491民诉前调1号"])
    code: str = Field(max_length=20, pattern=NO_CONTROL, description="From the court's text.")


class LinkOut(Schema):
    mediation: MediationRefOut
    party_id: int
    party_name: str


# Declared before /mediations/{mediation_id}, which "link" must not be taken for.
@router.post(
    "/mediations/link",
    response=LinkOut,
    summary="Join a mediation as its defendant, with the number and the association code",
    description="A wrong number, a wrong code and an expired code all answer 400 "
    "`link_invalid`; five failures an hour answer 429 `rate_limited`.",
    openapi_extra=problems(400, 429, *SIGNED_IN),
)
def mediation_link(request: HttpRequest, payload: LinkIn) -> LinkOut:
    party = services.mediation_link(actor=actor(request), number=payload.number, code=payload.code)
    mediation = Mediation.objects.get(application_id=party.application_id)
    return LinkOut(
        mediation=MediationRefOut(id=mediation.pk, number=mediation.number),
        party_id=party.pk,
        party_name=party.name,
    )


@router.get(
    "/mediations/{mediation_id}",
    response=MediationOut,
    summary="A mediation: status, period, parties, mediator and its timeline in both languages",
    openapi_extra=ON_MEDIATION,
)
def mediation_detail(request: HttpRequest, mediation_id: PathId) -> MediationOut:
    return _detail(request, mediation_id)


# --- Messages ---------------------------------------------------------------------------------


@router.get(
    "/mediations/{mediation_id}/messages",
    response=list[MessageOut],
    summary="The messages I may read, oldest first: the joint thread and my own caucus",
    description="The mediator reads every thread; a party the joint thread and the private "
    "thread between the mediator and itself, never another party's.",
    openapi_extra=ON_MEDIATION,
)
def messages(request: HttpRequest, mediation_id: PathId) -> list[MessageOut]:
    mediation = room_or_404(request, mediation_id)
    return [message_out(m) for m in selectors.messages_for(actor(request), mediation)]


class MessageIn(Schema):
    body: str = Field(max_length=20_000, pattern=NO_CONTROL_MULTILINE, description="Required.")
    thread_party_id: BodyId | None = Field(
        None, description="Left out: the joint thread; a party: its private thread."
    )
    as_party_id: BodyId | None = Field(
        None, description="For someone acting for several parties: which one writes."
    )
    corrects_id: BodyId | None = Field(
        None, description="An earlier message of mine this one corrects (same thread)."
    )


@router.post(
    "/mediations/{mediation_id}/messages",
    response={201: MessageOut},
    summary="Write in the joint thread or a private thread (no attachments through the API)",
    description="The mediator may write in any thread, and so opens a caucus; a party writes "
    "in its own caucus only once the mediator has (400 `caucus_closed`).",
    openapi_extra=ON_MEDIATION,
)
def message_create(request: HttpRequest, mediation_id: PathId, payload: MessageIn) -> Status:
    mediation = room_or_404(request, mediation_id)
    message = services.message_post(
        actor=actor(request),
        mediation_id=mediation.pk,
        body=payload.body,
        thread_party_id=payload.thread_party_id,
        as_party_id=payload.as_party_id,
        corrects_id=payload.corrects_id,
    )
    return Status(201, message_out(message))


# --- Sessions ---------------------------------------------------------------------------------


@router.get(
    "/mediations/{mediation_id}/sessions",
    response=list[SessionOut],
    summary="Online sessions I may join: joint ones and my private ones",
    openapi_extra=ON_MEDIATION,
)
def sessions(request: HttpRequest, mediation_id: PathId) -> list[SessionOut]:
    mediation = room_or_404(request, mediation_id)
    return [session_out(s) for s in selectors.sessions_for(actor(request), mediation)]


def _plausible_time(value: datetime) -> datetime:
    # Far years overflow when converted between time zones; no session is held in them.
    if not 2000 <= value.year <= 2999:
        raise ValueError("a session is held between the years 2000 and 2999")
    return value


class SessionIn(Schema):
    starts_at: Annotated[datetime, AfterValidator(_plausible_time)] = Field(
        description="With its UTC offset, e.g. 2026-05-01T10:00:00+08:00; at least five "
        "minutes ahead and within the mediation period."
    )
    duration_minutes: int = Field(ge=0, le=10_000, description="15 to 480.")
    thread_party_id: BodyId | None = Field(
        None, description="Left out: a joint session; a party: a private one with it."
    )


@router.post(
    "/mediations/{mediation_id}/sessions",
    response={201: SessionOut},
    summary="Schedule an online session (the mediator)",
    description="A time without its offset: 400 `naive_time`; in the past: 400 `start_past`.",
    openapi_extra=ON_MEDIATION,
)
def session_create(request: HttpRequest, mediation_id: PathId, payload: SessionIn) -> Status:
    mediation = room_or_404(request, mediation_id)
    session = services.session_schedule(
        actor=actor(request),
        mediation_id=mediation.pk,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        thread_party_id=payload.thread_party_id,
    )
    return Status(201, session_out(session))


@router.post(
    "/mediation-sessions/{session_id}/cancel",
    response=SessionOut,
    summary="Cancel an online session (the mediator; cancelling twice changes nothing)",
    openapi_extra=ON_MEDIATION,
)
def session_cancel(request: HttpRequest, session_id: PathId) -> SessionOut:
    mediation = _room_of(request, MediationSession, session_id)
    # A private session of another party is not there for this caller.
    if session_id not in {s.pk for s in selectors.sessions_for(actor(request), mediation)}:
        raise Http404
    with missing_is_404():
        session = services.session_cancel(actor=actor(request), session_id=session_id)
    return session_out(session)


# --- Proposals --------------------------------------------------------------------------------


@router.get(
    "/mediations/{mediation_id}/proposals",
    response=list[ProposalOut],
    summary="The mediator's proposals and every party's answers",
    openapi_extra=ON_MEDIATION,
)
def proposals(request: HttpRequest, mediation_id: PathId) -> list[ProposalOut]:
    mediation = room_or_404(request, mediation_id)
    return [proposal_out(p) for p in selectors.proposals_with_answers(mediation)]


class TermsIn(Schema):
    terms: str = Field(max_length=40_000, pattern=NO_CONTROL_MULTILINE, description="10+ chars.")


def _proposal(mediation: Mediation, proposal_id: int) -> ProposalOut:
    found = next(p for p in selectors.proposals_with_answers(mediation) if p.pk == proposal_id)
    return proposal_out(found)


@router.post(
    "/mediations/{mediation_id}/proposals",
    response={201: ProposalOut},
    summary="Put settlement terms to the parties (the mediator)",
    openapi_extra=ON_MEDIATION,
)
def proposal_create(request: HttpRequest, mediation_id: PathId, payload: TermsIn) -> Status:
    mediation = room_or_404(request, mediation_id)
    proposal = services.proposal_make(
        actor=actor(request), mediation_id=mediation.pk, terms=payload.terms
    )
    return Status(201, _proposal(mediation, proposal.pk))


class ProposalAnswerIn(Schema):
    answer: Literal["accept", "reject", "counter"]
    counter_terms: str = Field(
        "", max_length=40_000, pattern=NO_CONTROL_MULTILINE, description="With counter."
    )
    party_id: BodyId | None = Field(
        None, description="Left out: for every party I act for that has not answered."
    )


@router.post(
    "/proposals/{proposal_id}/responses",
    response={201: ProposalOut},
    summary="Accept, reject or counter a proposal, once (parties)",
    openapi_extra=ON_MEDIATION,
)
def proposal_answer(request: HttpRequest, proposal_id: PathId, payload: ProposalAnswerIn) -> Status:
    mediation = _room_of(request, Proposal, proposal_id)
    _as_party(request, mediation)
    with missing_is_404():
        services.proposal_respond(
            actor=actor(request),
            proposal_id=proposal_id,
            answer=payload.answer,
            counter_terms=payload.counter_terms,
            party_id=payload.party_id,
        )
    return Status(201, _proposal(mediation, proposal_id))


# --- The settlement agreement -----------------------------------------------------------------


def _current_agreement(mediation: Mediation) -> AgreementOut:
    agreement = selectors.current_agreement(mediation)
    if agreement is None:
        raise NotFoundProblem(_("No settlement agreement has been drafted."), code="no_agreement")
    return agreement_out(agreement)


@router.get(
    "/mediations/{mediation_id}/agreement",
    response=AgreementOut,
    summary="The current version of the settlement agreement and its signatures",
    description="None drafted yet: 404 `no_agreement`.",
    openapi_extra=ON_MEDIATION,
)
def agreement(request: HttpRequest, mediation_id: PathId) -> AgreementOut:
    return _current_agreement(room_or_404(request, mediation_id))


@router.post(
    "/mediations/{mediation_id}/agreement",
    response={201: AgreementOut},
    summary="Draft (or redraft) the agreement from the court's template (the mediator)",
    description="A redraft supersedes the version before; signatures on it do not carry over.",
    openapi_extra=ON_MEDIATION,
)
def agreement_create(request: HttpRequest, mediation_id: PathId, payload: TermsIn) -> Status:
    mediation = room_or_404(request, mediation_id)
    services.agreement_draft(actor=actor(request), mediation_id=mediation.pk, terms=payload.terms)
    return Status(201, _current_agreement(mediation))


@router.post(
    "/agreements/{agreement_id}/code",
    response={204: None},
    summary="Text me a one-time code to sign this agreement (parties)",
    openapi_extra=ON_SIGNING,
)
def agreement_code(request: HttpRequest, agreement_id: PathId) -> Status:
    mediation = _room_of(request, SettlementAgreement, agreement_id)
    _as_party(request, mediation)
    user = actor(request)
    with missing_is_404():
        services.agreement_code_send(
            actor=user,
            agreement_id=agreement_id,
            ip_hash=context.current().ip_hash,
            language=user.preferred_language,
        )
    return Status(204, None)


class SignatureIn(Schema):
    text_sha256: str = Field(
        max_length=100, pattern=NO_CONTROL, description="The text_sha256 of the version read."
    )
    code: str = Field(max_length=20, pattern=NO_CONTROL, description="The texted code.")
    party_id: BodyId | None = Field(
        None, description="Left out: for every party I act for that has not signed."
    )


@router.post(
    "/agreements/{agreement_id}/signatures",
    response={201: AgreementOut},
    summary="Sign the agreement as read, with the texted code (parties)",
    description="A text that changed since it was read: 400 `agreement_changed`; a wrong, "
    "expired or used code: 400 `otp_wrong`, `otp_expired`, `otp_missing`. When the last "
    "party signs, the dispute is settled.",
    openapi_extra=ON_SIGNING,
)
def agreement_sign(request: HttpRequest, agreement_id: PathId, payload: SignatureIn) -> Status:
    mediation = _room_of(request, SettlementAgreement, agreement_id)
    _as_party(request, mediation)
    with missing_is_404():
        services.agreement_sign(
            actor=actor(request),
            agreement_id=agreement_id,
            text_sha256=payload.text_sha256,
            code=payload.code,
            party_id=payload.party_id,
        )
    signed = SettlementAgreement.objects.get(pk=agreement_id)
    return Status(201, agreement_out(signed))


# --- Steps of the mediator --------------------------------------------------------------------


@router.post(
    "/mediations/{mediation_id}/accept",
    response=MediationOut,
    summary="Take the matter on: the room opens (the assigned mediator)",
    openapi_extra=ON_MEDIATION,
)
def mediation_accept(request: HttpRequest, mediation_id: PathId) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    services.mediation_accept(actor=actor(request), mediation_id=mediation.pk)
    return _detail(request, mediation_id)


class ReasonIn(Schema):
    reason: str = Field(max_length=5000, pattern=NO_CONTROL_MULTILINE)


@router.post(
    "/mediations/{mediation_id}/decline",
    response={204: None},
    summary="Decline the matter with a reason (the assigned mediator)",
    description="It goes to the next mediator in line and is no longer visible to the caller.",
    openapi_extra=ON_MEDIATION,
)
def mediation_decline(request: HttpRequest, mediation_id: PathId, payload: ReasonIn) -> Status:
    mediation = mediation_or_404(request, mediation_id)
    services.mediation_decline(
        actor=actor(request), mediation_id=mediation.pk, reason=payload.reason
    )
    return Status(204, None)


@router.post(
    "/mediations/{mediation_id}/end",
    response=MediationOut,
    summary="End without agreement, with the reason (the mediator)",
    description="The application returns to filing review.",
    openapi_extra=ON_MEDIATION,
)
def mediation_end(request: HttpRequest, mediation_id: PathId, payload: ReasonIn) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    services.mediation_end_without_agreement(
        actor=actor(request), mediation_id=mediation.pk, reason=payload.reason
    )
    return _detail(request, mediation_id)


class FactsIn(Schema):
    text: str = Field(max_length=40_000, pattern=NO_CONTROL_MULTILINE, description="10+ chars.")


@router.post(
    "/mediations/{mediation_id}/facts",
    response=MediationOut,
    summary="Record the facts the parties do not dispute (the mediator)",
    openapi_extra=ON_MEDIATION,
)
def facts_record(request: HttpRequest, mediation_id: PathId, payload: FactsIn) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    services.facts_record(actor=actor(request), mediation_id=mediation.pk, text=payload.text)
    return _detail(request, mediation_id)


# --- Steps of the parties ---------------------------------------------------------------------


class RefuseIn(Schema):
    reason: str = Field("", max_length=5000, pattern=NO_CONTROL_MULTILINE)


@router.post(
    "/mediations/{mediation_id}/refuse",
    response=MediationOut,
    summary="Refuse to continue: mediation is voluntary, so it fails at once (parties)",
    openapi_extra=ON_MEDIATION,
)
def mediation_refuse(request: HttpRequest, mediation_id: PathId, payload: RefuseIn) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    _as_party(request, mediation)
    services.mediation_refuse(
        actor=actor(request), mediation_id=mediation.pk, reason=payload.reason
    )
    return _detail(request, mediation_id)


@router.post(
    "/mediations/{mediation_id}/withdraw",
    response=MediationOut,
    summary="Withdraw the application; mediation ends with it (the plaintiff)",
    openapi_extra=ON_MEDIATION,
)
def mediation_withdraw(request: HttpRequest, mediation_id: PathId) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    _as_party(request, mediation)
    services.mediation_withdraw(actor=actor(request), mediation_id=mediation.pk)
    return _detail(request, mediation_id)


@router.post(
    "/mediations/{mediation_id}/extension-consent",
    response=MediationOut,
    summary="Consent to extending the period once; it is extended when every party has",
    openapi_extra=ON_MEDIATION,
)
def extension_consent(request: HttpRequest, mediation_id: PathId) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    _as_party(request, mediation)
    services.extension_consent(actor=actor(request), mediation_id=mediation.pk)
    return _detail(request, mediation_id)


class FactsAgreementIn(Schema):
    text_sha256: str = Field(
        max_length=100, pattern=NO_CONTROL, description="undisputed_facts.text_sha256 as read."
    )


@router.post(
    "/mediations/{mediation_id}/facts-agreement",
    response=MediationOut,
    summary="Agree that the recorded facts, as read, go to the case if mediation fails",
    description="Facts that changed since they were read: 400 `facts_changed`.",
    openapi_extra=ON_MEDIATION,
)
def facts_agree(
    request: HttpRequest, mediation_id: PathId, payload: FactsAgreementIn
) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    _as_party(request, mediation)
    services.facts_agree(
        actor=actor(request), mediation_id=mediation.pk, text_sha256=payload.text_sha256
    )
    return _detail(request, mediation_id)


@router.post(
    "/mediations/{mediation_id}/confirmation",
    response=MediationOut,
    summary="Join the application for judicial confirmation of the settlement (parties)",
    description="When the last party joins, a 民特 case is docketed for a judge, free of charge.",
    openapi_extra=ON_MEDIATION,
)
def confirmation_apply(request: HttpRequest, mediation_id: PathId) -> MediationOut:
    mediation = mediation_or_404(request, mediation_id)
    _as_party(request, mediation)
    services.confirmation_apply(actor=actor(request), mediation_id=mediation.pk)
    return _detail(request, mediation_id)
