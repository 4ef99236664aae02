from django.urls import path

from ecourt.stats import views, views_court

app_name = "stats"

urlpatterns = [
    path("stats/", views.public, name="public"),
    path("stats/summary.csv", views.summary_csv, name="summary_csv"),
    path("stats/case-types.csv", views.case_types_csv, name="case_types_csv"),
    path("stats/weekly.csv", views.weekly_csv, name="weekly_csv"),
    path("stats/court/", views_court.court_dashboard, name="court"),
]
