"""Court document pages: decision drafts and issuing, appeals, the case-file export."""

from django.urls import include, path

app_name = "documents"

urlpatterns = [
    path("", include("ecourt.documents.urls_decisions")),
    path("", include("ecourt.documents.urls_export")),
    path("", include("ecourt.documents.urls_pdf")),
]
