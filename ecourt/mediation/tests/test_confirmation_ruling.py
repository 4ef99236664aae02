"""The judicial confirmation ruling as a court document: a PDF under the court's seal, its
hash deposited, one delivery per party; being final, its service opens no appeal period.

Personas: Alice and Beta Tech (Bob) settled in pre-filing mediation and applied jointly;
Judge Wang has the 民特 case.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from ecourt.accounts.models import User
from ecourt.cases.models import CaseDeadline, CaseStatus
from ecourt.core.errors import PermissionDenied
from ecourt.delivery.models import Delivery
from ecourt.delivery.services.receipts import delivery_mark_read
from ecourt.documents.models import CourtDocument
from ecourt.documents.services import document_pdf_bytes
from ecourt.documents.sign import pdf_validate
from ecourt.evidence.models import Deposit
from ecourt.mediation import services
from ecourt.mediation.tests.helpers import TERMS, refused
from ecourt.mediation.tests.test_services_outcomes import confirmed_case, settled

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    """The PDF's text without white space (pypdf breaks long lines where the PDF does)."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text() or "" for page in reader.pages).split())


def test_the_ruling_is_issued_as_a_sealed_pdf_served_on_every_party(
    alice: User, bob: User, judge: User, mediator: User, admin: User, commit: Any
) -> None:
    mediation, agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)
    with commit():
        case = services.confirmation_decide(actor=judge, case_id=case.pk, confirm=True)

    [document] = CourtDocument.objects.filter(case=case)
    assert (document.kind, document.title, document.issued_by) == ("ruling", "民事裁定书", judge)
    pdf = document_pdf_bytes(document)
    assert pdf is not None
    assert pdf_validate(pdf).ok
    deposit = Deposit.objects.get(pk=document.deposit_id)
    assert deposit.sha256 == document.sha256 and deposit.media_type == "application/pdf"
    text = _text(pdf)
    for expected in (
        case.number,
        mediation.number,
        "".join(TERMS.split()),
        agreement.text_sha256,
        "申请人达成的调解协议有效",
        "第二百零五条、第二百零六条",
        "本裁定即时发生法律效力",
    ):
        assert expected in text, expected
    deliveries = Delivery.objects.filter(document=document)
    assert sorted(d.party_id for d in deliveries) == sorted(p.pk for p in case.parties.all())
    assert len(deliveries) == 2
    # The ruling docket entry stays the last one: the document adds no entry of its own.
    assert case.docket.order_by("number").last().code == "confirmation.ruling"


def test_serving_the_ruling_opens_no_appeal_period(
    alice: User, bob: User, judge: User, mediator: User, admin: User, commit: Any
) -> None:
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)
    with commit():
        case = services.confirmation_decide(actor=judge, case_id=case.pk, confirm=True)
    document = CourtDocument.objects.get(case=case)
    for person in (alice, bob):
        delivery = Delivery.objects.get(document=document, party__user=person)
        with commit():
            delivery_mark_read(actor=person, delivery_id=delivery.pk, evidence={})
        delivery.refresh_from_db()
        assert delivery.served_at is not None
    assert case.docket.filter(code="delivery.served").count() == 2
    assert not CaseDeadline.objects.filter(case=case, code__startswith="appeal").exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_rejection_prints_the_reasons(
    alice: User, bob: User, judge: User, mediator: User, admin: User, commit: Any
) -> None:
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)
    reasons = "该协议处分了案外人的权利。"
    services.confirmation_decide(actor=judge, case_id=case.pk, confirm=False, reasons=reasons)
    document = CourtDocument.objects.get(case=case)
    assert reasons in document.body
    pdf = document_pdf_bytes(document)
    assert pdf is not None
    text = _text(pdf)
    assert reasons in text and "驳回申请人的司法确认申请" in text


def test_without_the_seal_nothing_is_ruled(
    alice: User,
    bob: User,
    judge: User,
    mediator: User,
    admin: User,
    commit: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)
    settings.ECOURT_SEAL_KEY_FILE = str(tmp_path / "missing-key.pem")
    with refused("seal_unavailable"):
        services.confirmation_decide(actor=judge, case_id=case.pk, confirm=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCKETED
    assert not CourtDocument.objects.filter(case=case).exists()


def test_a_refused_ruling_renders_nothing(
    alice: User, bob: User, mediator: User, admin: User, commit: Any, monkeypatch: Any
) -> None:
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)

    def fail(**kwargs: Any) -> bytes:
        raise AssertionError("rendered for a refused ruling")

    monkeypatch.setattr("ecourt.documents.render.render_document_pdf", fail)
    with pytest.raises(PermissionDenied):
        services.confirmation_decide(actor=alice, case_id=case.pk, confirm=True)
