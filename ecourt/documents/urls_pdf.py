"""The signed PDF of an issued court document."""

from django.urls import path

from ecourt.documents.views import pdf

urlpatterns = [
    path("documents/<int:pk>/pdf", pdf.document_pdf, name="pdf"),
]
