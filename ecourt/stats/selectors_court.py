"""The court staff's figures: how the court's work is going, computed live from its records.

Each function below is one figure of docs/statistics.md ("What court staff see") and its
docstring is that figure's definition. A period is a pair of court-time-zone dates, both
included (``ecourt.stats.selectors.Period``); each figure says which date puts a record in it.

Filters: a case type (its code, stable across catalogue versions) narrows every figure whose
records have one, through their application or case; a judge (a user id) narrows the figures
made of cases (cases, closings, deliveries, hearings, asynchronous trials) to the cases
assigned to that judge now. ``FILTERS_APPLIED`` says which figure takes which.

Every figure is a fixed number of grouped or aggregate queries, whatever the number of rows.
The medians and the filing-review times read a short list of date columns of the selected rows
and compute in Python: a median has no portable SQL form (PostgreSQL has
``percentile_cont``, SQLite nothing), and a date difference in days has none either.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import (
    Application,
    ApplicationStatus,
    CaseDeadline,
    CaseStatus,
    CaseType,
    ClosingMode,
)
from ecourt.core import deadlines
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_calendar
from ecourt.delivery.models import Channel, Delivery, DeliveryStatus
from ecourt.delivery.rules import OFFLINE_RULE
from ecourt.evidence.models import Blob, Checkpoint, Deposit
from ecourt.evidence.services.log import COURT_DEPOSITOR
from ecourt.hearings.models import AsyncTrial, AsyncTrialStatus, Hearing, HearingStatus
from ecourt.mediation.models import FailureReason, MediationStatus
from ecourt.stats.selectors import (
    Period,
    applications_in,
    closed_in,
    diverted_in,
    filed_in,
    visits_in,
)
from ecourt.stats.visits import visitors_in

#: The period code of the 7-day filing decision (CPL Art. 126) in ecourt.core.deadlines.
FILING_DECISION = "filing_decision"
FILING_LIMIT_DAYS = deadlines.PERIODS[FILING_DECISION].length

#: The filters each figure takes (the API returns it; the page and docs/statistics.md say
#: the same in words).
FILTERS_APPLIED: dict[str, tuple[str, ...]] = {
    "visits": (),
    "applications": ("case_type",),
    "cases": ("case_type", "judge"),
    "mediation": ("case_type",),
    "filing_review": ("case_type",),
    "deliveries": ("case_type", "judge"),
    "evidence": (),
    "hearings": ("case_type", "judge"),
    "closing": ("case_type", "judge"),
}


# --- Filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourtFilter:
    """What the staff narrowed the figures to; empty means everything."""

    case_type: str = ""
    judge_id: int | None = None


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def case_type_options() -> list[Option]:
    """Every case-type code in any catalogue version, named as in its newest version, in
    catalogue order (first appearance)."""
    names: dict[str, tuple[str, str]] = {}
    rows = CaseType.objects.order_by("version__effective_from", "position", "pk").values_list(
        "code", "name_en", "name_zh"
    )
    for code, name_en, name_zh in rows:
        names[code] = (name_en, name_zh)  # dicts keep the first position, take the last names
    chinese = (get_language() or "").startswith("zh")
    return [Option(code, zh if chinese else en) for code, (en, zh) in names.items()]


def judge_options() -> list[Option]:
    """The people holding the judge role, by name."""
    judges = (
        User.objects.filter(role_grants__role=Role.JUDGE)
        .order_by("display_name", "pk")
        .values_list("pk", "display_name")
    )
    return [Option(str(pk), name) for pk, name in judges]


_ID = re.compile(r"[0-9]{1,18}")  # str.isdigit() also says yes to "²"


def court_filter_parse(raw_case_type: str | None, raw_judge: str | None) -> CourtFilter:
    """The filters a request asks for (empty: none). Raises ``DomainError`` for a case type
    no catalogue has, or for anyone who does not hold the judge role."""
    code = (raw_case_type or "").strip()
    if code and not CaseType.objects.filter(code=code).exists():
        raise DomainError(
            _("Choose a case type from the list."), code="case_type_invalid", field="case_type"
        )
    judge = (raw_judge or "").strip()
    if not judge:
        return CourtFilter(case_type=code)
    if not _ID.fullmatch(judge) or not (
        User.objects.filter(pk=int(judge), role_grants__role=Role.JUDGE).exists()
    ):
        raise DomainError(_("Choose a judge from the list."), code="judge_invalid", field="judge")
    return CourtFilter(case_type=code, judge_id=int(judge))


M = TypeVar("M", bound=Model)


def _narrowed(
    rows: QuerySet[M],
    court_filter: CourtFilter,
    *,
    case_type: str | None,
    judge: str | None = None,
) -> QuerySet[M]:
    """``rows`` filtered by the case type at the lookup ``case_type`` and by the judge at the
    lookup ``judge``; a lookup of None means the figure does not take that filter."""
    if court_filter.case_type and case_type:
        rows = rows.filter(**{case_type: court_filter.case_type})
    if court_filter.judge_id is not None and judge:
        rows = rows.filter(**{judge: court_filter.judge_id})
    return rows


# --- Shapes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of a table: a stable code, its label in the current language, a count."""

    code: str
    label: str
    count: int


