"""Reads for accounts."""

from __future__ import annotations

import re
from datetime import timedelta

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


def password_failures_recent(user: User) -> int:
    """Wrong passwords for this account in the last hour since its last good event (a
    sign-in, a password reset, or an administrator's unlock), from any address."""
    since = timezone.now() - timedelta(hours=1)
    last_good = (
        LoginEvent.objects.filter(user=user, succeeded=True, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return LoginEvent.objects.filter(
        user=user, succeeded=False, method="password", created_at__gt=last_good or since
    ).count()


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
    """Sign-ins paused now, one row per login name, newest first.

    Two kinds: django-axes pauses a login name at one address after ECOURT_LOGIN_FAILURE_LIMIT
    wrong passwords (it keeps a row per name, address and browser, and locks on their sum per
    name and address); ecourt pauses a whole account after ECOURT_ACCOUNT_FAILURE_LIMIT wrong
    passwords from anywhere in an hour."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Count, Max, Sum

    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    rows: dict[str, dict[str, object]] = {}
    per_address = (
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    for row in per_address:
        name = str(row["username"])
        current = rows.get(name)
        if current is None or row["last_attempt"] > current["last_attempt"]:
            rows[name] = {**row, "scope": "address"}
    hour_ago = timezone.now() - timedelta(hours=1)
    suspects = (
        LoginEvent.objects.filter(succeeded=False, method="password", created_at__gte=hour_ago)
        .values("user")
        .annotate(n=Count("id"), last_attempt=Max("created_at"))
        .filter(n__gte=settings.ECOURT_ACCOUNT_FAILURE_LIMIT)
    )
    for row in suspects:
        user = User.objects.get(pk=row["user"])
        failures = password_failures_recent(user)
        if failures >= settings.ECOURT_ACCOUNT_FAILURE_LIMIT:
            rows[user.mobile] = {
                "username": user.mobile,
                "failures": failures,
                "last_attempt": row["last_attempt"],
                "scope": "account",
            }
    ordered = sorted(rows.values(), key=lambda r: r["last_attempt"], reverse=True)  # type: ignore[arg-type,return-value]
    return ordered[:limit]
