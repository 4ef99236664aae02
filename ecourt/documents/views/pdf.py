"""The signed PDF of an issued court document, as a download: the exact bytes that were
hashed and deposited, so the recipient can check the seal and the deposit."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from ecourt.cases.selectors import cases_visible_to
from ecourt.cases.views.display import request_actor
from ecourt.documents.models import CourtDocument
from ecourt.documents.services import PDF_MEDIA_TYPE, document_pdf_bytes


def pdf_filename(document: CourtDocument) -> str:
    """``<case number>-<kind>-<id>.pdf`` with the number's brackets and spaces made safe
    (the Chinese characters stay: Django sends them as RFC 5987 ``filename*``)."""
    number = re.sub(r"[\s()（）/\\]+", "", document.case.number) or "case"
    return f"{number}-{document.kind}-{document.pk}.pdf"


@login_required
@require_safe
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's signed PDF for anyone who may see its case; 404 for everyone else and
    for documents issued without a PDF."""
    document = (
        CourtDocument.objects.select_related("case", "pdf")
        .filter(pk=pk, case__in=cases_visible_to(request_actor(request)))
        .first()
    )
    if document is None:
        raise Http404
    data = document_pdf_bytes(document)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type=PDF_MEDIA_TYPE)
    response["Content-Disposition"] = _attachment(pdf_filename(document))
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    # A court document is private to the people of its case: no shared or browser cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment(filename: str) -> str:
    header = content_disposition_header(as_attachment=True, filename=filename)
    assert header is not None
    return header
