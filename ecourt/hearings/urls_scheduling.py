"""Scheduling pages (namespace ``hearings``)."""

from django.urls import path

from ecourt.hearings.views import scheduling as views

urlpatterns = [
    path("cases/<int:case_pk>/hearings/", views.case_hearings, name="case_hearings"),
    path("cases/<int:case_pk>/judge/", views.case_judge, name="case_judge"),
    path("hearings/mine/", views.my_hearings, name="my_hearings"),
    path("hearings/<int:pk>/", views.hearing_detail, name="hearing_detail"),
    path("hearings/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("hearings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("hearings/<int:pk>/reschedule/", views.reschedule_request, name="reschedule_request"),
    path(
        "reschedule-requests/<int:pk>/decision/",
        views.reschedule_decide,
        name="reschedule_decide",
    ),
]
