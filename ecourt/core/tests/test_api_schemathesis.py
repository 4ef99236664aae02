"""Property-based tests of the whole JSON API against its own OpenAPI document (schemathesis).

The schema is read from the Django application in-process, and every operation is called with
generated requests, valid and invalid, in two passes: anonymously, and as Alice, a verified
litigant who accepted the terms and owns a draft application and a docketed case. Whatever
comes in, the API never answers 5xx, answers in the documented schema and media type, and sends
every 4xx as ``application/problem+json``.

Each operation is its own test item, so its examples share one database transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, CheckContext, HookContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from ecourt.accounts.models import User
from ecourt.cases.tests.factories import consent, docketed_case, draft_application
from ecourt.core.problem import PROBLEM_CONTENT_TYPE
from ecourt.wsgi import application

SCHEMA_PATH = "/api/v1/openapi.json"
SESSION_COOKIE = "ecourt_session"


def _schema(**config: Any) -> BaseSchema:
    return schemathesis.openapi.from_wsgi(
        SCHEMA_PATH, application, config=schemathesis.Config.from_dict(config)
    )


litigant_schema = _schema()
anonymous_schema = _schema()
PUBLIC = {
    f"{method.upper()} {path}"
    for path, operations in anonymous_schema.raw_schema["paths"].items()
    for method, operation in operations.items()
    if not operation.get("security")
}
public_schema = anonymous_schema.include(lambda ctx: ctx.operation.label in PUBLIC)
# Anonymous calls to a guarded operation all end at the same 401 before any input is read: a
# few examples show that, without the coverage phase's exhaustive boundary values.
guarded_schema = _schema(phases={"coverage": {"enabled": False}}).exclude(
    lambda ctx: ctx.operation.label in PUBLIC
)


@schemathesis.check
def errors_are_problem_json(ctx: CheckContext, response: Response, case: Case) -> None:
    """Every 4xx answer is an RFC 9457 problem document."""
    if 400 <= response.status_code < 500:
        content_type = (response.headers.get("content-type") or [""])[0]
        media_type = content_type.split(";")[0].strip().lower()
        assert media_type == PROBLEM_CONTENT_TYPE, (
            f"{response.status_code} answered as {content_type!r}, not {PROBLEM_CONTENT_TYPE}"
        )


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    errors_are_problem_json,
]

HEALTH_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
BOUNDED = settings(max_examples=25, deadline=None, suppress_health_check=HEALTH_CHECKS)
FEW = settings(max_examples=5, deadline=None, suppress_health_check=HEALTH_CHECKS)

# Ids of Alice's own records, by path parameter name; filled per test by `alice_with_records`.
# Without them nearly every generated id would be a 404 and the handlers behind it untried.
KNOWN_IDS: dict[str, list[int]] = {}


@litigant_schema.hook
def flatmap_path_parameters(
    context: HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    """Half the time, the generated ids are swapped for ids of Alice's records."""
    names = [name for name in path_parameters or {} if KNOWN_IDS.get(name)]
    known = {name: st.sampled_from(KNOWN_IDS[name]) for name in names}
    if not path_parameters or not known:
        return st.just(path_parameters)
    return st.just(path_parameters) | st.fixed_dictionaries(known).map(
        lambda ids: {**path_parameters, **ids}
    )


@pytest.fixture
def alice_with_records(
    request: pytest.FixtureRequest, alice: User, login: Callable[[User], Client]
) -> Iterator[dict[str, str]]:
    """Alice's session cookie. She accepted the terms; for an operation that takes ids she
    also has a complete draft application and a docketed case (built only when needed)."""
    consent(alice)
    label = getattr(request.node, "operation_label", None) or "all"
    applications = []
    if label == "all" or "{" in label:
        applications.append(draft_application(alice))
    if label == "all" or "{case_id}" in label or "{payment_id}" in label:
        clerk, judge = request.getfixturevalue("clerk"), request.getfixturevalue("judge")
        case = docketed_case(alice, clerk, judge=judge)
        applications.append(case.application)
        KNOWN_IDS["case_id"] = [case.pk]
    KNOWN_IDS.update(
        application_id=[a.pk for a in applications],
        party_id=[p.pk for a in applications for p in a.parties.all()],
        claim_id=[c.pk for a in applications for c in a.claims.all()],
        item_id=[e.pk for a in applications for e in a.evidence_list.all()],
        payment_id=[p.pk for a in applications for p in a.payments.all()],
    )
    client = login(alice)
    try:
        yield {SESSION_COOKIE: client.cookies[SESSION_COOKIE].value}
    finally:
        KNOWN_IDS.clear()


@contextmanager
def _inside_test_transaction() -> Iterator[None]:
    """Let a request reach Django's WSGI handler inside the test's transaction.

    Django's test client does the same: ``close_old_connections`` on request start and finish
    would close the connection that holds the test transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _send(case: Case, cookies: dict[str, str], *, csrf: bool = True) -> Response:
    """Sends ``case`` as a browser would, with the cookies and the CSRF token (cookie and header;
    Django checks it on writes)."""
    headers = {}
    if csrf:
        token = get_random_string(32)
        cookies = {**cookies, "csrftoken": token}
        headers["X-CSRFToken"] = token
    with _inside_test_transaction():
        return case.call(cookies=cookies, headers=headers)


def _call_and_validate(case: Case, cookies: dict[str, str]) -> None:
    # A 500's traceback is in the captured "django.request" log that pytest shows on failure.
    case.validate_response(_send(case, cookies), checks=CHECKS)


def test_the_signed_in_pass_is_signed_in_and_may_write(alice_with_records: dict[str, str]) -> None:
    """Guards the pass below: without a working session every call would only be a 401."""
    response = _send(litigant_schema["/api/v1/me"]["GET"].Case(), alice_with_records)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["consent_terms_version"] is not None
    rename = litigant_schema["/api/v1/me"]["PATCH"].Case(body={"display_name": "Alice Z."})
    response = _send(rename, alice_with_records)
    assert response.status_code == 200, response.content[:500]
    response = _send(rename, alice_with_records, csrf=False)
    assert response.status_code == 403, "a write without the CSRF token is refused"
    [draft_id, _] = KNOWN_IDS["application_id"]
    draft = litigant_schema["/api/v1/applications/{application_id}"]["GET"]
    response = _send(draft.Case(path_parameters={"application_id": draft_id}), alice_with_records)
    assert response.status_code == 200, response.content[:500]


@public_schema.parametrize()
@BOUNDED
def test_api_anonymous_public(case: Case, db: None) -> None:
    _call_and_validate(case, {})


@guarded_schema.parametrize()
@FEW
def test_api_anonymous_guarded(case: Case, db: None) -> None:
    _call_and_validate(case, {})


@litigant_schema.parametrize()
@BOUNDED
def test_api_signed_in_litigant(case: Case, alice_with_records: dict[str, str]) -> None:
    _call_and_validate(case, alice_with_records)
