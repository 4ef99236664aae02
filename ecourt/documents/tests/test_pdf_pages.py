"""Downloading the signed PDF of an issued document: the exact bytes that were hashed and
deposited, for the people of the case only.

Personas: Alice sues Beta Tech, which Bob represents; Judge Wang has the case; Carol is not
in it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.urls import reverse

from ecourt.accounts.models import User
from ecourt.cases.models import Case
from ecourt.delivery.tests.factories import beta_case, issue, link_beta
from ecourt.documents.models import CourtDocument
from ecourt.documents.render import render_document_pdf
from ecourt.documents.services import document_issue
from ecourt.documents.sign import pdf_validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit: Any) -> Case:
    with commit():
        found = beta_case(alice, bob, clerk, judge)
    link_beta(bob, found)
    return found


@pytest.fixture
def document(case: Case, judge: User) -> CourtDocument:
    body = "原告张三与被告北京贝塔科技有限公司买卖合同纠纷一案。\n判决如下：驳回原告的诉讼请求。"
    pdf = render_document_pdf(
        case=case, kind="judgment", title="民事判决书", body=body, judge=judge, sign=True
    )
    return document_issue(
        actor=judge, case_id=case.pk, kind="judgment", title="民事判决书", body=body, pdf=pdf
    )


def test_it_downloads_the_exact_issued_pdf(
    alice: User, login: Any, document: CourtDocument
) -> None:
    response = login(alice).get(reverse("documents:pdf", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"-judgment-{document.pk}.pdf" in disposition
    data = response.content
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert pdf_validate(data).ok


def test_the_other_side_and_the_judge_download_it(
    bob: User, judge: User, login: Any, document: CourtDocument
) -> None:
    for user in (bob, judge):
        response = login(user).get(reverse("documents:pdf", args=[document.pk]))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == document.sha256


def test_an_outsider_gets_404(carol: User, login: Any, document: CourtDocument) -> None:
    response = login(carol).get(reverse("documents:pdf", args=[document.pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Any, document: CourtDocument) -> None:
    url = reverse("documents:pdf", args=[document.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_document_without_pdf_is_404(alice: User, judge: User, login: Any, case: Case) -> None:
    plain = issue(judge, case)
    response = login(alice).get(reverse("documents:pdf", args=[plain.pk]))
    assert response.status_code == 404


def test_only_get_and_head(alice: User, login: Any, document: CourtDocument) -> None:
    response = login(alice).post(reverse("documents:pdf", args=[document.pk]))
    assert response.status_code == 405
