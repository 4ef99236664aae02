"""The public figures: what the court reports, computed live from its own records.

Each figure's exact definition is in docs/statistics.md; the functions below are those
definitions and nothing else. A period is a pair of court-time-zone dates, both included.

Why live: every figure is a count over one indexed date column (``Application.submitted_on``,
``Mediation.diverted_on``, ``Case.docketed_on``, ``Case.closed_at``, ``User.date_joined``) or a
sum over the daily visit rows, so it is read from an index range, correct the moment a record
changes, and needs no second copy that could drift. The dates that decide the period are set
once by the services (first submission, diversion, docketing, closing) and never move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecourt.accounts.models import RoleGrant, User
from ecourt.accounts.roles import STAFF_ROLES
from ecourt.cases.models import Application, Case, CaseStatus, CaseType
from ecourt.cases.rules.case_numbers import CaseTypeCode
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_today
from ecourt.mediation.models import Mediation
from ecourt.stats.models import VisitDay

#: Case-number type codes of lawsuits (first-instance civil and administrative cases). A 民特
#: case (judicial confirmation of a mediation agreement) is docketed too, but it is not a
#: lawsuit filed; it is counted with ADR, never as "filed".
LAWSUIT_TYPE_CODES = (
    CaseTypeCode.CIVIL_FIRST_INSTANCE.value,
    CaseTypeCode.ADMINISTRATIVE_FIRST_INSTANCE.value,
)


@dataclass(frozen=True)
class Period:
    """Court-time-zone dates, both included."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class CaseTypeShare:
    code: str
    name_en: str
    name_zh: str
    applications: int
    share: Decimal


@dataclass(frozen=True)
class Summary:
    period: Period
    visits: int
    registered_users: int
    applications: int
    diverted_to_adr: int
    filed: int
    closed: int
    online_filing_rate: Decimal | None
    case_types: list[CaseTypeShare]
    generated_at: datetime


def launch_date() -> date:
    """The first day the statistics cover by default: ``ECOURT_LAUNCH_DATE`` when set, else
    the first day anything was counted (a visit or a submitted application), else today."""
    configured: date | None = getattr(settings, "ECOURT_LAUNCH_DATE", None)
    if configured:
        return configured
    first_visit = VisitDay.objects.aggregate(first=Min("day"))["first"]
    first_submission = Application.objects.aggregate(first=Min("submitted_on"))["first"]
    candidates = [first_visit] if first_visit else []
    if first_submission:
        candidates.append(first_submission)
    return min(candidates) if candidates else court_today()


def period_default() -> Period:
    """Since launch, to today; at most the longest period one request may ask for."""
    today = court_today()
    earliest = today - timedelta(days=MAX_PERIOD_DAYS - 1)
    return Period(start=max(min(launch_date(), today), earliest), end=today)


#: The longest period one request may ask for (the weekly series and the grouped counts stay
#: small and fast within it).
MAX_PERIOD_DAYS = 20 * 366
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9998, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def period_parse(raw_from: str | None, raw_until: str | None) -> Period:
    """The period a page or API request asks for; either end may be missing (since launch, to
    today). Raises ``DomainError`` with a message for the person who typed it."""
    default = period_default()

    def one(raw: str | None, field: str, fallback: date) -> date:
        if raw is None or not raw.strip():
            return fallback
        text = raw.strip()
        try:
            if not _ISO_DAY.fullmatch(text):  # fromisoformat also takes 20181031, 2018-W44-3
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            raise DomainError(
                _("Enter the date as YYYY-MM-DD, for example 2018-10-31."),
                code="date_invalid",
                field=field,
            ) from None
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            # The ends of the calendar overflow the period's arithmetic (and SQLite's).
            raise DomainError(
                _("Enter a date between 1900-01-01 and 9998-12-31."),
                code="date_out_of_range",
                field=field,
            )
        return day

    start = one(raw_from, "from", default.start)
    end = one(raw_until, "until", default.end)
    if start > end:
        # Name the field the person typed: an end before the launch with no start given is
        # the end's mistake.
        field = "from" if raw_from and raw_from.strip() else "until"
        raise DomainError(
            _("The start date is after the end date."), code="period_reversed", field=field
        )
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DomainError(
            _("Choose a period of at most 20 years."), code="period_too_long", field="from"
        )
    return Period(start=start, end=end)


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def applications_in(period: Period) -> QuerySet[Application]:
    """Lawsuit applications the court received in the period: first submitted in it. A draft
    never submitted is not an application; a later withdrawal, refusal or diversion does not
    take one back."""
    return Application.objects.filter(submitted_on__gte=period.start, submitted_on__lte=period.end)


def _staff_ids() -> QuerySet[RoleGrant, Any]:
    """Accounts holding a court staff role: a short list, so ``IN`` it is cheap."""
    return RoleGrant.objects.filter(role__in=STAFF_ROLES).values("user_id")


def registered_users_in(period: Period) -> QuerySet[User]:
    """Accounts people made for themselves in the period: court staff accounts (made by the
    court administrator) are not registrations."""
    return User.objects.filter(
        date_joined__gte=period.start_at, date_joined__lt=period.end_before
    ).exclude(pk__in=_staff_ids())


