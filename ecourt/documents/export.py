"""The electronic case file as one ZIP in an open format (``ecourt-case-file/v1``).

The ZIP holds ``index.json`` (the case, its parties with masked identity numbers, docket,
deadlines, deliveries with their proofs of service, evidence items, hearings, court records,
asynchronous trials, documents and appeals), the issued documents, the evidence files, the
closed records and proofs of service — each exactly the bytes whose SHA-256 was deposited in
the evidence log — the receipt of every deposit they refer to (checkable offline with
``ecourt-verify``), ``SHA256SUMS`` (for ``sha256sum -c``) and a README on the format
(``export_README.md``). ``index.json`` lists every other file with its SHA-256 and size.

Who may export (``export_copy_for``): the court's staff on the case (filing clerks, division
heads, the judge, the clerk of one of its hearings) get the court's copy; a party, or its
agent, gets the party's copy (阅卷): the same content, except that the proofs of service of
deliveries to *other* parties are listed by hash and deposit number without their text
(a proof carries the recipient's mobile number or email address), and another party's answer
in an asynchronous trial round is left out while the round's window is still open.
Deliberation material and drafts (``DecisionDraft``, unsubmitted evidence, an open record's
text) are in nobody's copy.

Identity numbers appear only masked in ``index.json`` (every string in it is scrubbed of the
parties' full numbers). Files whose bytes were hashed and deposited are copied as they are:
a document's or record's own text is not rewritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.rules import mask_identifier
from ecourt.cases.models import Case, Party
from ecourt.cases.selectors import parties_acting_for
from ecourt.core.audit import audit_record
from ecourt.core.court import get_court_profile
from ecourt.core.errors import PermissionDenied
from ecourt.delivery.models import Delivery, ProofOfService
from ecourt.documents.models import CourtDocument
from ecourt.documents.services import MEDIA_TYPE, PDF_MEDIA_TYPE
from ecourt.evidence import selectors as evidence_selectors
from ecourt.evidence.models import Blob, Deposit, EvidenceItem
from ecourt.hearings.models import AsyncConsent, AsyncRound, AsyncTrial, CourtRecord, Hearing
from ecourt.hearings.services.async_trial import is_window_over

FORMAT = "ecourt-case-file/v1"
CHUNK = 1 << 20
README = Path(__file__).with_name("export_README.md")
_SAFE_PATH = re.compile(r"[a-z]+/[A-Za-z0-9][A-Za-z0-9._-]{0,120}")

Copy = Literal["court", "party"]


# --- Who may export -----------------------------------------------------------------------------


def is_export_staff(user: User, case: Case) -> bool:
    """Court staff on the case: filing clerks, division heads, its judge, a hearing's clerk."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.FILING_CLERK, Role.DIVISION_HEAD) or case.judge_id == user.pk:
        return True
    return Hearing.objects.filter(case=case, clerk=user).exists()


def export_copy_for(user: User | None, case: Case) -> Copy | None:
    """Which copy ``user`` may export: ``"court"``, ``"party"`` or None (may not).
    No user (the management command, run by whoever runs the server) is the court."""
    if user is None:
        return "court"
    if is_export_staff(user, case):
        return "court"
    if user.is_authenticated and parties_acting_for(user, case=case):
        return "party"
    return None


