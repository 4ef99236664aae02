"""Decision drafts and appeals (namespace ``documents``)."""

from django.urls import path

from ecourt.documents.views import decisions

urlpatterns = [
    path("cases/<int:case_pk>/decisions/", decisions.drafts, name="drafts"),
    path("drafts/<int:pk>/", decisions.draft_detail, name="draft"),
    path("drafts/<int:pk>/issue/", decisions.draft_issue, name="draft_issue"),
    path("cases/<int:case_pk>/appeal/", decisions.appeal, name="appeal"),
]
