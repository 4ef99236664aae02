"""Reads of the filing capability, and who may see what.

Access (issue 3): an application is seen by its author, the accounts linked to its parties and
their agents, and — once submitted — by filing clerks. A case is seen by its parties, their
agents, its judge and filing clerks. Everyone else gets a 404, whether the thing exists or not.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import (
    OPEN_CASE_STATUSES,
    OPEN_REVIEW_STATUSES,
    Agent,
    Application,
    Case,
    CaseDeadline,
    CaseType,
    CatalogueVersion,
    DocketEntry,
    FeeReliefRequest,
    Party,
    Payment,
    PaymentStatus,
    ReliefStatus,
)
from ecourt.cases.rules.filing import FeeStanding, fee_standing
from ecourt.cases.rules.jurisdiction import version_in_force

# --- Catalogue ---------------------------------------------------------------------------------


def catalogue_version_on(on: date) -> CatalogueVersion | None:
    """The catalogue version in force on ``on`` (court time zone)."""
    dates = CatalogueVersion.objects.values_list("effective_from", flat=True)
    effective = version_in_force(dates, on)
    if effective is None:
        return None
    return CatalogueVersion.objects.get(effective_from=effective)


def case_types_on(on: date, *, accepted: bool | None = None) -> list[CaseType]:
    version = catalogue_version_on(on)
    if version is None:
        return []
    types = version.case_types.all()
    if accepted is not None:
        types = types.filter(accepted=accepted)
    return list(types)


def case_type_on(code: str, on: date) -> CaseType | None:
    version = catalogue_version_on(on)
    if version is None:
        return None
    return version.case_types.filter(code=code).first()


def catalogue_versions() -> QuerySet[CatalogueVersion]:
    return (
        CatalogueVersion.objects.annotate(
            heard=Count("case_types", filter=Q(case_types__accepted=True))
        )
        .select_related("published_by")
        .order_by("-effective_from")
    )


# --- Access ------------------------------------------------------------------------------------


def _is_clerk(user: User) -> bool:
    return user.has_role(Role.FILING_CLERK)


def _party_condition(user: User, prefix: str) -> Q:
    return Q(**{f"{prefix}user": user}) | Q(**{f"{prefix}agents__user": user})


def applications_visible_to(user: User) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    own = Q(created_by=user) | _party_condition(user, "parties__")
    if _is_clerk(user):
        # Submitted at some time, not merely "not a draft": a draft discarded by its author
        # is WITHDRAWN without ever having reached the court.
        own |= Q(submitted_at__isnull=False)
    return Application.objects.filter(pk__in=Application.objects.filter(own).values("pk"))


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    if _is_clerk(user):
        return Case.objects.all()
    if user.has_role(Role.DIVISION_HEAD):  # assigns the division's judges
        return Case.objects.all()
    # The judge, the clerk of one of its hearings, its parties and their agents.
    condition = Q(judge=user) | Q(hearings__clerk=user) | _party_condition(user, "parties__")
    return Case.objects.filter(pk__in=Case.objects.filter(condition).values("pk"))


def application_for_user(user: User, pk: int) -> Application | None:
    return (
        applications_visible_to(user)
        .select_related("case_type", "created_by", "reviewer")
        .filter(pk=pk)
        .first()
    )


def case_for_user(user: User, pk: int) -> Case | None:
    return (
        cases_visible_to(user)
        .select_related("case_type", "judge", "application", "application__created_by")
        .filter(pk=pk)
        .first()
    )


def case_by_number_for_user(user: User, number: str) -> Case | None:
    return cases_visible_to(user).filter(number=number.strip()).first()


def parties_acting_for(
    user: User, *, case: Case | None = None, application: Application | None = None
) -> list[Party]:
    """The parties ``user`` acts as or for (linked account or appointed agent)."""
    parties = Party.objects.filter(_party_condition(user, "")).distinct()
    if case is not None:
        parties = parties.filter(case=case)
    if application is not None:
        parties = parties.filter(application=application)
    return list(parties)


# --- Lists -------------------------------------------------------------------------------------


def applications_of(user: User) -> QuerySet[Application]:
    """A person's own applications (as author or party), newest first."""
    own = Q(created_by=user) | _party_condition(user, "parties__")
    return (
        Application.objects.filter(pk__in=Application.objects.filter(own).values("pk"))
        .select_related("case_type", "case")
        .order_by("-created_at")
    )


