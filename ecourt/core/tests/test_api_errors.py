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
