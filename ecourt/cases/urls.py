from ecourt.cases.views import applicant, catalogue, court, review, wizard

app_name = "cases"

urlpatterns = [
    *applicant.urlpatterns,
    *wizard.urlpatterns,
    *review.urlpatterns,
    *court.urlpatterns,
    *catalogue.urlpatterns,
]
