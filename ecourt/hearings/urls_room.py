"""The hearing room and the court record pages (namespace ``hearings``)."""

from django.urls import path

from ecourt.hearings.views import room

urlpatterns = [
    path("hearings/<int:pk>/room/", room.room, name="room"),
    path(
        "hearings/<int:pk>/room/identity/code", room.room_identity_code, name="room_identity_code"
    ),
    path("hearings/<int:pk>/room/identity", room.room_identity, name="room_identity"),
    path("hearings/<int:pk>/room/start", room.room_start, name="room_start"),
    path("hearings/<int:pk>/room/end", room.room_end, name="room_end"),
    path("hearings/<int:pk>/room/evidence", room.room_evidence, name="room_evidence"),
    path("hearings/<int:pk>/record.json", room.record_json, name="record_json"),
    path("hearings/<int:pk>/record/save", room.record_save, name="record_save"),
    path("records/<int:pk>/", room.record_page, name="record"),
    path("records/<int:pk>/save", room.supplement_save, name="record_edit"),
    path("records/<int:pk>/close", room.record_close, name="record_close"),
    path("records/<int:pk>/signature-code", room.record_sign_code, name="record_sign_code"),
    path("records/<int:pk>/sign", room.record_sign, name="record_sign"),
    path("records/<int:pk>/supplement", room.record_supplement, name="record_supplement"),
]
