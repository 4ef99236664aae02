"""The JSON API at /api/v1 (OpenAPI at /api/v1/openapi.json). Errors are RFC 9457 problem+json.

Each capability adds its router here. Authentication is the web session for now (cookies plus
the CSRF header on writes), so the same rules that guard pages guard the API.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ecourt.accounts.api import router as accounts_router
from ecourt.accounts.api_staff import router as accounts_staff_router
from ecourt.cases.api import router as cases_router
from ecourt.core.api import router as core_router
from ecourt.core.errors import DomainError
from ecourt.core.problem import problem_response
from ecourt.delivery.api import router as delivery_router
from ecourt.documents.api import router as documents_router
from ecourt.evidence.api import router as evidence_router
from ecourt.evidence.api_items import router as evidence_items_router
from ecourt.hearings.api import router as hearings_router
from ecourt.mediation.api import router as mediation_router
from ecourt.stats.api import router as stats_router
from ecourt.stats.api_court import router as stats_court_router

api = NinjaAPI(
    title="ecourt API",
    version="1",
    description="The e-litigation platform's JSON API. Errors use application/problem+json.",
    urls_namespace="api",
    docs_url=None,  # the bundled Swagger UI loads from a CDN; read openapi.json instead
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra = {"field": exc.field} if exc.field else {}
    return problem_response(status=exc.status_code, code=exc.code, detail=str(exc.message), **extra)


@api.exception_handler(OverflowError)
def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # An id beyond the database's 64-bit integers (SQLite refuses to bind one): no such thing.
    return problem_response(status=404, code="not_found", detail="No such resource.")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        status=422,
        code="invalid_request",
        detail="The request does not match the schema.",
        errors=exc.errors,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        status=401, code="not_authenticated", detail="Sign in first (session cookie)."
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(
        status=exc.status_code, code=f"http_{exc.status_code}", detail=str(exc.message)
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(status=404, code="not_found", detail="No such resource.")


api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/", accounts_staff_router)
api.add_router("/", cases_router)
api.add_router("/", delivery_router)
api.add_router("/", mediation_router)
api.add_router("/", evidence_router)
api.add_router("/", evidence_items_router)
api.add_router("/", hearings_router)
api.add_router("/", documents_router)
api.add_router("/", stats_router)
api.add_router("/", stats_court_router)
