"""Reads of the mediation capability: who may see a mediation, what of the room each person
may see (caucus privacy lives here), workloads, and the figures for statistics."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import ApplicationStatus, Party
from ecourt.core.selectors import court_today
from ecourt.mediation import rules
from ecourt.mediation.models import (
    ENDED_MEDIATION_STATUSES,
    OPEN_MEDIATION_STATUSES,
    AgreementSignature,
    ConsentKind,
    DiversionProposal,
    Mediation,
    MediationConsent,
    MediationEvent,
    MediationMessage,
    MediationSession,
    MediationStatus,
    Mediator,
    Proposal,
    SettlementAgreement,
)
from ecourt.mediation.services._common import acting_parties, is_mediator_of

M = MediationStatus
#: A clerk's proposal stands only while the application is in filing review; once it is
#: docketed, refused or withdrawn, the plaintiff is no longer asked.
PROPOSABLE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


# --- Access ------------------------------------------------------------------------------------


def _party_condition(user: User) -> Q:
    return (
        Q(application__parties__user=user)
        | Q(application__parties__agents__user=user)
        | Q(application__created_by=user)
    )


def mediations_visible_to(user: User) -> QuerySet[Mediation]:
    """Parties (and their agents) see their mediation; a mediator sees only the matters
    assigned to them now; filing clerks see every mediation's record (never its messages)."""
    if not user.is_authenticated:
        return Mediation.objects.none()
    if user.has_role(Role.FILING_CLERK):
        return Mediation.objects.all()
    condition = _party_condition(user) | Q(mediator__user=user)
    return Mediation.objects.filter(pk__in=Mediation.objects.filter(condition).values("pk"))


def mediation_for_user(user: User, pk: int) -> Mediation | None:
    return (
        mediations_visible_to(user)
        .select_related(
            "application",
            "application__case_type",
            "application__created_by",
            "mediator",
            "mediator__user",
            "mediator__organisation",
            "confirmation_case",
        )
        .filter(pk=pk)
        .first()
    )


def mediation_of_application(user: User, application_id: int) -> Mediation | None:
    return mediations_visible_to(user).filter(application_id=application_id).first()


def is_mediator(user: User, mediation: Mediation) -> bool:
    return is_mediator_of(user, mediation)


def parties_of(user: User, mediation: Mediation) -> list[Party]:
    """The parties ``user`` acts for in this mediation (empty for staff)."""
    return acting_parties(user, mediation) if user.is_authenticated else []


def threads_for(user: User, mediation: Mediation) -> list[Party | None]:
    """The threads ``user`` may read: None is the joint thread; a party is its caucus. The
    mediator reads every thread, a party the joint one and its own caucus, staff none."""
    parties = list(Party.objects.filter(application_id=mediation.application_id))
    if is_mediator_of(user, mediation):
        return [None, *parties]
    mine = parties_of(user, mediation)
    return [None, *mine] if mine else []


def messages_for(user: User, mediation: Mediation) -> list[MediationMessage]:
    """Messages ``user`` may read, oldest first. Caucus messages of other parties never."""
    threads = threads_for(user, mediation)
    if not threads:
        return []
    visible = Q(thread_party__isnull=True)
    caucus = [t.pk for t in threads if t is not None]
    if caucus:
        visible |= Q(thread_party_id__in=caucus)
    return list(
        MediationMessage.objects.filter(mediation=mediation)
        .filter(visible)
        .select_related("author", "author_party", "thread_party")
    )


def message_for(user: User, mediation: Mediation, message_id: int) -> MediationMessage | None:
    return next((m for m in messages_for(user, mediation) if m.pk == message_id), None)


def sessions_for(user: User, mediation: Mediation) -> list[MediationSession]:
    """Sessions ``user`` may see: joint ones, and private ones with a party they act for."""
    threads = threads_for(user, mediation)
    if not threads:
        return []
    caucus = [t.pk for t in threads if t is not None]
    return list(
        MediationSession.objects.filter(mediation=mediation).filter(
            Q(thread_party__isnull=True) | Q(thread_party_id__in=caucus)
        )
    )


def timeline(mediation: Mediation) -> list[MediationEvent]:
    return list(mediation.events.order_by("number"))


def proposals_with_answers(mediation: Mediation) -> list[Proposal]:
    return list(
        Proposal.objects.filter(mediation=mediation).prefetch_related(
            "responses", "responses__party"
        )
    )


def current_agreement(mediation: Mediation) -> SettlementAgreement | None:
    return (
        SettlementAgreement.objects.filter(mediation=mediation, superseded_at__isnull=True)
        .prefetch_related("signatures", "signatures__party", "signatures__signed_by")
        .order_by("-version")
        .first()
    )


def signatures_of(agreement: SettlementAgreement) -> list[AgreementSignature]:
    """Uses the prefetch of ``current_agreement`` when there is one."""
    return list(agreement.signatures.all())


