"""Delivery pages, mounted at the site's root. The institution API is in ``api.py``."""

from django.urls import path

from ecourt.delivery.views import recipient, staff

app_name = "delivery"

urlpatterns = [
    # Recipients (case staff see a document and its proof too)
    path("notifications/", recipient.centre, name="centre"),
    path("notifications/preferences/", recipient.preferences, name="preferences"),
    path("deliveries/<int:pk>/", recipient.delivery_open, name="open"),
    path("deliveries/<int:pk>/paper/", recipient.paper, name="paper"),
    path("deliveries/<int:pk>/proof/", recipient.proof, name="proof"),
    path(
        "deliveries/<int:pk>/proof/<int:proof_pk>/scan/",
        recipient.proof_scan,
        name="proof_scan",
    ),
    path(
        "deliveries/<int:pk>/proof/<int:proof_pk>.json",
        recipient.proof_download,
        name="proof_download",
    ),
    path(
        "deliveries/<int:pk>/proof/<int:proof_pk>.pdf",
        recipient.proof_pdf_download,
        name="proof_pdf",
    ),
    path("cases/<int:case_id>/addresses/", recipient.addresses, name="addresses"),
    # Case staff
    path("cases/<int:case_id>/deliveries/", staff.case_deliveries, name="case"),
    path("cases/<int:case_id>/documents/", staff.issue, name="issue"),
    path("deliveries/failed/", staff.failed, name="failed"),
    path("deliveries/<int:pk>/retry/", staff.retry, name="retry"),
    path("deliveries/<int:pk>/redirect/", staff.redirect_to, name="redirect"),
    path("deliveries/<int:pk>/offline/", staff.offline, name="offline"),
    path("deliveries/<int:pk>/offline-proof/", staff.offline_proof, name="offline_proof"),
    path("deliveries/<int:pk>/correct/", staff.correct, name="correct"),
    path("deliveries/<int:pk>/paper-sent/", staff.paper_sent, name="paper_sent"),
]