def registered_users_count(period: Period) -> int:
    """``registered_users_in(period).count()``, read from the joining-date index: all accounts
    made in the period less the (few) staff accounts among them."""
    joined = User.objects.filter(
        date_joined__gte=period.start_at, date_joined__lt=period.end_before
    )
    return joined.count() - joined.filter(pk__in=_staff_ids()).count()


def diverted_in(period: Period) -> QuerySet[Mediation]:
    """Applications that went into pre-filing mediation in the period (the diversion date)."""
    return Mediation.objects.filter(diverted_on__gte=period.start, diverted_on__lte=period.end)


def filed_in(period: Period) -> QuerySet[Case]:
    """Lawsuits officially filed (docketed, 立案) in the period, by docketing date."""
    return Case.objects.filter(
        type_code__in=LAWSUIT_TYPE_CODES,
        docketed_on__gte=period.start,
        docketed_on__lte=period.end,
    )


def closed_in(period: Period) -> QuerySet[Case]:
    """Lawsuits closed (结案) in the period, by closing time, whenever they were filed."""
    return Case.objects.filter(
        type_code__in=LAWSUIT_TYPE_CODES,
        status=CaseStatus.CLOSED,
        closed_at__gte=period.start_at,
        closed_at__lt=period.end_before,
    )


def visits_in(period: Period) -> int:
    total = VisitDay.objects.filter(day__gte=period.start, day__lte=period.end).aggregate(
        total=Sum("views")
    )["total"]
    return int(total or 0)


def case_type_names() -> dict[str, tuple[str, str]]:
    """Each case-type code's names, from the newest catalogue version that has it."""
    names: dict[str, tuple[str, str]] = {}
    rows = CaseType.objects.order_by("version__effective_from").values_list(
        "code", "name_en", "name_zh"
    )
    for code, name_en, name_zh in rows:
        names[code] = (name_en, name_zh)  # later versions overwrite earlier ones
    return names


def case_type_shares(period: Period, *, total: int | None = None) -> list[CaseTypeShare]:
    """Applications of the period by case-type code (the same dispute keeps its code across
    catalogue versions), largest first; shares of all applications of the period."""
    # Grouped by the case type's id (read from the index), then folded into codes: one code
    # has one row per catalogue version.
    rows = applications_in(period).values_list("case_type_id").annotate(n=Count("id")).order_by()
    code_of = dict(CaseType.objects.values_list("pk", "code"))
    counts: dict[str, int] = {}
    for case_type_id, n in rows:
        code = code_of.get(case_type_id, "") if case_type_id is not None else ""
        counts[code] = counts.get(code, 0) + n
    if total is None:
        total = sum(counts.values())
    names = case_type_names()
    result = []
    for code, n in counts.items():
        name_en, name_zh = names.get(code, ("Not given", "未选择"))
        result.append(
            CaseTypeShare(
                code=code,
                name_en=name_en,
                name_zh=name_zh,
                applications=n,
                share=_ratio(n, total) or Decimal("0"),
            )
        )
    result.sort(key=lambda s: (-s.applications, s.code))
    return result


def online_filing_rate(period: Period, *, applications: int) -> Decimal | None:
    """Share of the period's applications that the applicants filed online themselves (not
    entered by court staff on someone's behalf). None when there were no applications."""
    if not applications:
        return None
    by_staff = applications_in(period).filter(created_by_id__in=_staff_ids()).count()
    return _ratio(applications - by_staff, applications)


def summary(period: Period) -> Summary:
    """The court's public figures for the period (docs/statistics.md)."""
    applications = applications_in(period).count()
    return Summary(
        period=period,
        visits=visits_in(period),
        registered_users=registered_users_count(period),
        applications=applications,
        diverted_to_adr=diverted_in(period).count(),
        filed=filed_in(period).count(),
        closed=closed_in(period).count(),
        online_filing_rate=online_filing_rate(period, applications=applications),
        case_types=case_type_shares(period, total=applications),
        generated_at=timezone.now(),
    )


@dataclass(frozen=True)
class WeekCount:
    week_start: date
    applications: int


def applications_by_day(period: Period) -> dict[date, int]:
    """Applications first submitted on each court day of the period (days without any are
    left out): one query grouped by the day of first submission, read from its index."""
    rows = applications_in(period).values_list("submitted_on").annotate(n=Count("id"))
    return dict(rows.order_by())


def applications_by_week(period: Period) -> list[WeekCount]:
    """Applications per week (Monday to Sunday; the first and last weeks count only their days
    inside the period), every week touching the period, also those with none."""
    counts: dict[date, int] = {}
    week = period.start - timedelta(days=period.start.weekday())
    while week <= period.end:
        counts[week] = 0
        week += timedelta(days=7)
    for day, n in applications_by_day(period).items():
        counts[day - timedelta(days=day.weekday())] += n
    return [WeekCount(week_start=start, applications=n) for start, n in counts.items()]
