from ecourt.mediation.views import court, documents, mediator, room

app_name = "mediation"

urlpatterns = [
    *room.urlpatterns,
    *documents.urlpatterns,
    *mediator.urlpatterns,
    *court.urlpatterns,
]
