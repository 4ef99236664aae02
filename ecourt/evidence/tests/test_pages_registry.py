"""The court administrator's evidence log page: institutions and their API tokens (a new token
is shown once), witnesses, the quorum, quarantined files and the log's state. Everyone else
gets 403; staff without the TOTP step are sent to it."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from ecourt.cases.models import PartySide
from ecourt.cases.tests.factories import draft_application
from ecourt.evidence.models import Institution, InstitutionToken, QuarantinedFile, Witness
from ecourt.evidence.scan import ScanResult
from ecourt.evidence.services.log import deposit_for_user, log_integrate_all
from ecourt.evidence.services.registry import (
    institution_create,
    institution_token_create,
    witness_add,
)
from ecourt.evidence.tlog import note

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _witness_key(name: str = "notary.example/witness") -> str:
    key = Ed25519PrivateKey.generate()
    return str(note.verifier_for(name, key, note.COSIGNATURE_V1))


@pytest.fixture
def institution(admin) -> Institution:
    return institution_create(actor=admin, name="Copyright Monitor Ltd.")


def _requests(institution: Institution, admin) -> list[tuple[str, str, dict[str, str]]]:
    token, _secret = institution_token_create(actor=admin, institution=institution)
    witness = witness_add(actor=admin, verifier_key=_witness_key("w.example"))
    return [
        ("get", reverse("evidence:registry"), {}),
        ("post", reverse("evidence:institution_add"), {"name": "Someone"}),
        ("post", reverse("evidence:token_add", args=[institution.pk]), {}),
        ("post", reverse("evidence:token_revoke", args=[token.pk]), {}),
        ("post", reverse("evidence:witness_add"), {"verifier_key": _witness_key()}),
        ("post", reverse("evidence:witness_active", args=[witness.pk]), {"active": "0"}),
    ]


def test_it_forbids_the_registry_to_everyone_but_court_administrators(
    login, institution, admin, alice, oscar, clerk, judge
):
    requests = _requests(institution, admin)
    tokens = InstitutionToken.objects.count()
    for person in (alice, oscar, clerk, judge):
        client = login(person)
        for method, url, data in requests:
            response = getattr(client, method)(url, data)
            assert response.status_code == 403, (person, url)
    assert Institution.objects.count() == 1
    assert InstitutionToken.objects.count() == tokens
    assert not InstitutionToken.objects.filter(revoked_at__isnull=False).exists()
    assert Witness.objects.filter(is_active=True).count() == 1


def test_it_sends_anonymous_visitors_and_unverified_staff_elsewhere(
    login, visitor, admin, institution
):
    for method, url, data in _requests(institution, admin):
        response = getattr(visitor, method)(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    client = login(admin, otp=False)
    response = client.get(reverse("evidence:registry"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_verify")


def test_it_links_the_registry_for_court_administrators_only(login, admin, clerk):
    url = reverse("evidence:registry")
    assert f'href="{url}"' in login(admin).get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{url}"' not in login(clerk).get(reverse("accounts:dashboard")).content.decode()


def test_it_registers_an_institution(login, admin):
    client = login(admin)
    response = client.post(reverse("evidence:institution_add"), {"name": "  Notary  Office  "})
    assert response.status_code == 302
    assert Institution.objects.get().name == "Notary Office"
    assert "Notary Office" in _text(client.get(reverse("evidence:registry")))
    response = client.post(reverse("evidence:institution_add"), {"name": "Notary Office"})
    assert response.status_code == 400
    assert "An institution of this name is registered already." in _text(response)


def test_it_shows_a_new_token_once(login, admin, institution):
    client = login(admin)
    response = client.post(reverse("evidence:token_add", args=[institution.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = InstitutionToken.objects.get()
    secret = re.search(r'value="(ect_[^"]+)"', response.content.decode())
    assert secret is not None
    assert hashlib.sha256(secret.group(1).encode()).hexdigest() == token.token_sha256
    assert "It is shown only this once" in _text(response)
    page = client.get(reverse("evidence:registry")).content.decode()
    assert secret.group(1) not in page
    assert f"{token.prefix}…" in page


def test_it_revokes_a_token(login, admin, institution):
    token, _secret = institution_token_create(actor=admin, institution=institution)
    client = login(admin)
    response = client.post(reverse("evidence:token_revoke", args=[token.pk]), follow=True)
    assert f"The token {token.prefix}… of Copyright Monitor Ltd. is revoked" in _text(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in _text(response)
    assert client.post(reverse("evidence:token_revoke", args=[999999])).status_code == 404


def test_it_trusts_and_stops_trusting_a_witness(login, admin):
    client = login(admin)
    key = _witness_key()
    response = client.post(
        reverse("evidence:witness_add"), {"verifier_key": key, "description": "Notary No. 1"}
    )
    assert response.status_code == 302
    witness = Witness.objects.get()
    assert (witness.name, witness.is_active) == ("notary.example/witness", True)
    page = _text(client.get(reverse("evidence:registry")))
    assert "notary.example/witness" in page and "Notary No. 1" in page
    client.post(reverse("evidence:witness_active", args=[witness.pk]), {"active": "0"})
    witness.refresh_from_db()
    assert witness.is_active is False
    client.post(reverse("evidence:witness_active", args=[witness.pk]), {"active": "1"})
    witness.refresh_from_db()
    assert witness.is_active is True


def test_it_refuses_a_key_that_is_not_a_witness_key(login, admin):
    client = login(admin)
    response = client.post(reverse("evidence:witness_add"), {"verifier_key": "nonsense"})
    assert response.status_code == 400
    assert "This is not a witness verifier key" in _text(response)
    signer = str(note.verifier_for("court.example", Ed25519PrivateKey.generate()))
    response = client.post(reverse("evidence:witness_add"), {"verifier_key": signer})
    assert response.status_code == 400
    assert "A witness key has type 0x04" in _text(response)
    assert not Witness.objects.exists()


@override_settings(ECOURT_LOG_WITNESS_QUORUM=2)
def test_it_shows_the_log_and_the_quorum(login, admin, alice):
    client = login(admin)
    text = _text(client.get(reverse("evidence:registry")))
    assert "Entries 0" in text and "none yet" in text
    assert "2 cosignatures of 0 active witnesses" in text
    assert "The quorum is larger than the number of active witnesses" in text
    for n in range(3):
        deposit_for_user(actor=alice, sha256=f"{n:064x}", size=10 + n, media_type="application/pdf")
    log_integrate_all()
    text = _text(client.get(reverse("evidence:registry")))
    assert "Entries 3" in text
    assert "size 3, signed" in text
    assert "no witness yet" in text


def test_it_lists_quarantined_files(login, admin, alice, monkeypatch):
    monkeypatch.setattr(
        "ecourt.evidence.services.uploads.scan_file",
        lambda path: ScanResult(clean=False, signature="Eicar-Test-Signature"),
    )
    application = draft_application(alice)
    party = application.parties.get(side=PartySide.PLAINTIFF)
    content = b"%PDF-1.4\n% eicar stand-in\n%%EOF\n"
    response = login(alice).post(
        reverse("evidence:item_add", args=[application.pk]) + f"?party={party.pk}",
        {
            "title": "Contract",
            "purpose": "The agreement",
            "form": "document",
            "kind": "copy",
            "file": SimpleUploadedFile("contract.pdf", content),
        },
    )
    assert response.status_code == 400
    assert "The virus scanner found Eicar-Test-Signature in this file." in _text(response)
    row = QuarantinedFile.objects.get()
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    text = _text(login(admin).get(reverse("evidence:registry")))
    assert "1 file was stopped by the virus scanner." in text
    assert "contract.pdf" in text and "Eicar-Test-Signature" in text and row.sha256 in text
