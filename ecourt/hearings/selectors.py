"""Reads of the trial capability: which hearings a person sees, their upcoming hearings,
courtrooms and the staff who can be chosen. Whoever may not see the case sees none of its
hearings (``cases.selectors.case_for_user`` decides)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import Case
from ecourt.cases.selectors import case_for_user
from ecourt.hearings.models import (
    BUSY_STATUSES,
    Courtroom,
    Hearing,
    HearingParticipant,
    RescheduleRequest,
)


def _with_people(hearings: QuerySet[Hearing]) -> QuerySet[Hearing]:
    return hearings.select_related(
        "case", "courtroom", "judge", "clerk", "summons"
    ).prefetch_related(
        Prefetch(
            "participants",
            queryset=HearingParticipant.objects.select_related("party", "user").order_by("pk"),
        )
    )


def case_hearings(case: Case) -> QuerySet[Hearing]:
    """Every hearing of ``case`` (the caller already decided the person may see the case)."""
    return _with_people(Hearing.objects.filter(case=case)).order_by("starts_at", "pk")


def hearings_of_case_for(user: User, case_id: int) -> list[Hearing] | None:
    """The hearings of a case ``user`` may see, or None when they may not see the case."""
    case = case_for_user(user, case_id)
    if case is None:
        return None
    return list(case_hearings(case))


def hearing_for_user(user: User, pk: int) -> Hearing | None:
    """A hearing, if ``user`` may see its case; otherwise None (a 404 for the caller)."""
    case_id = Hearing.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None or case_for_user(user, case_id) is None:
        return None
    return _with_people(Hearing.objects.filter(pk=pk)).first()


def upcoming_hearings(user: User) -> QuerySet[Hearing]:
    """Hearings still to come or running, where ``user`` is the judge, the clerk, a party
    (linked account) or an agent of a party, soonest first."""
    if not user.is_authenticated:
        return Hearing.objects.none()
    mine = (
        Q(judge=user)
        | Q(clerk=user)
        | Q(participants__user=user)
        | Q(case__parties__user=user)
        | Q(case__parties__agents__user=user)
    )
    ids = Hearing.objects.filter(mine).values("pk")
    return _with_people(
        Hearing.objects.filter(pk__in=ids, status__in=BUSY_STATUSES, ends_at__gt=timezone.now())
    ).order_by("starts_at", "pk")


def reschedule_requests(hearing: Hearing) -> QuerySet[RescheduleRequest]:
    return hearing.reschedules.select_related("party", "requested_by", "decided_by").order_by(
        "-requested_at", "-pk"
    )


def courtrooms() -> QuerySet[Courtroom]:
    return Courtroom.objects.filter(is_active=True).order_by("name")


def judicial_assistants() -> QuerySet[User]:
    """Who may keep a hearing's record."""
    return (
        User.objects.filter(role_grants__role=Role.JUDICIAL_ASSISTANT, is_active=True)
        .distinct()
        .order_by("display_name", "pk")
    )


def active_judges() -> QuerySet[User]:
    return (
        User.objects.filter(role_grants__role=Role.JUDGE, is_active=True)
        .distinct()
        .order_by("display_name", "pk")
    )
