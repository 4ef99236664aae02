from ecourt.mediation.views import court, mediator, room

app_name = "mediation"

urlpatterns = [*room.urlpatterns, *mediator.urlpatterns, *court.urlpatterns]