def _lines(choices: Iterable[tuple[str, object]], counts: dict[str, int]) -> list[Line]:
    return [Line(code, str(label), counts.get(code, 0)) for code, label in choices]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: list[int]) -> float | None:
    return round(float(statistics.median(values)), 1) if values else None


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _court_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def _between(field: str, period: Period) -> Q:
    """``field`` (a datetime) within the period's court-time-zone days."""
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_before})


# --- 1. Applications and cases by current status -----------------------------------------------


def applications_by_status(period: Period, court_filter: CourtFilter) -> list[Line]:
    """Applications first submitted in the period (as the public figure "applications"), by
    their status today: one line per status an application can have after submission, in
    the order of ``ApplicationStatus``. Takes the case-type filter; not the judge filter (an
    application has no judge before it is docketed)."""
    rows = _narrowed(applications_in(period), court_filter, case_type="case_type__code")
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    choices = [(c, label) for c, label in ApplicationStatus.choices if c != ApplicationStatus.DRAFT]
    return _lines(choices, counts)


def cases_by_status(period: Period, court_filter: CourtFilter) -> list[Line]:
    """Lawsuits (民初 and 行初) docketed in the period (as the public figure "filed"), by
    their stage today (``CaseStatus``). 民特 judicial-confirmation cases are not lawsuits and
    are left out. Takes both filters (the judge: cases assigned to that judge now)."""
    rows = _narrowed(filed_in(period), court_filter, case_type="case_type__code", judge="judge_id")
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    return _lines(CaseStatus.choices, counts)


# --- 2. Mediation outcomes ---------------------------------------------------------------------


@dataclass(frozen=True)
class MediationOutcomes:
    diverted: int
    by_status: list[Line]
    failure_reasons: list[Line]
    ended: int
    median_days_to_end: float | None


_ENDED = (MediationStatus.SETTLED, MediationStatus.FAILED, MediationStatus.WITHDRAWN)


def mediation_outcomes(period: Period, court_filter: CourtFilter) -> MediationOutcomes:
    """Mediations diverted in the period (``diverted_on``, as the public figure "diverted to
    ADR"), by their status today, and the failed ones by failure reason. The median days to
    the end is over those of them that ended (settled, failed or withdrawn):
    ``ended_on − diverted_on`` in calendar days. Takes the case-type filter (the
    application's); not the judge filter (mediation comes before any case)."""
    rows = _narrowed(diverted_in(period), court_filter, case_type="application__case_type__code")
    grouped = rows.values_list("status", "failure_reason").annotate(n=Count("id")).order_by()
    by_status: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for status, reason, n in grouped:  # one row per (status, reason) pair, a handful at most
        by_status[status] = by_status.get(status, 0) + n
        if status == MediationStatus.FAILED and reason:
            reasons[reason] = reasons.get(reason, 0) + n
    ended = rows.filter(status__in=_ENDED).values_list("diverted_on", "ended_on").order_by()
    days = [(ended_on - diverted_on).days for diverted_on, ended_on in ended if ended_on]
    return MediationOutcomes(
        diverted=sum(by_status.values()),
        by_status=_lines(MediationStatus.choices, by_status),
        failure_reasons=_lines(FailureReason.choices, reasons),
        ended=len(days),
        median_days_to_end=_median(days),
    )


# --- 3. Filing review against the 7-day limit --------------------------------------------------


@dataclass(frozen=True)
class FilingReview:
    decided: int
    docketed: int
    refused: int
    limit_days: int
    median_days: float | None
    within_limit: int
    within_limit_share: float | None

    @property
    def within_limit_percent(self) -> float | None:
        """For display with one decimal: 199 of 200 is 99.5%, not a rounded 100%."""
        return None if self.within_limit_share is None else self.within_limit_share * 100


