"""The court administrator's courtrooms page (namespace ``hearings``)."""

from django.urls import path

from ecourt.hearings.views import courtrooms as views

urlpatterns = [
    path("courtrooms/", views.courtrooms, name="courtrooms"),
    path("courtrooms/add", views.courtroom_add, name="courtroom_add"),
    path("courtrooms/<int:pk>/", views.courtroom_edit, name="courtroom_edit"),
]
