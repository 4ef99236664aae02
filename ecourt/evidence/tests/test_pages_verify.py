"""The public verification page (/verify/): anyone, signed in or not, checks a SHA-256 or a
deposit number against the evidence log; each integrated deposit's receipt is built and
verified on the server against the log's key and the witness policy."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ecourt.evidence.keys import log_verifier
from ecourt.evidence.models import Checkpoint
from ecourt.evidence.services.log import (
    HashRecord,
    checkpoint_cosign,
    deposit_for_user,
    deposits_create,
    log_integrate_all,
)
from ecourt.evidence.services.registry import institution_create
from ecourt.evidence.tests.factories import cosigned, witness_key

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4\n% the photographs\n%%EOF\n"
SHA256 = hashlib.sha256(CONTENT).hexdigest()


def _text(response: Any) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _verify(client: Any, **params: str) -> Any:
    return client.get(reverse("evidence:verify"), params)


@pytest.fixture
def deposited(alice):
    """Alice's file, deposited as her evidence uploads are, and in the log."""
    deposit, _created = deposit_for_user(
        actor=alice, sha256=SHA256, size=len(CONTENT), media_type="application/pdf"
    )
    log_integrate_all()
    deposit.refresh_from_db()
    return deposit


def test_it_shows_the_form_to_anyone(visitor):
    response = visitor.get(reverse("evidence:verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="verify-file"' in html
    assert 'name="file"' not in html  # the file input has no name: it is never sent
    assert 'method="get"' in html
    assert "sha256.js" in html and "evidence-verify.js" in html
    assert "<script>" not in html
    assert "Result" not in _text(response)


def test_it_finds_a_deposited_hash_and_verifies_its_proof(visitor, alice, deposited):
    response = _verify(visitor, sha256=SHA256)
    assert response.status_code == 200
    text = _text(response)
    assert "Deposited: the evidence log has 1 deposit of this file." in text
    assert deposited.deposit_no in text
    assert timezone.localtime(deposited.accepted_at).strftime("%Y-%m-%d %H:%M:%S") in text
    assert "Log entry 0" in text
    assert "Checkpoint tree size 1" in text
    assert "Proof verifies against the checkpoint Yes" in text
    assert "Witness cosignatures 0 (the court asks for 0 of its 0 witnesses)" in text
    receipt = reverse("api:receipt_get", kwargs={"deposit_no": deposited.deposit_no})
    assert f'href="{receipt}"' in response.content.decode()
    assert "ecourt-verify receipt.json" in text
    # Entries hold no personal data, nor does this page.
    assert alice.display_name not in text and alice.mobile not in text
    assert "A person using the court's platform" in text


def test_it_accepts_a_hash_in_capitals_with_spaces(visitor, deposited):
    pasted = " ".join(SHA256.upper()[i : i + 8] for i in range(0, 64, 8))
    text = _text(_verify(visitor, sha256=pasted))
    assert "Deposited:" in text


def test_it_says_when_a_hash_is_not_in_the_log(visitor, deposited):
    response = _verify(visitor, sha256="0" * 64)
    assert response.status_code == 200
    assert "Not deposited: the evidence log has no deposit of this file." in _text(response)


def test_it_says_what_is_wrong_with_a_bad_hash(visitor):
    response = _verify(visitor, sha256="not a hash")
    assert response.status_code == 400
    assert "A SHA-256 has only the digits 0–9 and the letters a–f." in _text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    response = _verify(visitor, sha256="abc123")
    assert response.status_code == 400
    assert "A SHA-256 is 64 hexadecimal digits; this one has 6." in _text(response)
    response = _verify(visitor, sha256="", deposit_no="")
    assert response.status_code == 400
    assert "Choose a file, or give its SHA-256 or a deposit number." in _text(response)


def test_it_says_a_deposit_waits_for_the_sequencer(visitor, alice):
    deposit_for_user(actor=alice, sha256=SHA256, size=len(CONTENT), media_type="application/pdf")
    text = _text(_verify(visitor, sha256=SHA256))
    assert "Deposited:" in text
    assert "Accepted; entering the log in a few seconds." in text
    assert "Proof verifies" not in text


def test_it_looks_up_a_deposit_number(visitor, admin, deposited):
    institution = institution_create(actor=admin, name="Copyright Monitor Ltd.")
    [(other, _created)] = deposits_create(
        actor=None, institution=institution, records=[HashRecord("cd" * 32, 99, "image/png")]
    )
    log_integrate_all()
    text = _text(_verify(visitor, deposit_no=other.deposit_no.lower()))
    assert f"Deposit {other.deposit_no}" in text
    assert "Copyright Monitor Ltd." in text
    assert "Proof verifies against the checkpoint Yes" in text
    assert "Checkpoint tree size 2" in text
    text = _text(_verify(visitor, sha256=SHA256, deposit_no=other.deposit_no))
    assert f"Deposit {other.deposit_no} is of another file" in text
    assert f"Deposit {deposited.deposit_no}" in text  # the hash's own deposit is shown
    text = _text(_verify(visitor, deposit_no="ED-0000-0000-0000-0000"))
    assert "No deposit has the number ED-0000-0000-0000-0000." in text


def test_it_says_no_when_the_proof_does_not_verify(visitor, deposited):
    checkpoint = Checkpoint.objects.get()
    body, _sep, signature = checkpoint.note.partition("\n\n")
    # A checkpoint whose signature was tampered with (one base64 character changed).
    tampered = signature[:-10] + ("A" if signature[-10] != "A" else "B") + signature[-9:]
    Checkpoint.objects.filter(pk=checkpoint.pk).update(note=body + "\n\n" + tampered)
    text = _text(_verify(visitor, sha256=SHA256))
    assert "Proof verifies against the checkpoint No" in text
    origin = log_verifier().name
    assert f"log signature: the signature of {origin} does not verify" in text


@override_settings(ECOURT_LOG_WITNESS_QUORUM=1)
def test_it_counts_the_witnesses_cosignatures_against_the_policy(visitor, admin, alice):
    key, witness = witness_key("notary.example/witness", actor=admin)
    deposit_for_user(actor=alice, sha256=SHA256, size=len(CONTENT), media_type="application/pdf")
    log_integrate_all()
    text = _text(_verify(visitor, sha256=SHA256))
    assert "waiting for the witnesses' cosignatures" in text
    checkpoint = Checkpoint.objects.get()
    checkpoint_cosign(signed_note=cosigned(checkpoint.note, witness.name, key))
    text = _text(_verify(visitor, sha256=SHA256))
    assert "Witness cosignatures 1 (the court asks for 1 of its 1 witnesses)" in text
    assert "Proof verifies against the checkpoint Yes" in text
