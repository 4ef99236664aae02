from django.contrib import admin
from django.urls import include, path

from ecourt.api import api
from ecourt.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("accounts/", include("ecourt.accounts.urls")),
    path("", include("ecourt.cases.urls")),
    path("mediation/", include("ecourt.mediation.urls")),
    path("log/", include("ecourt.evidence.urls_log")),
    # evidence/… (parties, court administrators) and verify/ (anyone)
    path("", include("ecourt.evidence.urls")),
    path("", include("ecourt.delivery.urls")),
    path("", include("ecourt.hearings.urls")),
    path("", include("ecourt.documents.urls")),
    path("", include("ecourt.stats.urls")),
    path("admin/", admin.site.urls),
    path("", include("ecourt.core.urls")),
]

handler400 = "ecourt.core.views.error_400"
handler403 = "ecourt.core.views.error_403"
handler404 = "ecourt.core.views.error_404"
handler500 = "ecourt.core.views.error_500"
