import pytest


@pytest.mark.django_db
def test_it_reports_liveness(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_reports_readiness_with_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_it_serves_the_stylesheet_and_icon_linked_from_every_page(client):
    page = client.get("/").content.decode()
    for path in ("/static/ecourt/ecourt.css", "/static/ecourt/favicon.svg"):
        assert path in page
        response = client.get(path)
        assert response.status_code == 200, path
