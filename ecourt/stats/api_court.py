"""The court staff's figures as JSON: ``GET /api/v1/stats/court``.

The same figures, definitions and filters as the staff dashboard (docs/statistics.md, "What
court staff see"). Staff only, like the other staff endpoints: anonymous callers get 401,
signed-in people without a staff role 403 (the figures are aggregates; the route's existence
is no secret, it is in the OpenAPI document), staff before the TOTP step 403 from the
middleware.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field

from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import STAFF_ROLES
from ecourt.cases.api_common import NO_CONTROL, problems
from ecourt.stats.selectors import period_parse
from ecourt.stats.selectors_court import FILTERS_APPLIED, court_figures, court_filter_parse

router = Router(tags=["statistics"], auth=django_auth)


class LineOut(Schema):
    code: str = Field(description="Stable code (a status, channel, rule or reason).")
    label: str = Field(description="In the language of the request.")
    count: int


class MediationOut(Schema):
    diverted: int
    by_status: list[LineOut]
    failure_reasons: list[LineOut]
    ended: int
    median_days_to_end: float | None = Field(description="ended_on − diverted_on, ended ones.")


class FilingReviewOut(Schema):
    decided: int
    docketed: int
    refused: int
    limit_days: int
    median_days: float | None = Field(description="Receipt to the court date of decision.")
    within_limit: int
    within_limit_share: float | None = Field(description="0..1; null when none decided.")


class DeliveriesOut(Schema):
    total: int
    served: int
    by_channel: list[LineOut]
    by_outcome: list[LineOut]


class EvidenceOut(Schema):
    deposits: int
    by_institutions: int
    by_people: int
    by_the_court: int
    deposited_bytes: int
    integrated: int
    log_size: int = Field(description="Leaves of the newest signed checkpoint, as of now.")
    log_checkpoint_at: datetime | None
    stored_files: int = Field(description="Files kept by content (evidence, PDFs, scans), now.")
    stored_bytes: int


class HearingLineOut(Schema):
    code: str
    label: str
    hearings: int
    fully_online: int
    with_someone_in_person: int


class HearingsOut(Schema):
    hearings: int
    fully_online: int
    with_someone_in_person: int
    by_status: list[HearingLineOut]
    async_trials_opened: int
    async_trials_closed: int


class ClosingOut(Schema):
    closed: int
    average_days: float | None
    median_days: float | None
    by_mode: list[LineOut]


class FiltersOut(Schema):
    case_type: str | None
    judge: int | None
    applies_to: dict[str, list[str]] = Field(
        description="For each figure, the filters that narrow it (the others do not)."
    )


class VisitsOut(Schema):
    views: int = Field(ge=0, description="HTML page views counted (the public 'visits').")
    visitors: int = Field(ge=0, description="Sum of each day's distinct visitors.")


class CourtFiguresOut(Schema):
    period_from: date = Field(alias="from")
    until: date
    filters: FiltersOut
    visits: VisitsOut
    applications: list[LineOut]
    cases: list[LineOut]
    mediation: MediationOut
    filing_review: FilingReviewOut
    deliveries: DeliveriesOut
    evidence: EvidenceOut
    hearings: HearingsOut
    closing: ClosingOut
    generated_at: datetime


@router.get(
    "/stats/court",
    response=CourtFiguresOut,
    by_alias=True,
    summary="The court staff's figures for a period (staff)",
    description="Days are YYYY-MM-DD, court time zone, both included; either may be left out "
    "(since launch, to today). A malformed day: 400 `date_invalid`; a year before 1900 or "
    "after 9998: 400 `date_out_of_range`; from after until: 400 `period_reversed`; over 20 "
    "years: 400 `period_too_long`; an unknown case type or judge: 400 `case_type_invalid` / "
    "`judge_invalid`. Definitions: docs/statistics.md.",
    openapi_extra=problems(400, 401, 403, 422),
)
def court_statistics(
    request: HttpRequest,
    since: Annotated[
        str | None, Query(None, alias="from", max_length=20, description="First day.")
    ] = None,
    until: Annotated[str | None, Query(None, max_length=20, description="Last day.")] = None,
    case_type: Annotated[
        str | None,
        Query(None, max_length=60, pattern=NO_CONTROL, description="A case-type code."),
    ] = None,
    judge: Annotated[
        str | None,
        Query(None, max_length=20, pattern=NO_CONTROL, description="A judge's user id."),
    ] = None,
) -> dict[str, object]:
    require_roles(request.user, *STAFF_ROLES)
    period = period_parse(since, until)
    court_filter = court_filter_parse(case_type, judge)
    figures = court_figures(period, court_filter)
    return {
        "from": period.start,
        "until": period.end,
        "filters": {
            "case_type": court_filter.case_type or None,
            "judge": court_filter.judge_id,
            "applies_to": {k: list(v) for k, v in FILTERS_APPLIED.items()},
        },
        "visits": figures.visits,
        "applications": figures.applications,
        "cases": figures.cases,
        "mediation": figures.mediation,
        "filing_review": figures.filing_review,
        "deliveries": figures.deliveries,
        "evidence": figures.evidence,
        "hearings": figures.hearings,
        "closing": figures.closing,
        "generated_at": figures.generated_at,
    }
