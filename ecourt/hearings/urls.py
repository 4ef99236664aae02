"""Trial pages: scheduling, the hearing room and its record, asynchronous trial."""

from django.urls import include, path

app_name = "hearings"

urlpatterns = [
    path("", include("ecourt.hearings.urls_scheduling")),
    path("", include("ecourt.hearings.urls_room")),
    path("", include("ecourt.hearings.urls_async")),
    path("", include("ecourt.hearings.urls_courtrooms")),
]
