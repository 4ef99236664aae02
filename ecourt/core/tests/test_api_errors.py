"""Errors the framework answers itself are problem+json under /api/ too."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_answers_an_unknown_api_path_with_a_problem(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_it_answers_a_wrong_method_with_a_problem_and_allow(client):
    response = client.put("/api/v1/court")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_it_leaves_html_errors_outside_the_api_alone(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_it_searches_the_audit_trail_for_administrators(login, admin, alice, oscar):
    from ecourt.accounts.services import role_grant

    role_grant(actor=admin, user_id=oscar.pk, role="judge")
    client = login(admin)
    body = client.get(
        "/api/v1/audit-events", {"code": "ecourt.accounts.role", "target_type": "accounts.user"}
    ).json()
    assert body["count"] == 1
    [event] = body["events"]
    assert event["code"] == "ecourt.accounts.role.granted"
    assert event["actor_id"] == admin.pk
    assert event["target_id"] == str(oscar.pk)
    assert event["new_values"] == {"role": "judge"}
    bad = client.get("/api/v1/audit-events", {"target_type": "user"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["field"] == "target_type"
    assert client.get("/api/v1/audit-events", {"limit": 0}).status_code == 422
    assert login(alice).get("/api/v1/audit-events").status_code == 403


@pytest.mark.parametrize("odd", ["²", "a\x00b", "9" * 40, "１２"])
def test_it_searches_with_odd_input_without_failing(login, admin, odd):
    client = login(admin)
    assert client.get("/staff/audit/", {"actor": odd, "target_id": odd}).status_code == 200
    assert client.get("/api/v1/audit-events", {"actor": odd}).status_code in (200, 400)
    assert client.get("/accounts/staff/users/", {"q": odd}).status_code == 200
    assert client.get("/api/v1/users", {"q": odd}).status_code == 200
