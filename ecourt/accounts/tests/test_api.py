"""The JSON API: the signed-in person, consent, the court, and problem+json errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from ecourt.accounts.models import ConsentRecord, User
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"] == f"urn:ecourt:problem:{code}"
    assert body["code"] == code
    assert body["detail"]
    return body


@pytest.fixture
def browser(alice) -> Client:
    """Alice's browser, which must send the CSRF token on writes, as a real one does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice, backend="ecourt.accounts.backends.MobileOrEmailBackend")
    client.get(reverse("accounts:profile"))  # a page with a form sets the CSRF cookie
    return client


def _csrf(client: Client) -> dict[str, str]:
    return {"x-csrftoken": client.cookies["csrftoken"].value}


def _send(client: Client, method: str, path: str, payload: object | None = None, **kwargs):
    if method == "get":
        return client.get(path, **kwargs)
    data = json.dumps(payload) if payload is not None else ""
    return getattr(client, method)(path, data, content_type="application/json", **kwargs)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/me/consent"),
        ("delete", "/api/v1/me/consent"),
        ("get", "/api/v1/me/logins"),
    ],
)
def test_it_answers_401_problem_to_anonymous_callers(client, method, path):
    response = _send(client, method, path, {"terms_version": "2021.1"})
    _problem(response, 401, "not_authenticated")


def test_it_describes_the_signed_in_person(browser, alice):
    response = browser.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    identity = alice.identity_verifications.get()
    assert body == {
        "id": alice.pk,
        "display_name": "Alice Zhang",
        "mobile": "+8613800000001",
        "email": None,
        "preferred_language": "en",
        "roles": ["litigant"],
        "identity_verified": True,
        "identity": {
            "status": "verified",
            "document_type": "resident_id",
            "legal_name": "Alice Zhang",
            "document_number": identity.document_number,  # the owner sees it in full
        },
        "consent_terms_version": None,
    }


def test_it_refuses_a_change_without_the_csrf_token(browser, alice):
    response = _send(browser, "patch", "/api/v1/me", {"display_name": "Mallory"})
    _problem(response, 403, "http_403")
    assert User.objects.get(pk=alice.pk).display_name == "Alice Zhang"


def test_it_changes_name_and_language_with_the_csrf_token(browser, alice):
    response = _send(
        browser,
        "patch",
        "/api/v1/me",
        {"display_name": " Alice Z. ", "preferred_language": "zh-hans"},
        headers=_csrf(browser),
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Alice Z."
    assert response.json()["preferred_language"] == "zh-hans"
    alice = User.objects.get(pk=alice.pk)
    assert (alice.display_name, alice.preferred_language) == ("Alice Z.", "zh-hans")
    event = AuditEvent.objects.get(code="ecourt.accounts.user.profile_changed")
    assert event.actor == alice


def test_it_leaves_out_fields_not_sent(browser, alice):
    response = _send(
        browser, "patch", "/api/v1/me", {"preferred_language": "zh-hans"}, headers=_csrf(browser)
    )
    assert response.status_code == 200
    assert User.objects.get(pk=alice.pk).display_name == "Alice Zhang"


@pytest.mark.parametrize(
    "payload",
    [
        {"preferred_language": "fr"},
        {"display_name": ""},
        {"display_name": "   "},  # would be stripped to an empty name
        {"display_name": "x" * 101},
    ],
)
def test_it_answers_422_problem_to_an_invalid_change(browser, alice, payload):
    response = _send(browser, "patch", "/api/v1/me", payload, headers=_csrf(browser))
    body = _problem(response, 422, "invalid_request")
    assert body["errors"]
    alice = User.objects.get(pk=alice.pk)
    assert (alice.display_name, alice.preferred_language) == ("Alice Zhang", "en")


def test_it_gives_and_withdraws_consent(browser, alice):
    terms = browser.get("/api/v1/terms/current").json()
    assert terms["version"] == "2021.1"

    response = _send(
        browser, "post", "/api/v1/me/consent", {"terms_version": "2021.1"}, headers=_csrf(browser)
    )
    assert response.status_code == 200
    assert response.json()["terms_version"] == "2021.1"
    assert browser.get("/api/v1/me").json()["consent_terms_version"] == "2021.1"
    assert AuditEvent.objects.filter(code="ecourt.accounts.consent.accepted").count() == 1

    response = _send(browser, "delete", "/api/v1/me/consent", headers=_csrf(browser))
    assert response.status_code == 204
    assert browser.get("/api/v1/me").json()["consent_terms_version"] is None
    assert ConsentRecord.objects.get(user=alice).withdrawn_at is not None
    assert AuditEvent.objects.filter(code="ecourt.accounts.consent.withdrawn").count() == 1


def test_it_needs_the_csrf_token_to_give_consent(browser, alice):
    response = _send(browser, "post", "/api/v1/me/consent", {"terms_version": "2021.1"})
    _problem(response, 403, "http_403")
    assert not ConsentRecord.objects.exists()


def test_it_accepts_only_the_terms_in_force(browser):
    response = _send(
        browser, "post", "/api/v1/me/consent", {"terms_version": "1999.1"}, headers=_csrf(browser)
    )
    body = _problem(response, 400, "terms_version_mismatch")
    assert body["field"] == "terms_version"
    assert not ConsentRecord.objects.exists()


def test_it_lists_the_persons_own_sign_ins(alice, bob):
    client = Client()
    client.post(reverse("accounts:login"), {"username": bob.mobile, "password": "wrong"})
    client.post(
        reverse("accounts:login"), {"username": alice.mobile, "password": "correct-horse-battery"}
    )
    logins = client.get("/api/v1/me/logins").json()
    assert [(e["succeeded"], e["method"]) for e in logins] == [(True, "password")]


def test_it_publishes_the_openapi_schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "ecourt API"
    assert set(schema["paths"]) >= {
        "/api/v1/court",
        "/api/v1/me",
        "/api/v1/me/consent",
        "/api/v1/me/logins",
        "/api/v1/terms/current",
    }
    assert set(schema["paths"]["/api/v1/me"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/v1/me/consent"]) == {"post", "delete"}


def test_it_names_the_court(client):
    response = client.get("/api/v1/court")
    assert response.status_code == 200
    assert response.json() == {
        "name_en": "Internet Court",
        "name_zh": "互联网法院",
        "code": "京0491",
        "time_zone": "Asia/Shanghai",
    }
