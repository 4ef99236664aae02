"""Open data: the court's public figures as JSON, for anyone (no sign-in).

The values are those of the statistics page and its CSV downloads (``opendata``); each
figure's definition is in docs/statistics.md.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from ecourt.cases.api_common import problems
from ecourt.stats import opendata, selectors

router = Router(tags=["statistics"])


class PublicCaseTypeOut(Schema):
    code: str = Field(description="Case-type code (stable across catalogue versions).")
    name_en: str
    name_zh: str
    applications: int = Field(ge=0)
    share: float = Field(ge=0, le=1, description="Of all applications; 4 decimals.")


class PublicSummaryOut(Schema):
    visits: int = Field(ge=0, description="HTML page views counted.")
    registered_users: int = Field(ge=0, description="Accounts made (court staff excluded).")
    applications: int = Field(ge=0, description="Lawsuit applications first submitted.")
    diverted_to_adr: int = Field(ge=0, description="Diverted to pre-filing mediation.")
    filed: int = Field(ge=0, description="Lawsuits docketed (民初, 行初).")
    closed: int = Field(ge=0, description="Lawsuits closed.")
    online_filing_rate: float | None = Field(
        ge=0,
        le=1,
        description="Share of applications filed by the applicants themselves, 4 decimals; "
        "null when there were none.",
    )
    case_types: list[PublicCaseTypeOut] = Field(description="Largest first.")
    from_: date = Field(alias="from", description="First day counted (court time zone).")
    until: date = Field(description="Last day counted (court time zone).")
    generated_at: datetime


class PublicWeekOut(Schema):
    week_start: date = Field(description="A Monday.")
    applications: int = Field(ge=0)


class PublicWeeklyOut(Schema):
    from_: date = Field(alias="from")
    until: date
    weeks: list[PublicWeekOut]


FromQuery = Annotated[
    str | None,
    Query(
        None,
        alias="from",
        description="First day, YYYY-MM-DD (court time zone); since launch when left out.",
        examples=["2026-01-01"],
    ),
]
UntilQuery = Annotated[
    str | None,
    Query(
        None,
        description="Last day, included, YYYY-MM-DD; today when left out.",
        examples=["2026-12-31"],
    ),
]
PERIOD_ERRORS = (
    "400 problems: `date_invalid` (not YYYY-MM-DD), `date_out_of_range` (before 1900 or "
    "after 9998), `period_reversed` (from after until), `period_too_long` (over 20 years); "
    "`field` names the parameter."
)


@router.get(
    "/stats/summary",
    response=PublicSummaryOut,
    auth=None,
    by_alias=True,
    url_name="stats_summary",
    summary="The court's public figures for a period",
    description="Open data, no sign-in. The same figures as the statistics page and its CSV "
    "downloads (definitions in docs/statistics.md). " + PERIOD_ERRORS,
    openapi_extra=problems(400),
)
def stats_summary(
    request: HttpRequest, from_: FromQuery = None, until: UntilQuery = None
) -> dict[str, Any]:
    period = opendata.period_requested(from_, until)
    return opendata.summary_json(selectors.summary(period))


@router.get(
    "/stats/weekly",
    response=PublicWeeklyOut,
    auth=None,
    by_alias=True,
    url_name="stats_weekly",
    summary="Applications per week in a period",
    description="Open data, no sign-in: applications first submitted per week (Monday to "
    "Sunday; the first and last weeks count only their days in the period), every week "
    "included. " + PERIOD_ERRORS,
    openapi_extra=problems(400),
)
def stats_weekly(
    request: HttpRequest, from_: FromQuery = None, until: UntilQuery = None
) -> dict[str, Any]:
    period = opendata.period_requested(from_, until)
    return opendata.weekly_json(period, opendata.applications_weekly(period))
