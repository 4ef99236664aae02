"""The Django admin is read-only: every change goes through services, which audit it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_otp.admin import OTPAdminSite

from ecourt.core.models import AuditEvent, OutboundMessage

# Staff must pass TOTP to open the admin, as everywhere else.
admin.site.__class__ = OTPAdminSite


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "code", "actor_repr", "target_repr", "request_id"]
    list_filter = ["code"]
    search_fields = ["code", "actor_repr", "target_repr", "target_id", "request_id"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "purpose", "status", "attempts"]
    list_filter = ["channel", "status"]
    exclude = ["body"]
