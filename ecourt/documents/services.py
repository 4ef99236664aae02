"""Issuing court documents. A document and its deliveries are written in one transaction, so
a document never exists without the deliveries that serve it, nor the other way round."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import Party
from ecourt.cases.services._common import docket_add, lock_case
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text
from ecourt.delivery.services.common import require_case_staff
from ecourt.delivery.services.issue import deliveries_for_document
from ecourt.documents.models import CourtDocument, DocumentKind
from ecourt.evidence.models import Blob
from ecourt.evidence.services.log import deposit_for_court

#: UTF-8 text (the log records media types without parameters; the body is always UTF-8).
MEDIA_TYPE = "text/plain"
PDF_MEDIA_TYPE = "application/pdf"


def pdf_store(data: bytes) -> Blob:
    """Store a PDF the court made, once by its SHA-256, as an evidence ``Blob`` (court
    documents are not scanned or sniffed: the court rendered them)."""
    from ecourt.evidence.services.uploads import blob_name

    digest = hashlib.sha256(data).hexdigest()
    existing = Blob.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    name = blob_name(digest)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # written meanwhile by a concurrent issue of the same bytes
            default_storage.delete(saved)
    try:
        with transaction.atomic():
            return Blob.objects.create(
                sha256=digest, size=len(data), media_type=PDF_MEDIA_TYPE, storage_name=name
            )
    except IntegrityError:
        return Blob.objects.get(sha256=digest)


def document_pdf_bytes(document: CourtDocument) -> bytes | None:
    if document.pdf_id is None:
        return None
    with default_storage.open(document.pdf.storage_name, "rb") as stream:  # type: ignore[union-attr]
        return stream.read()


def document_issue(
    *,
    actor: User,
    case_id: int,
    kind: str,
    title: str,
    body: str,
    recipient_ids: Sequence[int] | None = None,
    notified_otherwise: Mapping[int, str] | None = None,
    check_staff: bool = True,
    docket: bool = True,
    pdf: bytes | None = None,
    corrects: CourtDocument | None = None,
) -> CourtDocument:
    """Issue a document in a case and serve it on ``recipient_ids`` (default: every party).
    Its hash goes into the evidence log; it never changes afterwards (a correction is a new
    document). ``check_staff`` is off only when another service already decided who may;
    ``docket`` is off when the caller's own docket entry already records the document.
    With ``pdf`` (rendered and signed by ``documents.render``), the PDF is what is issued:
    it is stored by its hash and that hash is deposited; ``body`` stays as its text."""
    if kind not in DocumentKind.values:
        raise DomainError(_("Choose the kind of document."), code="kind_invalid", field="kind")
    title = clean_text(title, field="title", max_length=300, required=False)
    if not title:
        raise DomainError(_("Give the document a title."), code="title_missing", field="title")
    body = clean_text(body, field="body", max_length=200_000, required=False, multiline=True)
    if len(body) < 10:
        raise DomainError(
            _("Write the document's text (at least 10 characters)."),
            code="body_missing",
            field="body",
        )
    with transaction.atomic():
        case = lock_case(case_id)
        if check_staff:
            require_case_staff(actor, case)
        parties = list(case.parties.select_related("user").order_by("side", "position", "pk"))
        if recipient_ids is not None:
            wanted = set(recipient_ids)
            recipients: list[Party] = [p for p in parties if p.pk in wanted]
            if not wanted or len(recipients) != len(wanted):
                raise DomainError(
                    _("Choose recipients among the parties of this case."),
                    code="recipients_invalid",
                    field="recipients",
                )
        else:
            recipients = parties
        data = pdf if pdf is not None else body.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        document = CourtDocument.objects.create(
            case=case,
            kind=kind,
            title=title,
            body=body,
            sha256=digest,
            pdf=pdf_store(pdf) if pdf is not None else None,
            corrects=corrects,
            issued_by=actor,
            issued_at=timezone.now(),
            deposit=deposit_for_court(
                sha256=digest,
                size=len(data),
                media_type=PDF_MEDIA_TYPE if pdf is not None else MEDIA_TYPE,
            ),
        )
        if docket:
            docket_add(
                case=case,
                code="documents.issued",
                actor=actor,
                text=gettext_lazy("%(kind)s issued: %(title)s (to %(recipients)s)."),
                params={
                    "kind": DocumentKind(kind).label,
                    "title": title,
                    "recipients": ", ".join(p.name for p in recipients),
                },
            )
        audit_record(
            code="ecourt.documents.issued",
            actor=actor,
            target=document,
            new={"kind": kind, "sha256": digest, "recipients": [p.pk for p in recipients]},
        )
        deliveries_for_document(
            document=document,
            recipients=recipients,
            actor=actor,
            notified_otherwise=notified_otherwise,
        )
    return document
