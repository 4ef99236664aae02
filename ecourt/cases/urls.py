from ecourt.cases.views import applicant, catalogue, court, review

app_name = "cases"

urlpatterns = [
    *applicant.urlpatterns,
    *review.urlpatterns,
    *court.urlpatterns,
    *catalogue.urlpatterns,
]