def filing_review(period: Period, court_filter: CourtFilter) -> FilingReview:
    """Applications whose filing decision was made in the period (``decided_at``: docketed
    or refused; a withdrawal or a diversion to mediation is not a decision).

    Review time: calendar days from ``received_on`` (the day the complete application
    arrived: submission, the corrected resubmission, or the end of a failed mediation; the
    7-day period counts from it) to the court date of the decision. Within the limit: the
    filing-decision period (CPL Art. 126, code ``filing_decision``) met by its due date,
    which is 7 days after receipt moved to the next working day (CPL Art. 85). The stored
    period met by the decision is used; for an application without one, the due date is
    computed the same way from ``received_on``. Takes the case-type filter; not the judge
    filter (a refused application never has a judge)."""
    decided = _narrowed(
        Application.objects.filter(
            _between("decided_at", period),
            status__in=(ApplicationStatus.DOCKETED, ApplicationStatus.REFUSED),
        ),
        court_filter,
        case_type="case_type__code",
    )
    counts = decided.aggregate(
        docketed=Count("id", filter=Q(status=ApplicationStatus.DOCKETED)),
        refused=Count("id", filter=Q(status=ApplicationStatus.REFUSED)),
    )
    # Earlier periods of the same application were cancelled (corrections, mediation); the one
    # the decision met is the one that counts.
    met = CaseDeadline.objects.filter(
        application=OuterRef("pk"), code=FILING_DECISION, met_at__isnull=False
    ).order_by("-met_at")
    rows = (
        decided.annotate(
            limit_due=Subquery(met.values("due_date")[:1]),
            limit_met_at=Subquery(met.values("met_at")[:1]),
        )
        .values_list("received_on", "decided_at", "limit_due", "limit_met_at")
        .order_by()
    )
    days: list[int] = []
    measured = within = 0
    calendar = None
    for received_on, decided_at, due, met_at in rows:
        if decided_at is None:
            continue  # excluded by the query; says so to the type checker
        decided_on = _court_date(decided_at)
        if received_on is not None:
            days.append((decided_on - received_on).days)
        if due is not None and met_at is not None:
            in_time = _court_date(met_at) <= due
        elif received_on is not None:
            calendar = calendar or court_calendar()  # one query, only when needed
            due = deadlines.deadline(FILING_DECISION, received_on, court_calendar=calendar).due
            in_time = decided_on <= due
        else:
            continue  # the services always set received_on; nothing to measure without it
        measured += 1
        within += in_time
    return FilingReview(
        decided=counts["docketed"] + counts["refused"],
        docketed=counts["docketed"],
        refused=counts["refused"],
        limit_days=FILING_LIMIT_DAYS,
        median_days=_median(days),
        within_limit=within,
        within_limit_share=_share(within, measured),
    )


# --- 4. Deliveries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFigures:
    total: int
    served: int
    by_channel: list[Line]
    by_outcome: list[Line]


NOT_SERVED = "not_served"

#: How a delivery was served (``Delivery.served_rule``, ecourt.delivery.rules), in words.
SERVED_RULE_LABELS = {
    "confirmed.reached": gettext_lazy("Served on arrival at an address the recipient confirmed"),
    "confirmed.read": gettext_lazy("Served when read (confirmed address)"),
    "confirmed.acted": gettext_lazy("Served when the recipient acted (confirmed address)"),
    "unconfirmed.read": gettext_lazy("Served when read (address not confirmed)"),
    "unconfirmed.acted": gettext_lazy("Served when the recipient acted (address not confirmed)"),
    OFFLINE_RULE.code: gettext_lazy("Served offline, with a scanned proof"),
}
#: Deliveries not served (yet), by where they stand.
UNSERVED_LABELS = {
    "not_served.failed": gettext_lazy("Not served: failed, waiting for staff"),
    "not_served.offline": gettext_lazy("Not served: switched to offline service"),
    "not_served.in_progress": gettext_lazy("Not served yet: on its way or unread"),
}


def _unserved_kind(status: str) -> str:
    if status == DeliveryStatus.FAILED:
        return "not_served.failed"
    if status == DeliveryStatus.OFFLINE:
        return "not_served.offline"
    return "not_served.in_progress"


