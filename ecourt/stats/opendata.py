"""Open data: the public figures as the rows of the CSV downloads and as the JSON of the API.

Both come from the same values (``_summary_values``, ``_case_type_values``), so a CSV file and
the JSON answer for the same period always agree; only the encoding differs: a share or rate is
a JSON number (at most 4 decimals) and a CSV text with exactly 4 decimals, "no rate" is JSON
``null`` and an empty CSV cell. Column names are the JSON keys.

The applications-over-time series are read here too: one query grouped by court day, summed
into weeks (Monday to Sunday, the same weeks as ``selectors.applications_by_week``) or months
in Python. That costs one pass over the period's rows whatever the period's length; one
conditional count per bucket costs rows × buckets, which for a 20-year period of weeks (1,044
buckets) took about 3 s per 100,000 applications on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ecourt.stats.selectors import (
    CaseTypeShare,
    Period,
    Summary,
    WeekCount,
    applications_by_day,
    applications_by_week,
    period_parse,
)

SUMMARY_FIELDS = (
    "visits",
    "registered_users",
    "applications",
    "diverted_to_adr",
    "filed",
    "closed",
    "online_filing_rate",
    "from",
    "until",
    "generated_at",
)
CASE_TYPE_FIELDS = ("code", "name_en", "name_zh", "applications", "share")
WEEK_FIELDS = ("week_start", "applications")

#: Periods up to two years are drawn per week, longer ones per month (at most 241 points for
#: the longest period allowed, 20 years).
WEEKLY_MAX_DAYS = 2 * 366


def period_requested(raw_from: str | None, raw_until: str | None) -> Period:
    """The period a page, CSV or API request asks for (``selectors.period_parse``)."""
    return period_parse(raw_from, raw_until)


# --- The values, shared by CSV and JSON -----------------------------------------------------


def _summary_values(summary: Summary) -> dict[str, Any]:
    generated_at = timezone.localtime(summary.generated_at).replace(microsecond=0)
    return {
        "visits": summary.visits,
        "registered_users": summary.registered_users,
        "applications": summary.applications,
        "diverted_to_adr": summary.diverted_to_adr,
        "filed": summary.filed,
        "closed": summary.closed,
        "online_filing_rate": summary.online_filing_rate,
        "from": summary.period.start.isoformat(),
        "until": summary.period.end.isoformat(),
        "generated_at": generated_at.isoformat(),
    }


def _case_type_values(share: CaseTypeShare) -> dict[str, Any]:
    return {
        "code": share.code,
        "name_en": share.name_en,
        "name_zh": share.name_zh,
        "applications": share.applications,
        "share": share.share,
    }


def _json_value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.4f}"
    return str(value)


# --- JSON -------------------------------------------------------------------------------------


def summary_json(summary: Summary) -> dict[str, Any]:
    """The answer of ``GET /api/v1/stats/summary``: exactly ``SUMMARY_FIELDS`` plus
    ``case_types``; dates and times as ISO 8601 text, shares as numbers."""
    values = {key: _json_value(value) for key, value in _summary_values(summary).items()}
    values["case_types"] = [
        {key: _json_value(value) for key, value in _case_type_values(share).items()}
        for share in summary.case_types
    ]
    return values


def weekly_json(period: Period, weeks: Sequence[WeekCount]) -> dict[str, Any]:
    """The answer of ``GET /api/v1/stats/weekly``."""
    return {
        "from": period.start.isoformat(),
        "until": period.end.isoformat(),
        "weeks": [
            {"week_start": week.week_start.isoformat(), "applications": week.applications}
            for week in weeks
        ],
    }


# --- CSV rows (a header row of machine names, then the data) -------------------------------


def summary_rows(summary: Summary) -> list[list[str]]:
    """``summary.csv``: the headline figures and the period, one row."""
    values = _summary_values(summary)
    return [list(SUMMARY_FIELDS), [_csv_cell(values[key]) for key in SUMMARY_FIELDS]]


def case_type_rows(shares: Sequence[CaseTypeShare]) -> list[list[str]]:
    """``case-types.csv``: applications by case type, largest first (``Summary.case_types``
    or ``selectors.case_type_shares``)."""
    rows = [list(CASE_TYPE_FIELDS)]
    for share in shares:
        values = _case_type_values(share)
        rows.append([_csv_cell(values[key]) for key in CASE_TYPE_FIELDS])
    return rows


def weekly_rows(weeks: Sequence[WeekCount]) -> list[list[str]]:
    """``weekly.csv``: applications per week (Monday to Sunday; the first and last weeks
    count only their days inside the period)."""
    return [list(WEEK_FIELDS)] + [
        [week.week_start.isoformat(), str(week.applications)] for week in weeks
    ]


# --- Applications over time -----------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    month_start: date
    applications: int


def applications_weekly(period: Period) -> list[WeekCount]:
    """Applications per week, Monday to Sunday (``selectors.applications_by_week``)."""
    return applications_by_week(period)


def applications_monthly(period: Period) -> list[MonthCount]:
    """Applications per calendar month, every month touching the period (also those with
    none); the first and last months count only their days inside the period."""
    by_day = applications_by_day(period)
    counts: dict[date, int] = {}
    month = period.start.replace(day=1)
    while month <= period.end:
        counts[month] = 0
        month = (month + timedelta(days=32)).replace(day=1)
    for day, n in by_day.items():
        counts[day.replace(day=1)] += n
    return [MonthCount(month_start=start, applications=n) for start, n in counts.items()]


def is_weekly(period: Period) -> bool:
    """Whether the page draws the period per week (else per month)."""
    return period.days <= WEEKLY_MAX_DAYS
