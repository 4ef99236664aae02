"""Reads for accounts."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils import timezone

from ecourt.accounts.models import (
    CompanyRepresentative,
    ConsentRecord,
    IdentityVerification,
    LawyerProfile,
    LoginEvent,
    ReviewStatus,
    TermsVersion,
    User,
)


def terms_current() -> TermsVersion | None:
    """The terms version in force now (the newest whose effective time has passed)."""
    return TermsVersion.objects.filter(effective_from__lte=timezone.now()).first()


def consent_current(user: User) -> ConsentRecord | None:
    """The person's live consent to the terms in force, or None (never given, withdrawn, or
    given only to an older version)."""
    terms = terms_current()
    if terms is None or not user.is_authenticated:
        return None
    return (
        ConsentRecord.objects.filter(user=user, terms=terms, withdrawn_at__isnull=True)
        .select_related("terms")
        .first()
    )


def identity_latest(user: User) -> IdentityVerification | None:
    return IdentityVerification.objects.filter(user=user).first()


def company_links_for(user: User) -> QuerySet[CompanyRepresentative]:
    return CompanyRepresentative.objects.filter(user=user).select_related("company")


def lawyer_latest(user: User) -> LawyerProfile | None:
    return LawyerProfile.objects.filter(user=user).first()


def login_history(user: User, limit: int = 20) -> list[LoginEvent]:
    return list(LoginEvent.objects.filter(user=user)[:limit])


def reviews_pending() -> dict[str, list[object]]:
    """Everything waiting for a staff decision, oldest first."""
    return {
        "identities": list(
            IdentityVerification.objects.filter(status=ReviewStatus.PENDING)
            .select_related("user")
            .order_by("created_at")
        ),
        "companies": list(
            CompanyRepresentative.objects.filter(status=ReviewStatus.PENDING)
            .select_related("user", "company")
            .order_by("created_at")
        ),
        "lawyers": list(
            LawyerProfile.objects.filter(status=ReviewStatus.PENDING)
            .select_related("user")
            .order_by("created_at")
        ),
    }


def users_search(query: str, limit: int = 50) -> QuerySet[User]:
    qs = User.objects.prefetch_related("role_grants").order_by("display_name", "pk")
    query = query.replace("\x00", "").strip()[:100]
    if query:
        condition = Q(display_name__icontains=query) | Q(email__iexact=query)
        digits = "".join(re.findall(r"[0-9]", query))
        if digits:
            condition |= Q(mobile__endswith=digits)
        if re.fullmatch(r"[0-9]{1,18}", query):  # str.isdigit() also says yes to "²"
            condition |= Q(pk=int(query))
        qs = qs.filter(condition)
    return qs[:limit]