def deliveries(period: Period, court_filter: CourtFilter) -> DeliveryFigures:
    """Service of court documents (legal deliveries; notices are never service) created in
    the period, one per document and recipient.

    By channel: the channel whose event served it (``served_channel``: platform inbox, text
    message, email, institution inbox), served offline, or not served yet. By outcome: the
    rule that made it served (``served_rule``: on arrival at a confirmed address, when read,
    when the recipient acted, offline with a proof), or, when not served, whether it failed,
    went to offline service or is still on its way. Takes both filters, through the case."""
    rows = _narrowed(
        Delivery.objects.filter(_between("created_at", period), legal=True),
        court_filter,
        case_type="case__case_type__code",
        judge="case__judge_id",
    )
    grouped = (
        rows.values_list("served_rule", "served_channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    channels: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    for rule, channel, status, n in grouped:  # one row per combination, a few dozen at most
        if not rule:
            channel_key, outcome_key = NOT_SERVED, _unserved_kind(status)
        else:
            # Only offline service leaves the channel empty (served_time_change clears it).
            channel_key = channel or "offline"
            outcome_key = rule
        channels[channel_key] = channels.get(channel_key, 0) + n
        outcomes[outcome_key] = outcomes.get(outcome_key, 0) + n
    channel_choices: list[tuple[str, object]] = [
        *Channel.choices,
        ("offline", gettext_lazy("Offline (paper)")),
        (NOT_SERVED, gettext_lazy("Not served yet")),
    ]
    # A rule added later still shows, under its code, until it gets words here.
    unknown = [(c, c) for c in outcomes if c not in SERVED_RULE_LABELS and c not in UNSERVED_LABELS]
    outcome_choices: list[tuple[str, object]] = [
        *SERVED_RULE_LABELS.items(),
        *unknown,
        *UNSERVED_LABELS.items(),
    ]
    total = sum(channels.values())
    return DeliveryFigures(
        total=total,
        served=total - channels.get(NOT_SERVED, 0),
        by_channel=_lines(channel_choices, channels),
        by_outcome=_lines(outcome_choices, outcomes),
    )


# --- 5. Evidence deposits and the log ----------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFigures:
    deposits: int
    by_institutions: int
    by_people: int
    by_the_court: int
    deposited_bytes: int
    integrated: int
    log_size: int
    log_checkpoint_at: datetime | None
    stored_files: int
    stored_bytes: int


def evidence(period: Period) -> EvidenceFigures:
    """Deposits in the evidence log accepted in the period (``accepted_at``), by depositor
    (an institution over the API, a person uploading a file, the court itself for the
    documents it issues and its proofs of service), the total size of the deposited files
    (the log holds their SHA-256, not the files) and how many of them are in the log already.

    The log size is the number of leaves of the newest signed checkpoint, and the stored files
    are every file the platform keeps by its content (evidence files, the PDFs of issued
    documents, scanned proofs of service; each content once) with their total bytes: both as
    of now, whatever the period. No filter applies (an institution's deposit belongs to no case)."""
    counts = Deposit.objects.filter(_between("accepted_at", period)).aggregate(
        deposits=Count("id"),
        by_institutions=Count("id", filter=Q(institution__isnull=False)),
        by_people=Count("id", filter=Q(user__isnull=False)),
        by_the_court=Count("id", filter=Q(depositor_id=COURT_DEPOSITOR)),
        deposited_bytes=Sum("size"),
        integrated=Count("id", filter=Q(leaf_index__isnull=False)),
    )
    newest = Checkpoint.objects.order_by("-size").values_list("size", "created_at").first()
    stored = Blob.objects.aggregate(files=Count("id"), bytes=Sum("size"))
    return EvidenceFigures(
        deposits=counts["deposits"],
        by_institutions=counts["by_institutions"],
        by_people=counts["by_people"],
        by_the_court=counts["by_the_court"],
        deposited_bytes=int(counts["deposited_bytes"] or 0),
        integrated=counts["integrated"],
        log_size=newest[0] if newest else 0,
        log_checkpoint_at=newest[1] if newest else None,
        stored_files=stored["files"],
        stored_bytes=int(stored["bytes"] or 0),
    )


# --- 6. Hearings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HearingLine:
    code: str
    label: str
    hearings: int
    fully_online: int
    with_someone_in_person: int


@dataclass(frozen=True)
class HearingFigures:
    hearings: int
    fully_online: int
    with_someone_in_person: int
    by_status: list[HearingLine]
    async_trials_opened: int
    async_trials_closed: int


def hearings(period: Period, court_filter: CourtFilter) -> HearingFigures:
    """Hearings set to start in the period (``starts_at``), by status today, split into
    those fully online (every participant online) and those where someone attends in person
    (a participant marked offline: a party that did not consent to online litigation, or its
    agent). Every hearing is held in a virtual courtroom; "in person" is about who joins.
    Also the asynchronous trials opened in the period (``opened_at``) and how many of them
    are closed. Takes both filters, through the case."""
    rows = _narrowed(
        Hearing.objects.filter(_between("starts_at", period)),
        court_filter,
        case_type="case__case_type__code",
        judge="case__judge_id",
    )
    grouped = (
        rows.values("status")
        .annotate(
            n=Count("id", distinct=True),
            in_person=Count("id", filter=Q(participants__offline=True), distinct=True),
        )
        .order_by()
    )
    found = {row["status"]: (row["n"], row["in_person"]) for row in grouped}
    lines = []
    for code, label in HearingStatus.choices:
        n, in_person = found.get(code, (0, 0))
        lines.append(HearingLine(code, str(label), n, n - in_person, in_person))
    trials = _narrowed(
        AsyncTrial.objects.filter(_between("opened_at", period)),
        court_filter,
        case_type="case__case_type__code",
        judge="case__judge_id",
    ).aggregate(opened=Count("id"), closed=Count("id", filter=Q(status=AsyncTrialStatus.CLOSED)))
    return HearingFigures(
        hearings=sum(line.hearings for line in lines),
        fully_online=sum(line.fully_online for line in lines),
        with_someone_in_person=sum(line.with_someone_in_person for line in lines),
        by_status=lines,
        async_trials_opened=trials["opened"],
        async_trials_closed=trials["closed"],
    )


# --- 7. Days from filing to closing ------------------------------------------------------------


@dataclass(frozen=True)
class ClosingTimes:
    closed: int
    average_days: float | None
    median_days: float | None
    by_mode: list[Line]


def closing_times(period: Period, court_filter: CourtFilter) -> ClosingTimes:
    """Lawsuits closed in the period (as the public figure "closed"), by closing mode, and
    the average and median of the calendar days from docketing (``docketed_on``) to the court
    date of closing (``closed_at``). Takes both filters."""
    rows = _narrowed(closed_in(period), court_filter, case_type="case_type__code", judge="judge_id")
    modes = dict(rows.values_list("closing_mode").annotate(n=Count("id")).order_by())
    dates = rows.values_list("docketed_on", "closed_at").order_by()
    days = [
        (_court_date(closed_at) - docketed_on).days for docketed_on, closed_at in dates if closed_at
    ]
    return ClosingTimes(
        closed=len(days),
        average_days=_mean(days),
        median_days=_median(days),
        by_mode=_lines(ClosingMode.choices, modes),
    )


# --- All of them -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFigures:
    views: int
    visitors: int


def visit_figures(period: Period) -> VisitFigures:
    """Page views (the public figure "visits") and visitors: the sum of each day's distinct
    visitors (one address and browser on one court day; docs/statistics.md, Visits). No filter
    applies."""
    return VisitFigures(views=visits_in(period), visitors=visitors_in(period))


@dataclass(frozen=True)
class CourtFigures:
    period: Period
    court_filter: CourtFilter
    visits: VisitFigures
    applications: list[Line]
    cases: list[Line]
    mediation: MediationOutcomes
    filing_review: FilingReview
    deliveries: DeliveryFigures
    evidence: EvidenceFigures
    hearings: HearingFigures
    closing: ClosingTimes
    generated_at: datetime

    @property
    def applications_total(self) -> int:
        return sum(line.count for line in self.applications)

    @property
    def cases_total(self) -> int:
        return sum(line.count for line in self.cases)


def court_figures(period: Period, court_filter: CourtFilter | None = None) -> CourtFigures:
    """Every figure of the staff dashboard for the period (docs/statistics.md)."""
    court_filter = court_filter or CourtFilter()
    return CourtFigures(
        period=period,
        court_filter=court_filter,
        visits=visit_figures(period),
        applications=applications_by_status(period, court_filter),
        cases=cases_by_status(period, court_filter),
        mediation=mediation_outcomes(period, court_filter),
        filing_review=filing_review(period, court_filter),
        deliveries=deliveries(period, court_filter),
        evidence=evidence(period),
        hearings=hearings(period, court_filter),
        closing=closing_times(period, court_filter),
        generated_at=timezone.now(),
    )