def consents(mediation: Mediation, kind: str) -> list[MediationConsent]:
    return list(mediation.consents.filter(kind=kind).select_related("party"))


def facts_agreed_by(mediation: Mediation) -> set[int]:
    if not mediation.undisputed_facts:
        return set()
    digest = rules.text_sha256(mediation.undisputed_facts)
    return set(
        mediation.consents.filter(kind=ConsentKind.FACTS, subject_sha256=digest).values_list(
            "party_id", flat=True
        )
    )


def open_proposal_for(user: User, application_id: int) -> DiversionProposal | None:
    """The clerk's unanswered proposal of mediation on an application ``user`` filed."""
    return DiversionProposal.objects.filter(
        application_id=application_id,
        application__created_by=user,
        application__status__in=PROPOSABLE_STATUSES,
        accepted__isnull=True,
        lapsed_at__isnull=True,
    ).first()


def open_proposal(application_id: int) -> DiversionProposal | None:
    return DiversionProposal.objects.filter(
        application_id=application_id,
        application__status__in=PROPOSABLE_STATUSES,
        accepted__isnull=True,
        lapsed_at__isnull=True,
    ).first()


# --- Workloads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatterLine:
    mediation: Mediation
    days_left: int | None


def _lines(mediations: QuerySet[Mediation]) -> list[MatterLine]:
    today = court_today()
    return [
        MatterLine(m, (m.due_on - today).days if m.due_on else None)
        for m in mediations.select_related("application", "application__case_type")
    ]


def mediator_of(user: User) -> Mediator | None:
    return Mediator.objects.filter(user=user).select_related("organisation").first()


def workload_of(mediator: Mediator) -> dict[str, object]:
    """A mediator's open matters (soonest due first) and outcome counts."""
    open_matters = Mediation.objects.filter(
        mediator=mediator, status__in=OPEN_MEDIATION_STATUSES
    ).order_by("due_on", "pk")
    outcomes = dict(
        Mediation.objects.filter(mediator=mediator, status__in=ENDED_MEDIATION_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {"open": _lines(open_matters), "outcomes": outcomes}


@dataclass(frozen=True)
class MediatorLine:
    mediator: Mediator
    open_matters: int
    settled: int
    failed: int


def mediators_with_load() -> list[MediatorLine]:
    rows = Mediator.objects.select_related("user", "organisation").annotate(
        open_n=Count("mediations", filter=Q(mediations__status__in=OPEN_MEDIATION_STATUSES)),
        settled_n=Count("mediations", filter=Q(mediations__status=M.SETTLED)),
        failed_n=Count("mediations", filter=Q(mediations__status=M.FAILED)),
    )
    return [MediatorLine(m, m.open_n, m.settled_n, m.failed_n) for m in rows]


def open_mediations() -> list[MatterLine]:
    """Every open mediation for the clerks, those waiting for a mediator first."""
    return _lines(
        Mediation.objects.filter(status__in=OPEN_MEDIATION_STATUSES)
        .select_related("mediator__user")
        # Waiting for a mediator first, then the soonest due (NULL due dates last on both
        # databases: PostgreSQL and SQLite disagree on where NULL sorts by default).
        .annotate(waiting=ExpressionWrapper(Q(mediator__isnull=True), BooleanField()))
        .order_by(F("waiting").desc(), F("due_on").asc(nulls_last=True), "pk")
    )


# --- Figures for statistics --------------------------------------------------------------------


@dataclass(frozen=True)
class MediationFigures:
    diverted: int
    settled: int
    failed: int
    withdrawn: int
    success_rate: float | None  # settled ÷ ended (settled + failed + withdrawn)
    median_days: float | None  # diversion to end, ended mediations


def mediation_figures(*, since: date | None = None, until: date | None = None) -> MediationFigures:
    """Diverted counts by the diversion date; outcomes by the date mediation ended; both
    inclusive of ``since`` and ``until`` (court time zone)."""
    diverted = Mediation.objects.all()
    ended = Mediation.objects.filter(status__in=ENDED_MEDIATION_STATUSES)
    if since:
        diverted = diverted.filter(diverted_on__gte=since)
        ended = ended.filter(ended_on__gte=since)
    if until:
        diverted = diverted.filter(diverted_on__lte=until)
        ended = ended.filter(ended_on__lte=until)
    counts = dict(ended.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    settled, failed, withdrawn = (counts.get(s, 0) for s in (M.SETTLED, M.FAILED, M.WITHDRAWN))
    total = settled + failed + withdrawn
    days = [
        (ended_on - diverted_on).days
        for diverted_on, ended_on in ended.values_list("diverted_on", "ended_on")
        if ended_on is not None
    ]
    return MediationFigures(
        diverted=diverted.count(),
        settled=settled,
        failed=failed,
        withdrawn=withdrawn,
        success_rate=settled / total if total else None,
        median_days=float(statistics.median(days)) if days else None,
    )