def filing_queue() -> QuerySet[Application]:
    """The clerk's queue: open applications, the oldest receipt first."""
    return (
        Application.objects.filter(status__in=OPEN_REVIEW_STATUSES)
        .select_related("case_type", "created_by", "reviewer")
        .prefetch_related(
            Prefetch(
                "deadlines",
                queryset=CaseDeadline.objects.filter(
                    code="filing_decision", met_at__isnull=True, cancelled_at__isnull=True
                ),
                to_attr="open_decision_deadlines",
            )
        )
        .order_by("received_on", "submitted_at", "pk")
    )


def cases_list_for(user: User, *, status: str = "", query: str = "") -> QuerySet[Case]:
    cases = cases_visible_to(user).select_related("case_type", "judge")
    if status == "open":
        cases = cases.filter(status__in=OPEN_CASE_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if query:
        cases = cases.filter(Q(number__icontains=query) | Q(title__icontains=query))
    # docketed_on is indexed; ordering by the timestamp made SQLite sort the whole table.
    return cases.order_by("-docketed_on", "-pk")


def case_parties(case: Case) -> list[Party]:
    return list(
        case.parties.prefetch_related(
            Prefetch("agents", queryset=Agent.objects.select_related("user"))
        ).order_by("side", "position", "pk")
    )


def application_parties(application: Application) -> list[Party]:
    return list(
        application.parties.prefetch_related(
            Prefetch("agents", queryset=Agent.objects.select_related("user"))
        ).order_by("side", "position", "pk")
    )


def case_docket(case: Case) -> list[DocketEntry]:
    return list(case.docket.select_related("filed_by", "party").order_by("number"))


def case_deadlines(case: Case) -> list[CaseDeadline]:
    return list(case.deadlines.select_related("party").order_by("due_date", "pk"))


def deadlines_open_for(user: User, *, limit: int = 20) -> list[CaseDeadline]:
    """Open periods in the applications and cases a person is a party or agent in: the in-app
    reminder on their dashboard."""
    mine = Application.objects.filter(
        Q(created_by=user) | _party_condition(user, "parties__")
    ).values("pk")
    # A subquery, not a join through the agents: a party with two agents would list each of
    # its periods twice.
    my_parties = Party.objects.filter(_party_condition(user, "")).values("pk")
    return list(
        CaseDeadline.objects.filter(
            application__in=mine, met_at__isnull=True, cancelled_at__isnull=True
        )
        .filter(Q(party__isnull=True) | Q(party__in=my_parties))
        .exclude(
            code__in=["filing_decision", "complaint_service", "trial_ordinary", "trial_simplified"]
        )
        .select_related("case", "application", "party")
        .order_by("due_date")[:limit]
    )


# --- Fees --------------------------------------------------------------------------------------


def fee_standing_of(application: Application, *, fee: Decimal | None = None) -> FeeStanding:
    """Whether the application's fee allows docketing; ``fee`` overrides the amount owed (the
    halved fee when the clerk applies the simplified procedure)."""
    from decimal import Decimal

    paid = sum(
        (p.amount for p in application.payments.filter(status=PaymentStatus.PAID)), Decimal(0)
    )
    relief = (
        FeeReliefRequest.objects.filter(application=application, status=ReliefStatus.GRANTED)
        .order_by("-decided_at")
        .first()
    )
    return fee_standing(
        fee=fee if fee is not None else application.fee_amount or Decimal(0),
        paid=paid,
        relief=relief.kind if relief else None,
        reduced_fee=relief.reduced_fee if relief else None,
    )


def payment_pending(application: Application) -> Payment | None:
    return application.payments.filter(status=PaymentStatus.PENDING).first()


def judges_by_load() -> list[User]:
    """Judges, the fewest open cases first (then the longest without a new case)."""
    return list(
        User.objects.filter(role_grants__role=Role.JUDGE, is_active=True)
        .annotate(
            open_cases=Count(
                "cases_as_judge", filter=Q(cases_as_judge__status__in=OPEN_CASE_STATUSES)
            )
        )
        .order_by("open_cases", "pk")
    )
