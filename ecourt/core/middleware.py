from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ecourt.core import context
from ecourt.core.problem import PROBLEM_CONTENT_TYPE, problem_response

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str:
    """The client's address.

    Behind ``ECOURT_PROXY_COUNT`` trusted reverse proxies, each appends the address it received
    the request from to X-Forwarded-For, so the client is the N-th entry from the right; entries
    further left were written by the client and cannot be trusted. Without proxies, REMOTE_ADDR.
    """
    proxies = settings.ECOURT_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "")


class RequestContextMiddleware:
    """Give each request an id (kept from a proxy's X-Request-ID when well-formed) and a hashed IP.

    Audit rows and log lines carry the id so a person's complaint can be traced to the change.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a trusted reverse proxy may name the request; a client could forge ids that
        # would then mislead anyone tracing a complaint through the audit trail.
        incoming = request.headers.get("X-Request-ID", "") if settings.ECOURT_PROXY_COUNT else ""
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.set_current(
            context.RequestContext(
                request_id=request_id, ip_hash=context.hash_ip(client_ip(request))
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ApiProblemMiddleware:
    """Every error under /api/ is application/problem+json, including the ones Django or
    django-ninja answer themselves (unknown path 404, wrong method 405, CSRF 403, 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not str(response.get("Content-Type", "")).startswith(PROBLEM_CONTENT_TYPE)
        ):
            status = response.status_code
            problem = problem_response(
                status=status,
                code=f"http_{status}",
                detail=HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "",
            )
            if response.has_header("Allow"):
                problem["Allow"] = response["Allow"]
            return problem
        return response
