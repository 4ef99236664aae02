"""What the filing API modules share: who is asking, 404 for what they may not see, problem
answers in the OpenAPI document, and the wire shapes of ids, money, dates and plain text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path
from pydantic import AfterValidator, Field

from ecourt.accounts.models import User
from ecourt.cases import selectors
from ecourt.cases.models import Application, Case
from ecourt.cases.rules import fees as fee_rules
from ecourt.cases.services.applications import AMOUNT_MESSAGES
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_today

#: An id in a path, e.g. ``/applications/{application_id}``. Any integer: one that names
#: nothing the caller may see (0, negative, beyond the column's range) is a 404 like any other.
PathId = Annotated[int, Path(description="Database id.")]
#: An id in a request body.
# Bounded like the database column (a 64-bit signed integer): anything else is a 422, not an
# overflow inside the database driver.
BodyId = Annotated[int, Field(description="Database id.", ge=1, le=2**63 - 1)]

#: Yuan with two decimals, as a string so no client rounds it through a float.
Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["1050.00"])]

#: Single-line text that reaches a query as typed (codes, numbers): no control characters,
#: which PostgreSQL refuses (NUL) and no person means to send.
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
#: Multi-line text: line breaks and tabs allowed, other control characters not.
NO_CONTROL_MULTILINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not an email address") from None
    return value


#: An email address or "" (none given).
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]


class NotFoundProblem(DomainError):
    """A 404 problem with its own code (``no_catalogue``), unlike the plain ``not_found``."""

    status_code = 404


class InvalidInput(DomainError):
    """Input the route cannot use, checked by the route itself: 422 like a schema error, but
    with a code and a detail that say what is wrong."""

    status_code = 422


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:ecourt:problem:not_found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable machine-readable reason."},
        "field": {"type": "string", "description": "The input field at fault, if any."},
        "errors": {"type": "array", "items": {}, "description": "Schema errors (422)."},
    },
}

_PROBLEM_TEXT = {
    400: "A rule of the court was not met (see code and detail).",
    401: "Not signed in.",
    403: "Signed in, but not allowed (or the CSRF token is missing).",
    404: "No such resource, or not one the caller may see.",
    409: "In conflict with the resource's current state (see code and detail).",
    413: "Larger than the court accepts.",
    422: "The request does not match the schema or cannot be used.",
    429: "Too many attempts; try again later.",
}


def problems(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` that documents the problem+json answers a route may give."""
    return {
        "responses": {
            status: {
                "description": _PROBLEM_TEXT[status],
                "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
            }
            for status in statuses
        }
    }


#: The answers every signed-in route may give besides its own.
SIGNED_IN = (401, 403, 422)


def actor(request: HttpRequest) -> User:
    """The signed-in person (routes declare session auth, so there is one)."""
    user = request.user
    assert isinstance(user, User)
    return user


def application_or_404(request: HttpRequest, application_id: int) -> Application:
    """The application, if the caller may see it (issue 3); otherwise 404, whether it exists
    or not."""
    application = selectors.application_for_user(actor(request), application_id)
    if application is None:
        raise Http404
    return application


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = selectors.case_for_user(actor(request), case_id)
    if case is None:
        raise Http404
    return case


@contextmanager
def missing_is_404() -> Iterator[None]:
    """Services answer an id that is not there (or not the caller's) with DomainError
    ``not_found``, which would be a 400; the API answers 404 for it, as for anything it will
    not show."""
    try:
        yield
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        raise


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def money_or_none(value: Decimal | None) -> str | None:
    return None if value is None else money(value)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_param(raw: str | None, *, field: str) -> date:
    """A ``YYYY-MM-DD`` query parameter; today (court time zone) when not given."""
    if raw is None or not raw.strip():
        return court_today()
    try:
        if not _ISO_DATE.match(raw.strip()):
            raise ValueError(raw)
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(
            _("“%(field)s” must be a date written YYYY-MM-DD, for example 2026-05-01.")
            % {"field": field},
            code="date_invalid",
            field=field,
        ) from None


def amount_param(raw: str, *, field: str) -> Decimal:
    """An amount in yuan from a query parameter, with the fee rules' own error codes."""
    try:
        amount = fee_rules.parse_amount(raw)
    except fee_rules.FeeRuleError as exc:
        raise InvalidInput(AMOUNT_MESSAGES[exc.code], code=exc.code, field=field) from None
    return amount
