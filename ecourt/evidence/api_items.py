"""Evidence files and items over the API, and the court administrator's registry of
depositing institutions and witnesses.

- ``POST /evidence/uploads`` opens a resumable upload; ``PUT /evidence/uploads/{token}`` sends
  one chunk as the raw body, with ``Content-Range`` and ``X-Chunk-SHA256``; a chunk at the
  wrong offset answers 409 with ``received``, where the client resumes (``GET`` says the same).
- Items: a party's list on an application (and its case), submitted to the other side and the
  court, the other side's opinions and the judge's determination.

Every route on an application, case, item or upload answers 404 to whoever may not see it
(``selectors.application_visible``, ``item_for_user``, ``upload_for_user``), then 403 to those
who see it but may not act. Writes need the session cookie and the CSRF header.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Status
from ninja.security import django_auth

from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import Role
from ecourt.cases import selectors as case_selectors
from ecourt.cases.api_common import (
    SIGNED_IN,
    NotFoundProblem,
    PathId,
    actor,
    case_or_404,
    problems,
)
from ecourt.cases.models import Application, Party
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.problem import problem_response
from ecourt.evidence import selectors
from ecourt.evidence.api_items_schemas import (
    ActiveIn,
    DeterminationIn,
    DeterminationOut,
    InstitutionIn,
    InstitutionOut,
    ItemIn,
    ItemOut,
    NewTokenOut,
    OpinionIn,
    OpinionOut,
    PartyIn,
    TokenOut,
    UploadOut,
    UploadStartIn,
    UploadStartOut,
    WitnessIn,
    WitnessOut,
    determination_out,
    institution_out,
    item_out,
    opinion_out,
    token_out,
    upload_out,
    witness_out,
)
from ecourt.evidence.files import item_file_response
from ecourt.evidence.models import EvidenceItem, Institution, InstitutionToken, Upload, Witness
from ecourt.evidence.services import items as item_services
from ecourt.evidence.services import registry
from ecourt.evidence.services.uploads import (
    MAX_CHUNK_BYTES,
    TooLarge,
    UploadConflict,
    upload_chunk,
    upload_start,
)

router = Router(tags=["evidence"], auth=django_auth)

#: What clients should send at a time: small enough to resend on a phone, large enough to be
#: few requests.
CHUNK_SIZE = 8 * 1024 * 1024

ON_RECORD = problems(400, 404, *SIGNED_IN)
TokenPath = Annotated[str, Path(description="The upload's token.", max_length=200)]

# --- Uploads -----------------------------------------------------------------------------------


def _upload_or_404(request: HttpRequest, token: str) -> Upload:
    upload = selectors.upload_for_user(actor(request), token)
    if upload is None:
        raise NotFoundProblem(_("No such upload."), code="not_found")
    return upload


@router.post(
    "/evidence/uploads",
    response={201: UploadStartOut},
    summary="Start a resumable upload of an evidence file",
    description="Over the court's size limit: 413 `file_too_large`; empty: 400 `empty_file`. "
    "Then send the file in chunks with PUT, in order.",
    openapi_extra=problems(400, 413, *SIGNED_IN),
)
def upload_create(request: HttpRequest, payload: UploadStartIn) -> Status:
    upload = upload_start(actor=actor(request), filename=payload.filename, size=payload.size)
    return Status(
        201,
        UploadStartOut(
            **upload_out(upload).model_dump(), chunk_size=CHUNK_SIZE, max_chunk=MAX_CHUNK_BYTES
        ),
    )


# ASCII digits only: int() would also take "²" or "０".
_CONTENT_RANGE = re.compile(r"bytes ([0-9]{1,19})-([0-9]{1,19})/([0-9]{1,19})")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")

_CHUNK_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": "Content-Range",
            "in": "header",
            "required": True,
            "description": "Where the chunk goes: `bytes <first>-<last>/<file size>`, "
            "inclusive; <first> is the upload's `received`.",
            "schema": {"type": "string", "pattern": r"^bytes [0-9]{1,19}-[0-9]{1,19}/[0-9]{1,19}$"},
        },
        {
            "name": "X-Chunk-SHA256",
            "in": "header",
            "required": True,
            "description": "The chunk's SHA-256, 64 hex digits.",
            "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
        },
    ],
    "requestBody": {
        "required": True,
        "description": f"The chunk's bytes: 1 to {MAX_CHUNK_BYTES} of them, as many as "
        "Content-Range says and Content-Length declares.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
}


def _chunk_problem(message: str, code: str, field: str) -> DomainError:
    return DomainError(message, code=code, field=field)


@router.put(
    "/evidence/uploads/{token}",
    response=UploadOut,
    summary="Send the next chunk of an upload (the raw body)",
    description="A chunk at another offset than `received`: 409 `wrong_offset`, with "
    "`received` in the problem: resume there. The bytes do not match X-Chunk-SHA256: 400 "
    "`chunk_hash_mismatch`; the body ended early: 400 `chunk_incomplete` (send it again). "
    "Headers: 400 `bad_content_range`, `range_size_mismatch`, `past_end`, `length_mismatch`, "
    "`bad_chunk_hash`; over the chunk limit: 413 `chunk_too_large`. The last chunk completes "
    "the upload: its type is checked by content (400 `type_not_allowed`) and it is scanned "
    "(400 `infected`, `scanner_unavailable`).",
    openapi_extra={**problems(400, 404, 409, 413, *SIGNED_IN), **_CHUNK_DOC},
)
def upload_put(request: HttpRequest, token: TokenPath) -> Any:
    upload = _upload_or_404(request, token)
    # Refused before a byte is read: the body is streamed into the partial file, never held.
    declared = str(request.META.get("CONTENT_LENGTH") or "")
    if not re.fullmatch(r"[0-9]{1,19}", declared):
        raise _chunk_problem(
            _("Send Content-Length with the chunk."), "length_mismatch", "Content-Length"
        )
    body_length = int(declared)
    if body_length > MAX_CHUNK_BYTES:
        raise TooLarge(
            _("A chunk is at most %(n)s MiB.") % {"n": MAX_CHUNK_BYTES // 1024**2},
            code="chunk_too_large",
            field="Content-Length",
        )
    found = _CONTENT_RANGE.fullmatch(request.headers.get("Content-Range", ""))
    first, last, total = (int(found[1]), int(found[2]), int(found[3])) if found else (0, -1, -1)
    if found is None or last < first:
        raise _chunk_problem(
            _("Send Content-Range: bytes <first>-<last>/<file size>, for example bytes 0-99/1000."),
            "bad_content_range",
            "Content-Range",
        )
    if total != upload.size:
        raise _chunk_problem(
            _("Content-Range gives the file size as %(given)s; the upload is %(size)s bytes.")
            % {"given": total, "size": upload.size},
            "range_size_mismatch",
            "Content-Range",
        )
    if last >= total:
        raise _chunk_problem(
            _("The chunk goes past the declared size of the file."), "past_end", "Content-Range"
        )
    length = last - first + 1
    if length > MAX_CHUNK_BYTES:
        raise TooLarge(
            _("A chunk is at most %(n)s MiB.") % {"n": MAX_CHUNK_BYTES // 1024**2},
            code="chunk_too_large",
            field="Content-Range",
        )
    if body_length != length:
        raise _chunk_problem(
            _("Content-Length (%(body)s) differs from the length in Content-Range (%(range)s).")
            % {"body": body_length, "range": length},
            "length_mismatch",
            "Content-Length",
        )
    sha256 = request.headers.get("X-Chunk-SHA256", "")
    if not _SHA256.fullmatch(sha256):
        raise _chunk_problem(
            _("Send the chunk's SHA-256 in X-Chunk-SHA256, as 64 hex digits."),
            "bad_chunk_hash",
            "X-Chunk-SHA256",
        )
    try:
        upload = upload_chunk(
            actor=actor(request),
            upload=upload,
            offset=first,
            length=length,
            sha256=sha256.lower(),
            stream=request,
        )
    except UploadConflict as exc:
        return problem_response(
            status=409, code=exc.code, detail=str(exc.message), received=exc.received
        )
    return upload_out(upload)


@router.get(
    "/evidence/uploads/{token}",
    response=UploadOut,
    summary="An upload's state: where to resume, or what it became",
    openapi_extra=problems(404, *SIGNED_IN),
)
def upload_get(request: HttpRequest, token: TokenPath) -> UploadOut:
    return upload_out(_upload_or_404(request, token))


# --- Items -------------------------------------------------------------------------------------


def _application_or_404(request: HttpRequest, application_id: int) -> Application:
    application = selectors.application_visible(actor(request), application_id)
    if application is None:
        raise Http404
    return application


def _item_or_404(request: HttpRequest, item_id: int) -> EvidenceItem:
    item = selectors.item_for_user(actor(request), item_id)
    if item is None:
        raise Http404
    return item


def _party_of(application: Application, party_id: int) -> Party:
    """A party of ``application`` named in a body; any other id is a party the caller does not
    act for (the service checks the ones that exist)."""
    for party in case_selectors.application_parties(application):
        if party.pk == party_id:
            return party
    raise PermissionDenied(_("You do not act for this party."), code="not_your_party")


def _items_out(request: HttpRequest, application: Application) -> list[ItemOut]:
    return [item_out(item) for item in selectors.items_for(actor(request), application)]


@router.get(
    "/applications/{application_id}/evidence",
    response=list[ItemOut],
    summary="The evidence on an application: your side's drafts, everyone's submitted items",
    openapi_extra=problems(404, *SIGNED_IN),
)
def application_evidence(request: HttpRequest, application_id: PathId) -> list[ItemOut]:
    return _items_out(request, _application_or_404(request, application_id))


@router.get(
    "/cases/{case_id}/evidence",
    response=list[ItemOut],
    summary="The evidence in a case: your side's drafts, everyone's submitted items",
    openapi_extra=problems(404, *SIGNED_IN),
)
def case_evidence(request: HttpRequest, case_id: PathId) -> list[ItemOut]:
    case = case_or_404(request, case_id)
    return _items_out(request, _application_or_404(request, case.application_id))


@router.post(
    "/applications/{application_id}/evidence",
    response={201: ItemOut},
    summary="Put an uploaded file on a party's evidence list (a draft until submitted)",
    description="The file's hash is deposited in the evidence log. A `deposit_no` from an "
    "institution is checked against the file (`deposit_check`). Not a party you act for: "
    "403 `not_your_party`; the upload is not yours or not complete: 400 `no_upload`, "
    "`upload_incomplete`; filing closed: 400 `evidence_closed`.",
    openapi_extra=ON_RECORD,
)
def item_create(request: HttpRequest, application_id: PathId, payload: ItemIn) -> Status:
    application = _application_or_404(request, application_id)
    party = _party_of(application, payload.party_id)
    upload = selectors.upload_for_user(actor(request), payload.upload)
    if upload is None:
        raise DomainError(_("No such upload."), code="no_upload", field="upload")
    item = item_services.evidence_item_add(
        actor=actor(request),
        application=application,
        party=party,
        upload=upload,
        title=payload.title,
        purpose=payload.purpose,
        form=payload.form,
        kind=payload.kind,
        description=payload.description,
        source=payload.source,
        claimed_deposit_no=payload.deposit_no,
    )
    return Status(201, item_out(_item_or_404(request, item.pk)))


@router.post(
    "/applications/{application_id}/evidence/submit",
    response=list[ItemOut],
    summary="Submit a party's draft items to the other side and the court",
    description="No drafts: 400 `nothing_to_submit`. On a case, the docket records it.",
    openapi_extra=ON_RECORD,
)
def items_submit(request: HttpRequest, application_id: PathId, payload: PartyIn) -> list[ItemOut]:
    application = _application_or_404(request, application_id)
    party = _party_of(application, payload.party_id)
    submitted = item_services.evidence_list_submit(
        actor=actor(request), application=application, party=party
    )
    wanted = {item.pk for item in submitted}
    return [
        item_out(item)
        for item in selectors.items_for(actor(request), application)
        if item.pk in wanted
    ]


@router.get(
    "/evidence/items/{item_id}",
    response=ItemOut,
    summary="One evidence item, with the opinions on it and the court's determination",
    openapi_extra=problems(404, *SIGNED_IN),
)
def item_get(request: HttpRequest, item_id: PathId) -> ItemOut:
    return item_out(_item_or_404(request, item_id))


@router.delete(
    "/evidence/items/{item_id}",
    response={204: None},
    summary="Take a draft item off the list",
    description="A submitted item stays: 400 `already_submitted`.",
    openapi_extra=ON_RECORD,
)
def item_delete(request: HttpRequest, item_id: PathId) -> Status:
    item = _item_or_404(request, item_id)
    item_services.evidence_item_remove(actor=actor(request), item=item)
    return Status(204, None)


@router.get(
    "/evidence/items/{item_id}/file",
    summary="The item's file, as a download",
    url_name="evidence_item_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with its media type (found from its content) and "
                "a Digest header.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            **problems(404, *SIGNED_IN)["responses"],
        },
    },
)
def item_file(request: HttpRequest, item_id: PathId) -> FileResponse:
    return item_file_response(_item_or_404(request, item_id))


@router.post(
    "/evidence/items/{item_id}/opinions",
    response={201: OpinionOut},
    summary="An opposing party's opinion on a submitted item (once per party)",
    description="From the item's own side: 400 `own_side`; not submitted: 400 "
    "`not_submitted`; disputing without reasons: 400 `reasons_required`; given before: 400 "
    "`opinion_exists`.",
    openapi_extra=ON_RECORD,
)
def opinion_create(request: HttpRequest, item_id: PathId, payload: OpinionIn) -> Status:
    item = _item_or_404(request, item_id)
    party = _party_of(item.application, payload.party_id)
    opinion = item_services.evidence_opinion_record(
        actor=actor(request),
        item=item,
        party=party,
        authenticity=payload.authenticity,
        legality=payload.legality,
        relevance=payload.relevance,
        reasons=payload.reasons,
    )
    return Status(201, opinion_out(opinion))


@router.post(
    "/evidence/items/{item_id}/determination",
    response={201: DeterminationOut},
    summary="The judge's determination on a submitted item (once)",
    description="Not the case's judge: 403 `not_the_judge`; admitted without all three "
    "qualities established: 400 `admitted_inconsistent`; determined before: 400 "
    "`determination_exists`.",
    openapi_extra=ON_RECORD,
)
def determination_create(request: HttpRequest, item_id: PathId, payload: DeterminationIn) -> Status:
    item = _item_or_404(request, item_id)
    item_services.evidence_determination_record(
        actor=actor(request),
        item=item,
        authenticity=payload.authenticity,
        legality=payload.legality,
        relevance=payload.relevance,
        admitted=payload.admitted,
        reasons=payload.reasons,
    )
    found = determination_out(_item_or_404(request, item_id))
    assert found is not None
    return Status(201, found)


# --- Court administrators: institutions, tokens, witnesses ---------------------------------------


def _admin(request: HttpRequest) -> None:
    require_roles(request.user, Role.COURT_ADMIN)


@router.get(
    "/evidence/institutions",
    response=list[InstitutionOut],
    summary="Institutions that deposit over the API, with their tokens (court administrators)",
    openapi_extra=problems(*SIGNED_IN),
)
def institutions(request: HttpRequest) -> list[InstitutionOut]:
    _admin(request)
    found = Institution.objects.prefetch_related("tokens").order_by("name")
    return [institution_out(i) for i in found]


@router.post(
    "/evidence/institutions",
    response={201: InstitutionOut},
    summary="Register an institution (court administrators)",
    description="A name in use: 400 `institution_exists`.",
    openapi_extra=problems(400, *SIGNED_IN),
)
def institution_create(request: HttpRequest, payload: InstitutionIn) -> Status:
    _admin(request)
    institution = registry.institution_create(actor=actor(request), name=payload.name)
    return Status(201, institution_out(institution))


@router.post(
    "/evidence/institutions/{institution_id}/tokens",
    response={201: NewTokenOut},
    summary="A new API token for an institution, shown once (court administrators)",
    description="Send it as `Authorization: Bearer <token>` to POST /evidence/deposits.",
    openapi_extra=ON_RECORD,
)
def token_create(request: HttpRequest, institution_id: PathId) -> Status:
    _admin(request)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise Http404
    row, secret = registry.institution_token_create(actor=actor(request), institution=institution)
    return Status(201, NewTokenOut(**token_out(row).model_dump(), token=secret))


@router.post(
    "/evidence/tokens/{token_id}/revoke",
    response=TokenOut,
    summary="Revoke an institution's token (court administrators)",
    openapi_extra=problems(404, *SIGNED_IN),
)
def token_revoke(request: HttpRequest, token_id: PathId) -> TokenOut:
    _admin(request)
    token = InstitutionToken.objects.select_related("institution").filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token_out(registry.institution_token_revoke(actor=actor(request), token=token))


@router.get(
    "/evidence/witnesses",
    response=list[WitnessOut],
    summary="Witnesses whose cosignatures the court trusts (court administrators)",
    openapi_extra=problems(*SIGNED_IN),
)
def witnesses(request: HttpRequest) -> list[WitnessOut]:
    _admin(request)
    return [witness_out(w) for w in Witness.objects.order_by("name")]


@router.post(
    "/evidence/witnesses",
    response={201: WitnessOut},
    summary="Trust a witness by its verifier key (court administrators)",
    description="Not a cosignature/v1 verifier key: 400 `bad_witness_key`; a name in use: 400 "
    "`witness_exists`.",
    openapi_extra=problems(400, *SIGNED_IN),
)
def witness_create(request: HttpRequest, payload: WitnessIn) -> Status:
    _admin(request)
    witness = registry.witness_add(
        actor=actor(request), verifier_key=payload.verifier_key, description=payload.description
    )
    return Status(201, witness_out(witness))


@router.post(
    "/evidence/witnesses/{witness_id}/active",
    response=WitnessOut,
    summary="Trust a witness again, or stop trusting it (court administrators)",
    openapi_extra=problems(404, *SIGNED_IN),
)
def witness_active(request: HttpRequest, witness_id: PathId, payload: ActiveIn) -> WitnessOut:
    _admin(request)
    witness = Witness.objects.filter(pk=witness_id).first()
    if witness is None:
        raise Http404
    return witness_out(
        registry.witness_set_active(actor=actor(request), witness=witness, active=payload.active)
    )


__all__ = ["router"]