def case_export_filename(case: Case) -> str:
    """An ASCII-safe file name from the case number: ``(2026)京0491民初123号`` gives
    ``case-2026-0491-123.zip`` (every run of other characters becomes one hyphen)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", case.number).strip("-")
    return f"case-{slug or case.pk}.zip"


# --- The log -------------------------------------------------------------------------------------


def _case_deposit_ids(case: Case) -> set[int]:
    ids: set[int] = set()
    ids.update(
        CourtDocument.objects.filter(case=case, deposit__isnull=False).values_list(
            "deposit_id", flat=True
        )
    )
    items = EvidenceItem.objects.filter(
        application_id=case.application_id, submitted_at__isnull=False
    )
    ids.update(items.values_list("deposit_id", flat=True))
    ids.update(
        items.filter(claimed_deposit__isnull=False).values_list("claimed_deposit_id", flat=True)
    )
    ids.update(
        CourtRecord.objects.filter(case=case, deposit__isnull=False).values_list(
            "deposit_id", flat=True
        )
    )
    ids.update(
        ProofOfService.objects.filter(
            delivery__document__case=case, deposit__isnull=False
        ).values_list("deposit_id", flat=True)
    )
    return {i for i in ids if i is not None}


def case_log_integrate(*, case: Case, max_batches: int | None = None) -> int:
    """Integrate pending deposits (each batch in its own transaction) until none of the
    case's is pending, or after ``max_batches``. Returns how many were integrated. Another
    sequencer racing, or no log key, leaves the rest pending: the export says so."""
    from ecourt.evidence.services.log import LogRaced, log_integrate

    ids = _case_deposit_ids(case)
    total, batches = 0, 0
    while Deposit.objects.filter(pk__in=ids, leaf_index__isnull=True).exists():
        if max_batches is not None and batches >= max_batches:
            break
        try:
            done = log_integrate()
        except (LogRaced, ImproperlyConfigured):
            break
        batches += 1
        if not done:
            break
        total += done
    return total


# --- Building the index --------------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


@dataclass
class _File:
    """One file to write: its path in the ZIP and where its bytes come from."""

    path: str
    media_type: str
    open: Callable[[], Iterator[bytes]]
    expected_sha256: str = ""


@dataclass
class _Plan:
    index: dict[str, Any]
    files: dict[str, _File] = field(default_factory=dict)
    deposits: dict[int, tuple[Deposit, list[str]]] = field(default_factory=dict)

    def add(self, item: _File) -> str:
        if not _SAFE_PATH.fullmatch(item.path):  # every name is built from ids and hashes
            raise ValueError(f"unsafe path in the export: {item.path!r}")
        self.files.setdefault(item.path, item)
        return item.path

    def refer(self, deposit: Deposit | None, path: str | None) -> str | None:
        if deposit is None:
            return None
        _row, covers = self.deposits.setdefault(deposit.pk, (deposit, []))
        if path and path not in covers:
            covers.append(path)
        return deposit.deposit_no


def _bytes(data: bytes) -> Callable[[], Iterator[bytes]]:
    return lambda: iter([data])


def _stored(storage_name: str) -> Callable[[], Iterator[bytes]]:
    def read() -> Iterator[bytes]:
        with default_storage.open(storage_name, "rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk

    return read


def _blob_file(path: str, blob: Blob) -> _File:
    return _File(path, blob.media_type, _stored(blob.storage_name), blob.sha256)


def _parties(case: Case) -> tuple[list[Party], list[dict[str, Any]]]:
    parties = list(case.parties.prefetch_related("agents__user").order_by("side", "position", "pk"))
    rows = []
    for party in parties:
        rows.append(
            {
                "id": party.pk,
                "side": party.side,
                "kind": party.kind,
                "position": party.position,
                "name": party.name,
                "id_number_masked": mask_identifier(party.id_number),
                "legal_representative": party.legal_representative,
                "online_litigation": party.online_litigation,
                "complaint_served_on": _iso(party.complaint_served_on),
                "complaint_service_method": party.complaint_service_method,
                "agents": [
                    {
                        "name": agent.user.display_name,
                        "kind": agent.kind,
                        "scope": agent.scope,
                        "appointed_at": _iso(agent.appointed_at),
                    }
                    for agent in sorted(party.agents.all(), key=lambda a: (a.appointed_at, a.pk))
                ],
            }
        )
    return parties, rows


def _case(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "type": {
            "code": case.case_type.code,
            "name_en": case.case_type.name_en,
            "name_zh": case.case_type.name_zh,
        },
        "procedure": case.procedure,
        "status": case.status,
        "docketed_at": _iso(case.docketed_at),
        "docketed_on": _iso(case.docketed_on),
        "judge": _name(case.judge),
        "fee_amount": _money(case.fee_amount),
        "decision_kind": case.decision_kind,
        "decided_on": _iso(case.decided_on),
        "closing_mode": case.closing_mode,
        "closed_at": _iso(case.closed_at),
    }


def _documents(plan: _Plan, case: Case) -> list[dict[str, Any]]:
    rows = []
    documents = CourtDocument.objects.filter(case=case).select_related("pdf", "deposit")
    for document in documents.order_by("issued_at", "pk"):
        if document.pdf is not None:
            path = plan.add(
                _blob_file(f"documents/{document.pk}-{document.kind}.pdf", document.pdf)
            )
            media_type = PDF_MEDIA_TYPE
        else:
            data = document.body.encode("utf-8")
            path = plan.add(
                _File(
                    f"documents/{document.pk}-{document.kind}.txt",
                    MEDIA_TYPE,
                    _bytes(data),
                    document.sha256,
                )
            )
            media_type = MEDIA_TYPE
        rows.append(
            {
                "id": document.pk,
                "kind": document.kind,
                "title": document.title,
                "issued_at": _iso(document.issued_at),
                "issued_by": _name(document.issued_by),
                "sha256": document.sha256,
                "media_type": media_type,
                "path": path,
                "text": document.body if document.pdf is not None else None,
                "corrects": document.corrects_id,
                "deposit_no": plan.refer(document.deposit, path),
            }
        )
    return rows


def _deliveries(plan: _Plan, case: Case, own_parties: set[int] | None) -> list[dict[str, Any]]:
    deliveries = (
        Delivery.objects.filter(document__case=case, legal=True)
        .select_related("confirmation")
        .prefetch_related("proofs__deposit", "proofs__scan")
        .order_by("created_at", "pk")
    )
    rows = []
    for delivery in deliveries:
        shown = own_parties is None or delivery.party_id in own_parties
        proofs = []
        for n, proof in enumerate(sorted(delivery.proofs.all(), key=lambda p: p.pk), start=1):
            path = scan_path = None
            if shown:
                path = plan.add(
                    _File(
                        f"proofs/{delivery.pk}-{n}.json",
                        "application/json",
                        _bytes(proof.text.encode("utf-8")),
                        proof.sha256,
                    )
                )
                if proof.scan is not None:
                    scan_path = plan.add(_blob_file(f"scans/{proof.scan.sha256}", proof.scan))
            proofs.append(
                {
                    "n": n,
                    "sha256": proof.sha256,
                    "path": path,
                    "text": proof.text if shown else None,
                    "withheld": not shown,
                    "created_at": _iso(proof.created_at),
                    "superseded_at": _iso(proof.superseded_at),
                    "scan_path": scan_path,
                    "deposit_no": plan.refer(proof.deposit, path),
                }
            )
        rows.append(
            {
                "id": delivery.pk,
                "document": delivery.document_id,
                "party": delivery.party_id,
                # Channel names only: the addresses are the recipient's personal data.
                "channels": [str(step.get("channel", "")) for step in delivery.plan],
                "address_confirmed": delivery.confirmation_id is not None,
                "status": delivery.status,
                "failure_reason": delivery.failure_reason,
                "created_at": _iso(delivery.created_at),
                "sent_at": _iso(delivery.sent_at),
                "delivered_at": _iso(delivery.delivered_at),
                "read_at": _iso(delivery.read_at),
                "acted_at": _iso(delivery.acted_at),
                "acked_at": _iso(delivery.acked_at),
                "served_at": _iso(delivery.served_at),
                "served_rule": delivery.served_rule,
                "served_channel": delivery.served_channel,
                "paper_requested_at": _iso(delivery.paper_requested_at),
                "paper_sent_at": _iso(delivery.paper_sent_at),
                "proofs": proofs,
            }
        )
    return rows


def _evidence(plan: _Plan, case: Case) -> list[dict[str, Any]]:
    items = (
        EvidenceItem.objects.filter(application_id=case.application_id, submitted_at__isnull=False)
        .select_related("blob", "deposit", "claimed_deposit", "determination__judge")
        .prefetch_related("opinions")
        .order_by("party__side", "party__position", "party_id", "number")
    )
    rows = []
    for item in items:
        path = plan.add(_blob_file(f"evidence/{item.blob.sha256}", item.blob))
        determination = getattr(item, "determination", None)
        rows.append(
            {
                "id": item.pk,
                "party": item.party_id,
                "number": item.number,
                "title": item.title,
                "description": item.description,
                "purpose": item.purpose,
                "form": item.form,
                "kind": item.kind,
                "source": item.source,
                "filename": item.filename,
                "sha256": item.blob.sha256,
                "size": item.blob.size,
                "media_type": item.blob.media_type,
                "path": path,
                "submitted_at": _iso(item.submitted_at),
                "deposit_no": plan.refer(item.deposit, path),
                "claimed_deposit_no": item.claimed_deposit_no,
                "deposit_check": item.deposit_check,
                "claimed_deposit_receipt": plan.refer(item.claimed_deposit, None),
                "opinions": [
                    {
                        "party": o.party_id,
                        "authenticity": o.authenticity,
                        "legality": o.legality,
                        "relevance": o.relevance,
                        "reasons": o.reasons,
                        "recorded_at": _iso(o.recorded_at),
                    }
                    for o in item.opinions.all()
                ],
                "determination": None
                if determination is None
                else {
                    "authenticity": determination.authenticity,
                    "legality": determination.legality,
                    "relevance": determination.relevance,
                    "admitted": determination.admitted,
                    "reasons": determination.reasons,
                    "judge": _name(determination.judge),
                    "recorded_at": _iso(determination.recorded_at),
                },
            }
        )
    return rows


def _hearings(case: Case) -> list[dict[str, Any]]:
    hearings = (
        Hearing.objects.filter(case=case)
        .select_related("courtroom", "judge", "clerk")
        .prefetch_related("participants")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": h.pk,
            "courtroom": h.courtroom.name,
            "starts_at": _iso(h.starts_at),
            "ends_at": _iso(h.ends_at),
            "status": h.status,
            "judge": _name(h.judge),
            "clerk": _name(h.clerk),
            "summons": h.summons_id,
            "started_at": _iso(h.started_at),
            "ended_at": _iso(h.ended_at),
            "cancelled_reason": h.cancelled_reason,
            "participants": [
                {
                    "role": p.role,
                    "name": p.name,
                    "party": p.party_id,
                    "offline": p.offline,
                    "confirmed_at": _iso(p.confirmed_at),
                    "verified_at": _iso(p.verified_at),
                    "joined_at": _iso(p.joined_at),
                    "left_at": _iso(p.left_at),
                }
                for p in h.participants.all()
            ],
        }
        for h in hearings
    ]


def _records(plan: _Plan, case: Case) -> list[dict[str, Any]]:
    rows = []
    records = CourtRecord.objects.filter(case=case).select_related("deposit")
    for record in records.prefetch_related("signatures").order_by("pk"):
        path = None
        if record.is_closed:
            path = plan.add(
                _File(
                    f"records/{record.pk}.txt",
                    MEDIA_TYPE,
                    _bytes(record.text.encode("utf-8")),
                    record.sha256,
                )
            )
        rows.append(
            {
                "id": record.pk,
                "hearing": record.hearing_id,
                "async_trial": record.async_trial_id,
                "supplements": record.supplements_id,
                # An open record is still being typed: its text is not part of the file yet.
                "text": record.text if record.is_closed else None,
                "closed_at": _iso(record.closed_at),
                "sha256": record.sha256 or None,
                "path": path,
                "completed_at": _iso(record.completed_at),
                "deposit_no": plan.refer(record.deposit, path),
                "signatures": [
                    {
                        "name": s.name,
                        "party": s.party_id,
                        "sha256": s.sha256,
                        "signed_at": _iso(s.signed_at),
                    }
                    for s in record.signatures.all()
                ],
            }
        )
    return rows


def _async_trials(case: Case, own_parties: set[int] | None, now: datetime) -> dict[str, Any]:
    """Consents, trials, rounds and answers. In a party's copy (``own_parties``) another
    party's answer shows only once its round's window is over, as on the trial page
    (``hearings.services.async_trial.rounds_for_viewer``); ``withheld_answers`` counts the
    answers left out of a round."""
    consents = AsyncConsent.objects.filter(case=case).order_by("recorded_at", "pk")
    trials = (
        AsyncTrial.objects.filter(case=case)
        .select_related("judge")
        .prefetch_related("rounds__answers")
        .order_by("opened_at", "pk")
    )
    return {
        "consents": [
            {"party": c.party_id, "consent": c.consent, "recorded_at": _iso(c.recorded_at)}
            for c in consents
        ],
        "trials": [
            {
                "id": t.pk,
                "judge": _name(t.judge),
                "status": t.status,
                "opened_at": _iso(t.opened_at),
                "closed_at": _iso(t.closed_at),
                "rounds": [_async_round(r, own_parties, now) for r in t.rounds.all()],
            }
            for t in trials
        ],
    }


def _async_round(round_: AsyncRound, own_parties: set[int] | None, now: datetime) -> dict[str, Any]:
    answers = list(round_.answers.all())
    over = is_window_over(round_, now)
    shown = [a for a in answers if own_parties is None or over or a.party_id in own_parties]
    return {
        "number": round_.number,
        "questions": round_.questions,
        "opened_at": _iso(round_.opened_at),
        "due_at": _iso(round_.due_at),
        "closed_at": _iso(round_.closed_at),
        "answers": [
            {
                "party": a.party_id,
                "text": a.text,
                "answered_at": _iso(a.answered_at),
                "late": a.late,
            }
            for a in shown
        ],
        "withheld_answers": len(answers) - len(shown),
    }


def _case_lists(case: Case) -> dict[str, Any]:
    """Claims, responses, docket, deadlines and appeals: rows with no files of their own."""
    return {
        "claims": [
            {"position": c.position, "text": c.text, "amount": _money(c.amount)}
            for c in case.application.claims.order_by("position", "pk")
        ],
        "responses": [
            {
                "party": r.party_id,
                "kind": r.kind,
                "text": r.text,
                "filed_at": _iso(r.filed_at),
                "late": r.late,
            }
            for r in case.responses.order_by("filed_at", "pk")
        ],
        "docket": [
            {
                "number": e.number,
                "code": e.code,
                "entered_at": _iso(e.entered_at),
                "text_en": e.text_en,
                "text_zh": e.text_zh,
                "party": e.party_id,
                "document_text": e.document_text,
            }
            for e in case.docket.order_by("number")
        ],
        "deadlines": [
            {
                "code": d.code,
                "party": d.party_id,
                "basis": d.basis,
                "start_event": d.start_event,
                "start_date": _iso(d.start_date),
                "due_date": _iso(d.due_date),
                "met_at": _iso(d.met_at),
                "cancelled_at": _iso(d.cancelled_at),
                "state": "met" if d.met_at else "cancelled" if d.cancelled_at else "open",
            }
            for d in case.deadlines.order_by("due_date", "pk")
        ],
        "appeals": [
            {
                "party": a.party_id,
                "filed_at": _iso(a.filed_at),
                "reasons": a.reasons,
                "requests": a.requests,
                "export_sha256": a.export_sha256,
            }
            for a in case.appeals.order_by("filed_at", "pk")
        ],
    }


def _receipts(plan: _Plan) -> dict[str, Any]:
    """Each referred deposit's receipt as a file, or why there is none yet."""
    out: dict[str, Any] = {}
    for deposit, covers in sorted(plan.deposits.values(), key=lambda pair: pair[0].deposit_no):
        entry: dict[str, Any] = {"sha256": deposit.sha256, "covers": sorted(covers)}
        try:
            receipt = evidence_selectors.receipt_for(deposit)
        except ImproperlyConfigured:
            entry.update(status="pending", reason="no_log_key", path=None)
        else:
            if isinstance(receipt, evidence_selectors.ReceiptPending):
                entry.update(status="pending", reason=receipt.reason, path=None)
            else:
                # Exactly what the item page's receipt download serves.
                data = (json.dumps(receipt, indent=2, ensure_ascii=False) + "\n").encode()
                path = plan.add(
                    _File(f"receipts/{deposit.deposit_no}.json", "application/json", _bytes(data))
                )
                entry.update(
                    status="included",
                    path=path,
                    leaf_index=receipt["leaf_index"],
                    tree_size=receipt["tree_size"],
                )
        out[deposit.deposit_no] = entry
    return out


