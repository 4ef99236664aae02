"""The case-file export page (``documents:case_export``)."""

from django.urls import path

from ecourt.documents.views import export

urlpatterns = [
    path("cases/<int:case_pk>/export/", export.case_export, name="case_export"),
]
