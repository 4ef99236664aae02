"""The case-type catalogue and the fee estimate (public), and publishing a new catalogue
version (court administrators)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import Role
from ecourt.cases import selectors, services
from ecourt.cases.api_common import (
    NO_CONTROL,
    NO_CONTROL_MULTILINE,
    SIGNED_IN,
    InvalidInput,
    Money,
    NotFoundProblem,
    actor,
    amount_param,
    date_param,
    money,
    problems,
)
from ecourt.cases.models import CaseType, CatalogueVersion
from ecourt.cases.rules import fees as fee_rules
from ecourt.cases.rules.case_numbers import CaseTypeCode
from ecourt.cases.rules.jurisdiction import CaseTypeSpec
from ecourt.cases.services.applications import fee_schedule

router = Router(tags=["catalogue"])


class CaseTypeOut(Schema):
    code: str
    name_en: str
    name_zh: str
    hint_en: str
    hint_zh: str
    accepted: bool = Field(description="False: not heard here; see competent_court_*.")
    procedure_family: str = Field(description="civil or administrative")
    fee_category: str
    number_type: str = Field(description="Case-number type code given on docketing.")
    competent_court_en: str
    competent_court_zh: str


class CatalogueOut(Schema):
    effective_from: date
    basis: str
    note: str
    types: list[CaseTypeOut]


def _no_catalogue(on: date) -> NotFoundProblem:
    return NotFoundProblem(
        _("No case-type catalogue was in force on %(date)s.") % {"date": on.isoformat()},
        code="no_catalogue",
        field="on",
    )


def _catalogue_out(version: CatalogueVersion, types: list[CaseType]) -> CatalogueOut:
    return CatalogueOut(
        effective_from=version.effective_from,
        basis=version.basis,
        note=version.note,
        types=[
            CaseTypeOut(
                code=t.code,
                name_en=t.name_en,
                name_zh=t.name_zh,
                hint_en=t.hint_en,
                hint_zh=t.hint_zh,
                accepted=t.accepted,
                procedure_family=t.procedure_family,
                fee_category=t.fee_category,
                number_type=t.number_type,
                competent_court_en=t.competent_court_en,
                competent_court_zh=t.competent_court_zh,
            )
            for t in types
        ],
    )


DateQuery = Annotated[
    str | None,
    Query(
        None,
        max_length=20,
        description="YYYY-MM-DD in the court's time zone; today when left out.",
        examples=["2026-05-01"],
    ),
]


@router.get(
    "/case-types",
    response=CatalogueOut,
    auth=None,
    summary="The case types in the catalogue in force on a day",
    description="422 `date_invalid` for a malformed date; 404 `no_catalogue` before the "
    "first catalogue version took effect (2018-09-07 for the shipped list).",
    openapi_extra=problems(404, 422),
)
def case_types(request: HttpRequest, on: DateQuery = None) -> CatalogueOut:
    day = date_param(on, field="on")
    version = selectors.catalogue_version_on(day)
    if version is None:
        raise _no_catalogue(day)
    return _catalogue_out(version, selectors.case_types_on(day))


class FeeEstimateOut(Schema):
    case_type: str
    amount: Money | None
    fee: Money
    full_fee: Money = Field(description="Before halving.")
    halved: bool
    basis: str = Field(description="The rule applied (Measures 2007).")


@router.get(
    "/fees/estimate",
    response=FeeEstimateOut,
    auth=None,
    summary="Estimate the case acceptance fee",
    description="Uses the court's fee schedule and the catalogue in force on `on`. Every "
    "input the estimate cannot use is a 422 problem: `case_type_unknown` (no such code in "
    "that catalogue), `not_heard` (the detail names the competent court), "
    "`amount_missing` (a property case needs the amount), `amount_invalid`, "
    "`amount_not_positive`, `amount_too_precise`, `amount_too_large`, `date_invalid`. "
    "404 `no_catalogue` before the first catalogue version.",
    openapi_extra=problems(404, 422),
)
def fee_estimate(
    request: HttpRequest,
    case_type: Annotated[str, Query(..., min_length=1, max_length=60, pattern=NO_CONTROL)],
    amount: Annotated[
        str | None,
        Query(None, max_length=40, description="Yuan, at most two decimals.", examples=["50000"]),
    ] = None,
    on: DateQuery = None,
    halved: Annotated[
        bool, Query(False, description="Mediation, withdrawal or simplified procedure.")
    ] = False,
) -> FeeEstimateOut:
    day = date_param(on, field="on")
    found = selectors.case_type_on(case_type, day)
    if found is None:
        if selectors.catalogue_version_on(day) is None:
            raise _no_catalogue(day)
        raise InvalidInput(
            _("Choose one of the case types listed."), code="case_type_unknown", field="case_type"
        )
    if not found.accepted:
        raise InvalidInput(
            _("This court does not hear “%(type)s”. Bring it to: %(court)s")
            % {"type": found.name, "court": found.competent_court},
            code="not_heard",
            field="case_type",
        )
    value = amount_param(amount, field="amount") if amount and amount.strip() else None
    try:
        estimate = fee_rules.acceptance_fee(
            found.fee_category, value, schedule=fee_schedule(), halved=halved
        )
    except fee_rules.FeeRuleError as exc:
        raise InvalidInput(
            _("Give the amount claimed: the fee of this case type depends on it."),
            code=exc.code,
            field="amount",
        ) from None
    return FeeEstimateOut(
        case_type=found.code,
        amount=money(value) if value is not None else None,
        fee=money(estimate.fee),
        full_fee=money(estimate.full_fee),
        halved=estimate.halved,
        basis=estimate.basis,
    )


# --- Court administrators ---------------------------------------------------------------------


class CatalogueVersionOut(Schema):
    id: int
    effective_from: date
    basis: str
    note: str
    published_by: str | None = Field(description="Empty for the list shipped with ecourt.")
    published_at: datetime
    heard: int = Field(description="How many of its case types the court hears.")


class CaseTypeIn(Schema):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$", examples=["online_shopping"])
    name_en: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    name_zh: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    hint_en: str = Field("", max_length=300, pattern=NO_CONTROL)
    hint_zh: str = Field("", max_length=300, pattern=NO_CONTROL)
    accepted: bool = True
    procedure_family: Literal["civil", "administrative"] = "civil"
    fee_category: fee_rules.FeeCategory | Literal[""] = ""
    number_type: CaseTypeCode | Literal[""] = ""
    competent_court_en: str = Field("", max_length=300, pattern=NO_CONTROL)
    competent_court_zh: str = Field("", max_length=300, pattern=NO_CONTROL)


class CatalogueVersionIn(Schema):
    effective_from: date = Field(description="A future day, after every existing version.")
    basis: str = Field(min_length=1, max_length=300, pattern=NO_CONTROL)
    note: str = Field("", max_length=5000, pattern=NO_CONTROL_MULTILINE)
    types: list[CaseTypeIn] = Field(min_length=1, max_length=200)


@router.get(
    "/case-types/versions",
    response=list[CatalogueVersionOut],
    auth=django_auth,
    tags=["staff"],
    summary="Every catalogue version, the latest first (court administrators)",
    openapi_extra=problems(*SIGNED_IN),
)
def catalogue_versions(request: HttpRequest) -> list[CatalogueVersionOut]:
    require_roles(request.user, Role.COURT_ADMIN)
    return [
        CatalogueVersionOut(
            id=version.pk,
            effective_from=version.effective_from,
            basis=version.basis,
            note=version.note,
            published_by=version.published_by.display_name if version.published_by else None,
            published_at=version.published_at,
            heard=getattr(version, "heard", 0),
        )
        # Meta.ordering does not apply to an aggregating query, so the order is asked for.
        for version in selectors.catalogue_versions().order_by("-effective_from")
    ]


@router.post(
    "/case-types/versions",
    response={201: CatalogueOut},
    auth=django_auth,
    tags=["staff"],
    summary="Publish a catalogue version that takes effect on a future day (administrators)",
    openapi_extra=problems(400, *SIGNED_IN),
)
def catalogue_publish(request: HttpRequest, payload: CatalogueVersionIn) -> Status:
    require_roles(request.user, Role.COURT_ADMIN)
    version = services.catalogue_publish(
        actor=actor(request),
        effective_from=payload.effective_from,
        basis=payload.basis,
        note=payload.note,
        types=[
            CaseTypeSpec(
                code=spec.code,
                name_en=spec.name_en.strip(),
                name_zh=spec.name_zh.strip(),
                hint_en=spec.hint_en.strip(),
                hint_zh=spec.hint_zh.strip(),
                accepted=spec.accepted,
                procedure_family=spec.procedure_family,
                fee_category=str(spec.fee_category),
                number_type=str(spec.number_type),
                competent_court_en=spec.competent_court_en.strip(),
                competent_court_zh=spec.competent_court_zh.strip(),
            )
            for spec in payload.types
        ],
    )
    return Status(201, _catalogue_out(version, list(version.case_types.all())))
