"""Asynchronous trial pages (namespace ``hearings``)."""

from django.urls import path

from ecourt.hearings.views import async_trial

urlpatterns = [
    path("cases/<int:case_pk>/async/", async_trial.case_async, name="async_case"),
    path("cases/<int:case_pk>/async/open/", async_trial.trial_open, name="async_open"),
    path("async/<int:pk>/", async_trial.trial_detail, name="async_trial"),
    path("async/<int:pk>/rounds/", async_trial.round_add, name="async_round_add"),
    path("async/<int:pk>/close/", async_trial.trial_close, name="async_trial_close"),
    path(
        "async/rounds/<int:round_pk>/close/",
        async_trial.round_close,
        name="async_round_close",
    ),
    path(
        "async/rounds/<int:round_pk>/parties/<int:party_pk>/answer/",
        async_trial.answer_submit,
        name="async_answer",
    ),
]
