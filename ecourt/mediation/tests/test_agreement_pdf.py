"""The signed settlement agreement as a PDF: the parties and the mediator download it from
the room; it carries the text and the signatures but no court seal; anybody else gets 404.

Personas: Alice and Beta Tech (Bob) settled before Mediator Zhao; Oscar is not in it.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ecourt.accounts.models import User
from ecourt.documents.sign import pdf_validate
from ecourt.mediation import services
from ecourt.mediation.tests.helpers import TERMS, room, sign
from ecourt.mediation.tests.test_services_outcomes import settled

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text() or "" for page in reader.pages).split())


def test_a_party_downloads_the_signed_agreement(
    alice: User, bob: User, mediator: User, admin: User, commit: Any, login: Any
) -> None:
    mediation, agreement = settled(alice, bob, mediator, admin, commit)
    room_page = login(alice).get(reverse("mediation:room", args=[mediation.pk]))
    url = reverse("mediation:agreement_pdf", args=[mediation.pk])
    assert url in room_page.content.decode()

    response = login(alice).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    text = _text(response.content)
    assert "".join(TERMS.split()) in text
    assert mediation.number in text and "调解协议书" in text
    assert agreement.text_sha256 in text
    assert text.count("短信验证码签署") == 2  # Alice's and Beta Tech's signatures
    assert "审判员" not in text  # no court closing block
    assert not pdf_validate(response.content).ok  # not signed by the court


def test_the_other_party_and_the_mediator_download_it(
    alice: User, bob: User, mediator: User, admin: User, commit: Any, login: Any
) -> None:
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    url = reverse("mediation:agreement_pdf", args=[mediation.pk])
    for person in (bob, mediator):
        assert login(person).get(url).status_code == 200


def test_outsiders_and_clerks_get_404(
    alice: User,
    bob: User,
    mediator: User,
    admin: User,
    clerk: User,
    oscar: User,
    commit: Any,
    login: Any,
) -> None:
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    url = reverse("mediation:agreement_pdf", args=[mediation.pk])
    for person in (oscar, clerk):  # clerks never read the agreement on the room page either
        assert login(person).get(url).status_code == 404
    assert login(alice).get(reverse("mediation:agreement_pdf", args=[999_999])).status_code == 404


def test_there_is_nothing_to_download_before_every_party_signed(
    alice: User, bob: User, mediator: User, admin: User, commit: Any, login: Any
) -> None:
    mediation = room(alice, bob, mediator, admin, commit)
    agreement = services.agreement_draft(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    sign(alice, agreement, commit)
    url = reverse("mediation:agreement_pdf", args=[mediation.pk])
    assert (
        url not in login(alice).get(reverse("mediation:room", args=[mediation.pk])).content.decode()
    )
    assert login(alice).get(url).status_code == 404
