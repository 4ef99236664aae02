"""Wire shapes of evidence files and items, and of the court administrator's registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from ecourt.cases.api_common import NO_CONTROL, NO_CONTROL_MULTILINE, BodyId
from ecourt.cases.api_schemas import PersonRefOut
from ecourt.cases.models import Party
from ecourt.evidence.models import (
    EvidenceDetermination,
    EvidenceItem,
    EvidenceOpinion,
    Institution,
    InstitutionToken,
    Upload,
    Witness,
)

#: An upload's token, as ``POST /evidence/uploads`` gave it.
UploadToken = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$", examples=["hT3…"])]
FormChoice = Literal[
    "document", "picture", "audio", "video", "electronic_data", "web_page", "other"
]
StanceChoice = Literal["admit", "dispute"]
FindingChoice = Literal["established", "not_established"]

# --- Uploads -----------------------------------------------------------------------------------


class UploadStartIn(Schema):
    filename: str = Field(
        max_length=1000, pattern=NO_CONTROL, description="For display; sanitised by the court."
    )
    size: int = Field(ge=0, le=2**62, description="The whole file's size in bytes.")


class UploadOut(Schema):
    token: str
    filename: str
    size: int
    received: int = Field(description="Bytes received so far: the next chunk starts here.")
    status: str = Field(description="open, complete, used (by an item) or failed")
    error: str = Field(description="Why the upload failed, when it did.")
    sha256: str | None = Field(description="The whole file's SHA-256, once complete.")
    media_type: str | None = Field(description="From the content, once complete.")
    expires_at: datetime


class UploadStartOut(UploadOut):
    chunk_size: int = Field(description="The chunk size clients should use (8 MiB).")
    max_chunk: int = Field(description="The largest chunk the court takes.")


def upload_out(upload: Upload) -> UploadOut:
    blob = upload.blob
    return UploadOut(
        token=upload.token,
        filename=upload.filename,
        size=upload.size,
        received=upload.received,
        status=upload.status,
        error=upload.error,
        sha256=blob.sha256 if blob else None,
        media_type=blob.media_type if blob else None,
        expires_at=upload.expires_at,
    )


# --- Items -------------------------------------------------------------------------------------


class PartyRefOut(Schema):
    id: int
    name: str
    side: str = Field(description="plaintiff, defendant or third_party")


class OpinionOut(Schema):
    id: int
    party: PartyRefOut
    authenticity: str = Field(description="admit or dispute")
    legality: str
    relevance: str
    reasons: str
    recorded_at: datetime


class DeterminationOut(Schema):
    authenticity: str = Field(description="established or not_established")
    legality: str
    relevance: str
    admitted: bool
    reasons: str
    judge: PersonRefOut
    recorded_at: datetime


class ItemOut(Schema):
    id: int
    party: PartyRefOut
    number: int = Field(description="Position on the party's list, from 1.")
    title: str
    description: str
    purpose: str
    form: str
    kind: str = Field(description="original or copy")
    source: str
    filename: str
    sha256: str
    size: int
    media_type: str
    deposit_no: str = Field(description="The file's deposit in the court's evidence log.")
    deposit_status: str = Field(description="accepted, or integrated once in a checkpoint")
    receipt_url: str
    claimed_deposit_no: str = Field(description="An institution's deposit number, if given.")
    deposit_check: str = Field(
        description="The claimed deposit against the file: '' (none given), match, "
        "hash_mismatch, size_mismatch or not_found"
    )
    submitted_at: datetime | None = Field(description="Null while a draft.")
    opinions: list[OpinionOut]
    determination: DeterminationOut | None
    file_url: str


def party_ref(party: Party) -> PartyRefOut:
    return PartyRefOut(id=party.pk, name=party.name, side=party.side)


def opinion_out(opinion: EvidenceOpinion) -> OpinionOut:
    return OpinionOut(
        id=opinion.pk,
        party=party_ref(opinion.party),
        authenticity=opinion.authenticity,
        legality=opinion.legality,
        relevance=opinion.relevance,
        reasons=opinion.reasons,
        recorded_at=opinion.recorded_at,
    )


def determination_out(item: EvidenceItem) -> DeterminationOut | None:
    try:
        found: EvidenceDetermination = item.determination
    except EvidenceDetermination.DoesNotExist:
        return None
    return DeterminationOut(
        authenticity=found.authenticity,
        legality=found.legality,
        relevance=found.relevance,
        admitted=found.admitted,
        reasons=found.reasons,
        judge=PersonRefOut(id=found.judge_id, name=found.judge.display_name),
        recorded_at=found.recorded_at,
    )


def item_out(item: EvidenceItem) -> ItemOut:
    """``item`` with its party, blob, deposit and determination selected and its opinions
    prefetched (``selectors.items_for`` and ``item_for_user`` do)."""
    blob, deposit = item.blob, item.deposit
    return ItemOut(
        id=item.pk,
        party=party_ref(item.party),
        number=item.number,
        title=item.title,
        description=item.description,
        purpose=item.purpose,
        form=item.form,
        kind=item.kind,
        source=item.source,
        filename=item.filename,
        sha256=blob.sha256,
        size=blob.size,
        media_type=blob.media_type,
        deposit_no=deposit.deposit_no,
        deposit_status="integrated" if deposit.leaf_index is not None else "accepted",
        receipt_url=reverse("api:receipt_get", kwargs={"deposit_no": deposit.deposit_no}),
        claimed_deposit_no=item.claimed_deposit_no,
        deposit_check=item.deposit_check,
        submitted_at=item.submitted_at,
        opinions=[opinion_out(o) for o in item.opinions.all()],
        determination=determination_out(item),
        file_url=reverse("api:evidence_item_file", kwargs={"item_id": item.pk}),
    )


class ItemIn(Schema):
    party_id: BodyId = Field(description="The party whose list the item goes on.")
    upload: UploadToken = Field(description="A complete upload's token.")
    title: str = Field(max_length=200, pattern=NO_CONTROL)
    description: str = Field("", max_length=5000, pattern=NO_CONTROL_MULTILINE)
    purpose: str = Field(
        max_length=2000, pattern=NO_CONTROL_MULTILINE, description="What it is meant to prove."
    )
    form: FormChoice
    kind: Literal["original", "copy"]
    source: str = Field("", max_length=300, pattern=NO_CONTROL)
    deposit_no: str = Field(
        "",
        max_length=32,
        pattern=r"^[A-Za-z0-9 -]*$",
        description="An institution's deposit number for this file (checked against it).",
    )


class PartyIn(Schema):
    party_id: BodyId


class OpinionIn(Schema):
    party_id: BodyId = Field(description="The opposing party giving the opinion.")
    authenticity: StanceChoice
    legality: StanceChoice
    relevance: StanceChoice
    reasons: str = Field(
        "", max_length=20_000, pattern=NO_CONTROL_MULTILINE, description="Needed to dispute."
    )


class DeterminationIn(Schema):
    authenticity: FindingChoice
    legality: FindingChoice
    relevance: FindingChoice
    admitted: bool
    reasons: str = Field(max_length=20_000, pattern=NO_CONTROL_MULTILINE)


# --- The registry ------------------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    institution_id: int
    prefix: str = Field(description="The token's first characters, to tell it apart.")
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The bearer token itself. Shown this once; keep it secret.")


class InstitutionOut(Schema):
    id: int
    name: str
    depositor_id: str = Field(description="The opaque id written into its log entries.")
    is_active: bool
    created_at: datetime
    tokens: list[TokenOut]


class InstitutionIn(Schema):
    name: str = Field(max_length=200, pattern=NO_CONTROL)


class WitnessOut(Schema):
    id: int
    name: str
    verifier_key: str
    description: str
    is_active: bool
    created_at: datetime


class WitnessIn(Schema):
    verifier_key: str = Field(
        max_length=300, pattern=NO_CONTROL, description="<name>+<key ID>+<key>, type 0x04."
    )
    description: str = Field("", max_length=300, pattern=NO_CONTROL)


class ActiveIn(Schema):
    active: bool


def token_out(token: InstitutionToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        institution_id=token.institution_id,
        prefix=token.prefix,
        created_at=token.created_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


def institution_out(institution: Institution) -> InstitutionOut:
    return InstitutionOut(
        id=institution.pk,
        name=institution.name,
        depositor_id=institution.depositor_id,
        is_active=institution.is_active,
        created_at=institution.created_at,
        tokens=[token_out(t) for t in institution.tokens.all()],
    )


def witness_out(witness: Witness) -> WitnessOut:
    return WitnessOut(
        id=witness.pk,
        name=witness.name,
        verifier_key=witness.verifier_key,
        description=witness.description,
        is_active=witness.is_active,
        created_at=witness.created_at,
    )
