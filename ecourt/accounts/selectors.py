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


def lockouts_current(limit: int = 100) -> list[dict[str, object]]:
    """Accounts whose sign-in is paused now. django-axes keeps one row per account, address
    and browser, and locks on their sum, so the rows are added up per account."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Max, Sum

    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return list(
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last_attempt")[:limit]
    )
