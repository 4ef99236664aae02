from __future__ import annotations

from django.contrib import admin

from ecourt.accounts.models import (
    Company,
    CompanyRepresentative,
    ConsentRecord,
    IdentityVerification,
    LawyerProfile,
    LoginEvent,
    RoleGrant,
    TermsVersion,
    User,
)
from ecourt.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["pk", "display_name", "date_joined", "is_active"]
    search_fields = ["display_name", "email"]
    exclude = ["password"]


for model in (
    Company,
    CompanyRepresentative,
    ConsentRecord,
    IdentityVerification,
    LawyerProfile,
    LoginEvent,
    RoleGrant,
    TermsVersion,
):
    admin.site.register(model, ReadOnlyAdmin)
