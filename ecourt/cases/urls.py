from ecourt.cases.views import applicant, court

app_name = "cases"

urlpatterns = [*applicant.urlpatterns, *court.urlpatterns]
