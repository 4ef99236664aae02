"""Judgments, rulings and appeals over the API.

- The case's judge: ``POST /cases/{id}/drafts``, ``GET``/``PUT /drafts/{id}``,
  ``GET /drafts/{id}/preview``, ``POST /drafts/{id}/issue``.
- Parties: ``GET /cases/{id}/appeal-windows``, ``POST /cases/{id}/appeals``.
- Anyone who sees the case: ``GET /documents/{id}/pdf`` (the signed PDF as issued).

Whoever may not see the case (and, for drafts, anyone but its judge) gets a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
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
    missing_is_404,
    problems,
)
from ecourt.cases.models import Appeal, Case
from ecourt.documents import decisions
from ecourt.documents.appeals import appeal_file, appeal_windows
from ecourt.documents.models import CourtDocument, DecisionDraft
from ecourt.documents.services import document_pdf_bytes
from ecourt.hearings.services.common import is_case_judge

router = Router(auth=django_auth)

ON_RECORD = problems(400, 404, 409, *SIGNED_IN)
READ = problems(404, *SIGNED_IN)


class DecisionDraftIn(Schema):
    kind: Literal["judgment", "ruling"]
    language: Literal["zh-hans", "en"] = "zh-hans"
    corrects_id: BodyId | None = Field(
        None, description="The issued judgment or ruling a correcting ruling corrects."
    )


class DecisionDraftUpdateIn(Schema):
    reasoning: str = Field("", max_length=100_000, pattern=NO_CONTROL_MULTILINE)
    decision: str = Field("", max_length=50_000, pattern=NO_CONTROL_MULTILINE)
    fee_defendants: str | None = Field(
        None,
        pattern=r"^\d+(\.\d{1,2})?$",
        description="Yuan the defendants bear; the plaintiffs bear the rest. Null: not decided.",
    )
    version: int = Field(ge=1, description="The version the judge loaded.")


class DecisionIssueIn(Schema):
    version: int = Field(ge=1)


class DecisionDraftOut(Schema):
    id: int
    case_id: int
    kind: str
    language: str
    status: str
    reasoning: str
    decision: str
    fee_defendants: str | None
    corrects_id: int | None
    version: int
    document_id: int | None
    updated_at: datetime


class DecisionSlotProblemOut(Schema):
    slot: str
    code: str
    message: str


class DecisionPreviewOut(Schema):
    ready: bool = Field(description="Whether every slot filled (the draft can be issued).")
    title: str
    text: str | None
    problems: list[DecisionSlotProblemOut]


class DecisionDocumentOut(Schema):
    id: int
    case_id: int
    kind: str
    title: str
    sha256: str = Field(description="SHA-256 of the signed PDF as issued.")
    deposit_no: str | None
    issued_at: datetime


class AppealWindowOut(Schema):
    party_id: int
    party: str
    served_on: date | None = Field(description="Null: not served yet (appealing is allowed).")
    due_date: date | None
    open: bool
    appeal_id: int | None


class AppealIn(Schema):
    party_id: BodyId
    requests: str = Field(max_length=10_000, pattern=NO_CONTROL_MULTILINE)
    reasons: str = Field(max_length=50_000, pattern=NO_CONTROL_MULTILINE)


class AppealOut(Schema):
    id: int
    case_id: int
    party_id: int
    filed_at: datetime
    case_status: str


def _draft_out(draft: DecisionDraft) -> DecisionDraftOut:
    return DecisionDraftOut(
        id=draft.pk,
        case_id=draft.case_id,
        kind=draft.kind,
        language=draft.language,
        status=draft.status,
        reasoning=draft.reasoning,
        decision=draft.decision,
        fee_defendants=None if draft.fee_defendants is None else f"{draft.fee_defendants:.2f}",
        corrects_id=draft.corrects_id,
        version=draft.version,
        document_id=draft.document_id,
        updated_at=draft.updated_at,
    )


def _visible_case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = case_selectors.case_for_user(actor(request), case_id)
    if case is None:
        raise Http404
    return case


def _judge_case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = _visible_case_or_404(request, case_id)
    if not is_case_judge(actor(request), case):
        raise Http404
    return case


def _judge_draft_or_404(request: HttpRequest, draft_id: int) -> DecisionDraft:
    draft = DecisionDraft.objects.filter(pk=draft_id).first()
    if draft is None:
        raise Http404
    _judge_case_or_404(request, draft.case_id)
    return draft


@router.post(
    "/cases/{case_id}/drafts",
    response={201: DecisionDraftOut},
    summary="Start a judgment or ruling (the case's judge)",
    openapi_extra=ON_RECORD,
)
def draft_create(
    request: HttpRequest, case_id: PathId, payload: DecisionDraftIn
) -> Status[DecisionDraftOut]:
    _judge_case_or_404(request, case_id)
    draft = decisions.decision_draft_create(
        actor=actor(request),
        case_id=case_id,
        kind=payload.kind,
        language=payload.language,
        corrects_id=payload.corrects_id,
    )
    return Status(201, _draft_out(draft))


@router.get(
    "/drafts/{draft_id}",
    response=DecisionDraftOut,
    summary="A draft (the case's judge)",
    openapi_extra=READ,
)
def draft_get(request: HttpRequest, draft_id: PathId) -> DecisionDraftOut:
    return _draft_out(_judge_draft_or_404(request, draft_id))


@router.put(
    "/drafts/{draft_id}",
    response=DecisionDraftOut,
    summary="Save the reasoning, decision and fee allocation (with the version loaded)",
    openapi_extra=ON_RECORD,
)
def draft_update(
    request: HttpRequest, draft_id: PathId, payload: DecisionDraftUpdateIn
) -> DecisionDraftOut:
    _judge_draft_or_404(request, draft_id)
    draft = decisions.decision_draft_update(
        actor=actor(request),
        draft_id=draft_id,
        reasoning=payload.reasoning,
        decision=payload.decision,
        fee_defendants=payload.fee_defendants,
        version=payload.version,
    )
    return _draft_out(draft)


@router.get(
    "/drafts/{draft_id}/preview",
    response=DecisionPreviewOut,
    summary="The filled text, or what is missing by slot",
    openapi_extra=READ,
)
def draft_preview(request: HttpRequest, draft_id: PathId) -> DecisionPreviewOut:
    _judge_draft_or_404(request, draft_id)
    filled = decisions.decision_preview_check(actor=actor(request), draft_id=draft_id)
    return DecisionPreviewOut(
        ready=not filled.problems,
        title=filled.title,
        text=filled.text,
        problems=[
            DecisionSlotProblemOut(slot=p.slot, code=p.code, message=p.message)
            for p in filled.problems
        ],
    )


@router.post(
    "/drafts/{draft_id}/issue",
    response={201: DecisionDocumentOut},
    summary="Issue the draft: render, seal, decide the case, serve every party",
    openapi_extra=ON_RECORD,
)
def draft_issue(
    request: HttpRequest, draft_id: PathId, payload: DecisionIssueIn
) -> Status[DecisionDocumentOut]:
    _judge_draft_or_404(request, draft_id)
    document = decisions.decision_issue(
        actor=actor(request), draft_id=draft_id, version=payload.version
    )
    return Status(
        201,
        DecisionDocumentOut(
            id=document.pk,
            case_id=document.case_id,
            kind=document.kind,
            title=document.title,
            sha256=document.sha256,
            deposit_no=document.deposit.deposit_no if document.deposit else None,
            issued_at=document.issued_at,
        ),
    )


@router.get(
    "/cases/{case_id}/appeal-windows",
    response=list[AppealWindowOut],
    summary="The appeal period of each party you act for",
    openapi_extra=READ,
)
def appeal_windows_get(request: HttpRequest, case_id: PathId) -> list[AppealWindowOut]:
    case = _visible_case_or_404(request, case_id)
    parties = sorted(
        case_selectors.parties_acting_for(actor(request), case=case),
        key=lambda p: (p.side, p.position, p.pk),
    )
    if not parties:
        raise Http404
    if not case.decision_kind:
        return []
    return [
        AppealWindowOut(
            party_id=w.party.pk,
            party=w.party.name,
            served_on=w.served_on,
            due_date=w.due_date,
            open=w.is_open,
            appeal_id=w.appeal.pk if w.appeal else None,
        )
        for w in appeal_windows(case, parties)
    ]


@router.post(
    "/cases/{case_id}/appeals",
    response={201: AppealOut},
    summary="Appeal for a party you act for (as the party or with special authority)",
    openapi_extra=ON_RECORD,
)
def appeal_create(request: HttpRequest, case_id: PathId, payload: AppealIn) -> Status[AppealOut]:
    _visible_case_or_404(request, case_id)
    with missing_is_404():
        appeal: Appeal = appeal_file(
            actor=actor(request),
            case_id=case_id,
            party_id=payload.party_id,
            reasons=payload.reasons,
            requests=payload.requests,
        )
    return Status(
        201,
        AppealOut(
            id=appeal.pk,
            case_id=appeal.case_id,
            party_id=appeal.party_id,
            filed_at=appeal.filed_at,
            case_status=appeal.case.status,
        ),
    )


@router.get(
    "/documents/{document_id}/pdf",
    url_name="document_pdf",
    summary="The signed PDF of a court document, as issued (its SHA-256 is the document's)",
    response={200: None},
    openapi_extra=READ,
)
def document_pdf(request: HttpRequest, document_id: PathId) -> HttpResponse:
    document = CourtDocument.objects.select_related("pdf").filter(pk=document_id).first()
    if (
        document is None
        or not case_selectors.cases_visible_to(actor(request)).filter(pk=document.case_id).exists()
    ):
        raise Http404
    data = document_pdf_bytes(document)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
