"""The case-file export page: what the ZIP holds, and the download.

``GET`` shows what is included and a download button; ``POST`` (the button) or
``GET ?download=1`` returns the ZIP as an attachment named after the case number. Staff of
the case get the court's copy, a party (or its agent) the party's copy; everyone else a 404.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ecourt.cases.models import Case
from ecourt.cases.selectors import case_for_user
from ecourt.cases.views.display import request_actor
from ecourt.delivery.models import Delivery
from ecourt.documents import export
from ecourt.documents.models import CourtDocument
from ecourt.evidence.models import EvidenceItem
from ecourt.hearings.models import CourtRecord

#: Batches of the evidence log integrated before a web export (each its own transaction):
#: enough for the deposits of the last few seconds, never a long backlog in a request.
WEB_INTEGRATE_BATCHES = 2


def _export_case(request: HttpRequest, case_pk: int) -> tuple[Case, str]:
    user = request_actor(request)
    case = case_for_user(user, case_pk)
    copy = export.export_copy_for(user, case) if case is not None else None
    if case is None or copy is None:
        raise Http404
    return case, copy


def export_response(request: HttpRequest, case: Case) -> FileResponse:
    """The ZIP as an attachment, spooled to a temporary file (a big case's evidence files
    are streamed through it, never held in memory whole)."""
    export.case_log_integrate(case=case, max_batches=WEB_INTEGRATE_BATCHES)
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - FileResponse closes it
    result = export.case_export_write(case=case, fileobj=spool, actor=request_actor(request))
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=export.case_export_filename(case),
        content_type="application/zip",
    )
    response["Content-Length"] = str(result.size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_export(request: HttpRequest, case_pk: int) -> HttpResponseBase:
    case, copy = _export_case(request, case_pk)
    if request.method == "POST" or request.GET.get("download") == "1":
        return export_response(request, case)
    items = EvidenceItem.objects.filter(
        application_id=case.application_id, submitted_at__isnull=False
    )
    context = {
        "case": case,
        "copy": copy,
        "format": export.FORMAT,
        "filename": export.case_export_filename(case),
        "counts": {
            "documents": CourtDocument.objects.filter(case=case).count(),
            "evidence": items.count(),
            "records": CourtRecord.objects.filter(case=case, closed_at__isnull=False).count(),
            "deliveries": Delivery.objects.filter(document__case=case, legal=True).count(),
            "hearings": case.hearings.count(),
            "docket": case.docket.count(),
        },
    }
    return render(request, "documents/export.html", context)