def _log_info() -> dict[str, str] | None:
    from ecourt.evidence.keys import log_verifier

    try:
        verifier = log_verifier()
    except ImproperlyConfigured:
        return None
    return {"origin": verifier.name, "public_key": str(verifier)}


def _scrub(value: Any, numbers: dict[str, str]) -> Any:
    """``value`` with every full identity number replaced by its masked form."""
    if isinstance(value, str):
        for full, masked in numbers.items():
            if full in value:
                value = value.replace(full, masked)
        return value
    if isinstance(value, dict):
        # Hashes stay as they are (a hex digest could, by chance, hold a run of digits).
        return {k: v if k.endswith("sha256") else _scrub(v, numbers) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, numbers) for v in value]
    return value


def _plan(case: Case, *, copy: Copy, own_parties: set[int] | None, now: datetime) -> _Plan:
    court = get_court_profile()
    plan = _Plan(index={})
    parties, party_rows = _parties(case)
    index: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": _iso(now),
        "copy": {"for": copy, "parties": sorted(own_parties) if own_parties else []},
        "court": {"name_en": court.name_en, "name_zh": court.name_zh, "code": court.code},
        "installation": {"public_url": settings.ECOURT_PUBLIC_URL, "evidence_log": _log_info()},
        "case": _case(case),
        "parties": party_rows,
    }
    index.update(_case_lists(case))
    index["documents"] = _documents(plan, case)
    index["deliveries"] = _deliveries(plan, case, own_parties)
    index["evidence"] = _evidence(plan, case)
    index["hearings"] = _hearings(case)
    index["records"] = _records(plan, case)
    index["async_trials"] = _async_trials(case, own_parties, now)
    index["receipts"] = _receipts(plan)
    numbers = {p.id_number: mask_identifier(p.id_number) for p in parties if len(p.id_number) > 4}
    plan.index = _scrub(index, numbers)
    return plan


