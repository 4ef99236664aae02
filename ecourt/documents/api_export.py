"""The case-file export over the API: ``GET /cases/{case_id}/export`` answers the ZIP
(``application/zip``, format ``ecourt-case-file/v1``, see ``ecourt/documents/export.py``).
Staff of the case get the court's copy, a party (or its agent) the party's copy; whoever
may not see the case a 404; not signed in a 401."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from ninja import Router
from ninja.security import django_auth

from ecourt.cases.api_common import SIGNED_IN, PathId, actor, problems
from ecourt.cases.selectors import case_for_user
from ecourt.documents import export
from ecourt.documents.views.export import export_response

router = Router(tags=["documents"], auth=django_auth)


@router.get(
    "/cases/{case_id}/export",
    summary="The electronic case file as one ZIP (ecourt-case-file/v1)",
    description="index.json (the case, parties with masked identity numbers, docket, "
    "deadlines, deliveries and proofs of service, evidence, hearings, records, documents, "
    "appeals, and every file's SHA-256), the issued documents, evidence files, closed "
    "records, proofs of service, the evidence-log receipt of every deposit (check with "
    "ecourt-verify), SHA256SUMS and a README. A party gets the party's copy (the proofs of "
    "service of other parties' deliveries are listed without their text). Every export is "
    "audited with the ZIP's SHA-256.",
    url_name="case_export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The ZIP, as an attachment named after the case number.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            },
            **problems(404, *SIGNED_IN)["responses"],
        },
    },
)
def case_export(request: HttpRequest, case_id: PathId) -> FileResponse:
    user = actor(request)
    case = case_for_user(user, case_id)
    if case is None or export.export_copy_for(user, case) is None:
        raise Http404
    return export_response(request, case)
