"""Papers of a mediation to download: the signed settlement agreement as a PDF.

Same access as the agreement on the room page: the parties (and their agents) and the
mediator; anybody else, filing clerks included, gets a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from ecourt.mediation.models import SettlementAgreement
from ecourt.mediation.render import agreement_pdf
from ecourt.mediation.views.room import participant_mediation


@login_required
@require_safe
def agreement_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement every party signed (the latest completed version), as a PDF."""
    mediation = participant_mediation(request, pk)
    agreement = (
        SettlementAgreement.objects.filter(mediation=mediation, completed_at__isnull=False)
        .order_by("-version")
        .first()
    )
    if agreement is None:
        raise Http404
    response = HttpResponse(agreement_pdf(mediation, agreement), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="settlement-agreement-{mediation.pk}-v{agreement.version}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("<int:pk>/agreement.pdf", agreement_pdf_download, name="agreement_pdf"),
]
