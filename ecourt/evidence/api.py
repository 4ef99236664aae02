"""The evidence log over the API.

- ``POST /evidence/deposits`` (an institution's bearer token): 1 to 10,000 hash records;
  idempotent by the ``Idempotency-Key`` header and by (depositor, SHA-256).
- ``GET /evidence/deposits/{deposit_no}/receipt`` (public): the receipt, or 202 while the
  deposit waits for the sequencer or for the witnesses.
- ``GET /evidence/deposits?sha256=…`` (public): the deposits of a hash, for the verification
  page; entries carry no personal data.
- ``GET /evidence/log/inclusion`` and ``/evidence/log/consistency`` (public): RFC 9162 proofs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import Field

from ecourt.cases.api_common import InvalidInput, NotFoundProblem, problems
from ecourt.core.errors import DomainError
from ecourt.evidence import selectors
from ecourt.evidence.models import Deposit, IdempotencyRecord, Institution
from ecourt.evidence.services.log import MAX_BATCH_RECORDS, HashRecord, deposits_create
from ecourt.evidence.services.registry import institution_for_token

router = Router(tags=["evidence log"])

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="64 lowercase hex digits.")]
MediaType = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$",
        examples=["image/png"],
    ),
]


class InstitutionToken(HttpBearer):
    """``Authorization: Bearer ect_…``, a token from a court administrator."""

    def authenticate(self, request: HttpRequest, token: str) -> Institution | None:
        return institution_for_token(token)


class HashRecordIn(Schema):
    sha256: Sha256
    size: int = Field(ge=0, le=10**18)
    media_type: MediaType
    external_ref: str = Field("", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class DepositsIn(Schema):
    records: list[HashRecordIn] = Field(min_length=1, max_length=MAX_BATCH_RECORDS)


class DepositOut(Schema):
    deposit_no: str
    sha256: str
    size: int
    media_type: str
    external_ref: str
    accepted_at: str
    status: str = Field(description="accepted (waiting for the sequencer) or integrated")
    leaf_index: int | None
    created: bool = Field(description="False when this depositor had deposited the hash before.")


class DepositsOut(Schema):
    deposits: list[DepositOut]


def deposit_out(deposit: Deposit, created: bool = False) -> DepositOut:
    return DepositOut(
        deposit_no=deposit.deposit_no,
        sha256=deposit.sha256,
        size=deposit.size,
        media_type=deposit.media_type,
        external_ref=deposit.external_ref,
        accepted_at=deposit.accepted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        status="integrated" if deposit.leaf_index is not None else "accepted",
        leaf_index=deposit.leaf_index,
        created=created,
    )


class Conflict(DomainError):
    status_code = 409


@router.post(
    "/evidence/deposits",
    response={201: DepositsOut, 200: DepositsOut},
    auth=InstitutionToken(),
    summary="Deposit hash records (institutions)",
    openapi_extra=problems(400, 401, 422),
)
def deposits_post(request: HttpRequest, payload: DepositsIn) -> Any:
    institution = getattr(request, "auth", None)
    assert isinstance(institution, Institution)
    key = request.headers.get("Idempotency-Key", "")
    if len(key) > 200 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        raise InvalidInput(
            _("The Idempotency-Key header is at most 200 printable characters."),
            code="bad_idempotency_key",
        )
    body_hash = hashlib.sha256(
        json.dumps(payload.model_dump(), sort_keys=True).encode()
    ).hexdigest()
    if key:
        earlier = IdempotencyRecord.objects.filter(institution=institution, key=key).first()
        if earlier is not None:
            return _replay(earlier, body_hash)
    records = [HashRecord(r.sha256, r.size, r.media_type, r.external_ref) for r in payload.records]
    try:
        with transaction.atomic():
            results = deposits_create(actor=None, institution=institution, records=records)
            out = DepositsOut(deposits=[deposit_out(d, created) for d, created in results])
            status = 201 if any(created for _d, created in results) else 200
            if key:
                IdempotencyRecord.objects.create(
                    institution=institution,
                    key=key,
                    request_sha256=body_hash,
                    response={"status": status, "body": out.model_dump()},
                )
    except IntegrityError:
        # The same key (or the same hash) from a concurrent request: answer as it was answered.
        earlier = IdempotencyRecord.objects.filter(institution=institution, key=key).first()
        if key and earlier is not None:
            return _replay(earlier, body_hash)
        raise Conflict(
            _("A concurrent request deposited the same records; send it again."),
            code="concurrent_deposit",
        ) from None
    return Status(status, out)


def _replay(earlier: IdempotencyRecord, body_hash: str) -> HttpResponse:
    if earlier.request_sha256 != body_hash:
        raise Conflict(
            _("This Idempotency-Key was used with a different request."),
            code="idempotency_key_reused",
        )
    response = JsonResponse(earlier.response["body"], status=earlier.response["status"])
    response["Idempotent-Replayed"] = "true"
    return response


class PendingOut(Schema):
    deposit_no: str
    status: str = Field(description="pending")
    reason: str = Field(description="sequencing or awaiting_witnesses")
    retry_after_seconds: int


class ReceiptOut(Schema):
    deposit_no: str
    entry: str
    leaf_index: int
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str
    log_key: str


@router.get(
    "/evidence/deposits/{deposit_no}/receipt",
    response={200: ReceiptOut, 202: PendingOut},
    summary="A deposit's receipt (verify it offline with ecourt-verify)",
    openapi_extra=problems(404),
)
def receipt_get(request: HttpRequest, deposit_no: str) -> Any:
    deposit = selectors.deposit_by_number(deposit_no[:40])
    if deposit is None:
        raise NotFoundProblem(_("No deposit has this number."), code="no_deposit")
    receipt = selectors.receipt_for(deposit)
    if isinstance(receipt, selectors.ReceiptPending):
        response = JsonResponse(
            {
                "deposit_no": deposit.deposit_no,
                "status": "pending",
                "reason": receipt.reason,
                "retry_after_seconds": receipt.retry_after_seconds,
            },
            status=202,
        )
        response["Retry-After"] = str(receipt.retry_after_seconds)
        return response
    return receipt


class DepositPublicOut(Schema):
    deposit_no: str
    sha256: str
    size: int
    media_type: str
    accepted_at: str
    status: str
    leaf_index: int | None


class LookupOut(Schema):
    sha256: str
    log_size: int
    deposits: list[DepositPublicOut]


@router.get(
    "/evidence/deposits",
    response=LookupOut,
    summary="Deposits of a SHA-256 (public: entries hold no personal data)",
    openapi_extra=problems(422),
)
def deposits_lookup(
    request: HttpRequest, sha256: Annotated[str, Query(pattern=r"^[0-9a-fA-F]{64}$")]
) -> Any:
    found = selectors.deposits_by_hash(sha256, limit=100)
    return LookupOut(
        sha256=sha256.lower(),
        log_size=selectors.log_size(),
        deposits=[
            DepositPublicOut(
                deposit_no=d.deposit_no,
                sha256=d.sha256,
                size=d.size,
                media_type=d.media_type,
                accepted_at=d.accepted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                status="integrated" if d.leaf_index is not None else "accepted",
                leaf_index=d.leaf_index,
            )
            for d in found
        ],
    )


class ProofOut(Schema):
    tree_size: int
    proof: list[str] = Field(description="Base64 SHA-256 hashes, RFC 9162 order.")


class ConsistencyOut(ProofOut):
    first: int
    second: int


class InclusionOut(ProofOut):
    leaf_index: int


Size = Annotated[int, Query(ge=0, le=2**62)]


@router.get(
    "/evidence/log/consistency",
    response=ConsistencyOut,
    summary="RFC 9162 consistency proof between two tree sizes",
    openapi_extra=problems(422),
)
def consistency_get(
    request: HttpRequest,
    first: Annotated[int, Query(alias="from", ge=0, le=2**62)],
    second: Annotated[int, Query(alias="to", ge=0, le=2**62)],
) -> Any:
    try:
        proof = selectors.consistency_proof(first, second)
    except selectors.ProofRequestError as exc:
        raise InvalidInput(str(exc), code="bad_proof_request") from None
    return ConsistencyOut(
        tree_size=second, first=first, second=second, proof=selectors.proofs_b64(proof)
    )


@router.get(
    "/evidence/log/inclusion",
    response=InclusionOut,
    summary="RFC 9162 inclusion proof of a leaf in a tree size",
    openapi_extra=problems(422),
)
def inclusion_get(request: HttpRequest, index: Size, size: Size) -> Any:
    try:
        proof = selectors.inclusion_proof(index, size)
    except selectors.ProofRequestError as exc:
        raise InvalidInput(str(exc), code="bad_proof_request") from None
    return InclusionOut(tree_size=size, leaf_index=index, proof=selectors.proofs_b64(proof))