# --- Writing the ZIP -----------------------------------------------------------------------------


class _HashingWriter(io.RawIOBase):
    """Passes writes through to ``target`` and hashes them: the ZIP's own SHA-256 for the
    audit trail without reading it back. Not seekable, so zipfile streams (data descriptors)
    and ``target`` may be a pipe (stdout) or an HTTP response file."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self.target.write(view)
        self.digest.update(view)
        self.size += len(view)
        return len(view)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.target.flush()


@dataclass(frozen=True)
class ExportResult:
    sha256: str
    size: int
    copy: Copy
    files: int


def _info(path: str, when: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write(
    archive: zipfile.ZipFile, path: str, chunks: Iterator[bytes], when: Any
) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(_info(path, when), "w", force_zip64=True) as stream:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            stream.write(chunk)
    return digest.hexdigest(), size


def case_export_write(*, case: Case, fileobj: IO[bytes], actor: User | None = None) -> ExportResult:
    """Write the case file as a ZIP to ``fileobj`` (a file, a pipe, a response) and audit it.
    ``actor`` None is the court itself (the management command); anyone else gets the copy
    ``export_copy_for`` gives them, or PermissionDenied."""
    copy = export_copy_for(actor, case)
    if copy is None:
        raise PermissionDenied(_("You may not export this case file."), code="not_allowed")
    own_parties = None
    if copy == "party":
        assert actor is not None
        own_parties = {p.pk for p in parties_acting_for(actor, case=case)}
    now = timezone.now()
    # One read transaction: on PostgreSQL and SQLite the rows read later see the same case.
    with transaction.atomic():
        plan = _plan(case, copy=copy, own_parties=own_parties, now=now)
    local = timezone.localtime(now)
    when = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)

    writer = _HashingWriter(fileobj)
    listed: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    with zipfile.ZipFile(writer, "w", zipfile.ZIP_DEFLATED) as archive:
        files = [_File("README.md", "text/markdown", _bytes(README.read_bytes()))]
        files += [plan.files[path] for path in sorted(plan.files)]
        for item in files:
            digest, size = _write(archive, item.path, item.open(), when)
            listed.append(
                {"path": item.path, "sha256": digest, "size": size, "media_type": item.media_type}
            )
            if item.expected_sha256 and digest != item.expected_sha256:
                # The store no longer holds what was deposited: say so, never hide it.
                problems.append(
                    {"path": item.path, "expected_sha256": item.expected_sha256, "sha256": digest}
                )
        sums = "".join(f"{row['sha256']}  {row['path']}\n" for row in listed).encode()
        digest, size = _write(archive, "SHA256SUMS", iter([sums]), when)
        listed.append(
            {"path": "SHA256SUMS", "sha256": digest, "size": size, "media_type": "text/plain"}
        )
        index = {**plan.index, "files": listed, "problems": problems}
        data = (json.dumps(index, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()
        _write(archive, "index.json", iter([data]), when)
    writer.flush()
    result = ExportResult(writer.digest.hexdigest(), writer.size, copy, len(listed) + 1)
    with transaction.atomic():
        audit_record(
            code="ecourt.documents.case_exported",
            actor=actor,
            target=case,
            new={
                "format": FORMAT,
                "copy": copy,
                "parties": sorted(own_parties or []),
                "sha256": result.sha256,
                "size": result.size,
                "files": result.files,
            },
        )
    return result


def case_export_zip(*, case: Case, actor: User | None = None) -> bytes:
    """The case file as ZIP bytes (small cases, tests); see ``case_export_write``."""
    buffer = io.BytesIO()
    case_export_write(case=case, fileobj=buffer, actor=actor)
    return buffer.getvalue()
