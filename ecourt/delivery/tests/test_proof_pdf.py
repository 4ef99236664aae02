"""The proof of service as a PDF under the court's seal, drawn from its canonical JSON (whose
hash stays the deposited one), for whoever may see the proof; everyone else gets 404.

Personas: Alice sues Beta Tech, which Bob represents; the clerk serves Alice a summons and
she reads it; Oscar is an outsider.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ecourt.accounts.models import User
from ecourt.cases.models import Case
from ecourt.delivery.models import Delivery, ProofOfService
from ecourt.delivery.tests.factories import beta_case, delivery_to, issue, link_beta, plaintiff
from ecourt.documents.sign import pdf_validate

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text() or "" for page in reader.pages).split())


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit: Any) -> Case:
    with commit():
        found = beta_case(alice, bob, clerk, judge)
    link_beta(bob, found)
    return found


@pytest.fixture
def served(case: Case, alice: User, clerk: User, commit: Any, login: Any) -> Delivery:
    """A summons to Alice, served when she read it."""
    with commit():
        document = issue(clerk, case, recipients=[plaintiff(case)])
    delivery = delivery_to(document, plaintiff(case))
    login(alice).get(reverse("delivery:open", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.served_at is not None
    return delivery


def _url(delivery: Delivery) -> str:
    proof = ProofOfService.objects.get(delivery=delivery, superseded_at__isnull=True)
    return reverse("delivery:proof_pdf", args=[delivery.pk, proof.pk])


def test_the_recipient_downloads_a_sealed_pdf_of_the_proof(
    served: Delivery, case: Case, alice: User, login: Any
) -> None:
    proof = ProofOfService.objects.get(delivery=served)
    page = login(alice).get(reverse("delivery:proof", args=[served.pk]))
    assert _url(served) in page.content.decode()

    response = login(alice).get(_url(served))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="proof-of-service-{served.pk}-{proof.pk}.pdf"'
    )
    report = pdf_validate(response.content)
    assert report.ok and report.trusted
    text = _text(response.content)
    assert proof.deposit is not None
    for expected in (
        case.number,
        "Summonstothehearing",
        "AliceZhang",
        proof.sha256,  # the JSON's hash, the one deposited
        proof.deposit.deposit_no,
        "SPCOnlineLitigationRules(2021)Art.31",
        "Proofofservice",
    ):
        assert expected in text, expected
    # The deposit is still the JSON's: the PDF is only a rendering of it.
    assert proof.deposit.sha256 == proof.sha256


def test_it_is_drawn_in_the_readers_language(served: Delivery, alice: User, login: Any) -> None:
    alice.preferred_language = "zh-hans"
    alice.save(update_fields=["preferred_language"])
    response = login(alice).get(_url(served))
    assert response.status_code == 200
    text = _text(response.content)
    assert "送达回证" in text and "受送达人" in text


def test_case_staff_download_it_too(served: Delivery, clerk: User, login: Any) -> None:
    response = login(clerk).get(_url(served))
    assert response.status_code == 200
    assert pdf_validate(response.content).ok


def test_outsiders_and_the_other_side_get_404(
    served: Delivery, bob: User, oscar: User, login: Any
) -> None:
    url = _url(served)
    for person in (oscar, bob):
        assert login(person).get(url).status_code == 404
    other = reverse("delivery:proof_pdf", args=[served.pk, 999_999])
    assert login(bob).get(other).status_code == 404


def test_without_the_seal_it_says_so_instead_of_failing(
    served: Delivery, alice: User, login: Any, settings: Any, tmp_path: Any
) -> None:
    settings.ECOURT_SEAL_KEY_FILE = str(tmp_path / "missing-key.pem")
    response = login(alice).get(_url(served))
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:proof", args=[served.pk])
