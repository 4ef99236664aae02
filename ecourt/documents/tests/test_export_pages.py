"""The case-file export page and API: who may export which copy, and who gets a 404.

Personas: Alice sues Beta Tech (a party: the party's copy); the clerk and Judge Wang (the
court's copy); Carol, a lawyer with nothing to do with the case, and Oscar get a 404;
anonymous visitors are sent to sign in (the API answers 401)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecourt.cases.models import Case
from ecourt.cases.tests.factories import docketed_case
from ecourt.core.models import AuditEvent
from ecourt.documents.export import case_export_filename

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_storage(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def case(alice, clerk, judge, commit) -> Case:
    with commit():
        return docketed_case(alice, clerk, judge=judge)


def page(case: Case) -> str:
    return reverse("documents:case_export", args=[case.pk])


def api(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/export"


def index_of(content: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return json.loads(archive.read("index.json"))


def test_it_shows_what_is_included_and_a_download_button(login, case, clerk):
    response = login(clerk).get(page(case), headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html
    assert "index.json" in html and "ecourt-verify" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert "party&#x27;s copy" not in html and "a party's copy" not in html


@pytest.mark.parametrize("how", ["post", "get"])
def test_staff_download_the_courts_copy(login, case, clerk, how):
    client = login(clerk)
    if how == "post":
        response = client.post(page(case))
    else:
        response = client.get(page(case), {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    name = case_export_filename(case)
    assert name.isascii() and name.startswith("case-") and name.endswith(".zip")
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    content = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(content)
    index = index_of(content)
    assert index["case"]["number"] == case.number and index["copy"]["for"] == "court"
    assert AuditEvent.objects.filter(code="ecourt.documents.case_exported", actor=clerk).exists()


def test_the_judge_may_export(login, case, judge):
    response = login(judge).post(page(case))
    assert response.status_code == 200
    assert index_of(b"".join(response.streaming_content))["copy"]["for"] == "court"


def test_a_party_exports_its_own_copy(login, case, alice):
    client = login(alice)
    shown = client.get(page(case), headers={"accept-language": "en"})
    assert shown.status_code == 200 and "a party" in shown.content.decode()
    response = client.post(page(case))
    assert response.status_code == 200
    index = index_of(b"".join(response.streaming_content))
    assert index["copy"]["for"] == "party" and len(index["copy"]["parties"]) == 1


@pytest.mark.parametrize("who", ["carol", "oscar"])
def test_an_outsider_gets_404_on_the_page_and_the_api(login, case, who, request):
    client = login(request.getfixturevalue(who))
    assert client.get(page(case)).status_code == 404
    assert client.post(page(case)).status_code == 404
    assert client.get(page(case), {"download": "1"}).status_code == 404
    response = client.get(api(case))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert not AuditEvent.objects.filter(code="ecourt.documents.case_exported").exists()


def test_an_unknown_case_is_404(login, clerk):
    assert login(clerk).get("/cases/999999/export/").status_code == 404


def test_anonymous_visitors_sign_in_first(case, visitor: Client):
    response = visitor.get(page(case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert visitor.post(page(case)).status_code == 302
    assert visitor.get(api(case)).status_code == 401


def test_the_api_answers_the_zip(login, case, alice, clerk):
    response = login(clerk).get(api(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert index_of(b"".join(response.streaming_content))["copy"]["for"] == "court"
    response = login(alice).get(api(case))
    assert response.status_code == 200
    assert index_of(b"".join(response.streaming_content))["copy"]["for"] == "party"
