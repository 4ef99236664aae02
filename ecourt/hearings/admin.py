"""Hearings and courtrooms in the (read-only) admin: every change goes through services."""

from __future__ import annotations

from django.contrib import admin

from ecourt.core.admin import ReadOnlyAdmin
from ecourt.hearings.models import Courtroom, Hearing, RescheduleRequest


@admin.register(Courtroom)
class CourtroomAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    list_display = ["case", "starts_at", "ends_at", "courtroom", "judge", "clerk", "status"]
    list_filter = ["status", "courtroom"]
    search_fields = ["case__number"]
    exclude = ["room"]  # the meeting room name lets anyone into the conference


@admin.register(RescheduleRequest)
class RescheduleRequestAdmin(ReadOnlyAdmin):
    list_display = ["hearing", "party", "requested_at", "status", "decided_at"]
    list_filter = ["status"]
