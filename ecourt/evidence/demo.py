"""Demo evidence, built through the services: a copyright-monitoring platform that deposited
the hashes of its captures over the API; Alice's screenshot of the infringing page on her
case against Beta Tech, filed with that platform's deposit number (checked: it matches) and
submitted; a demo witness, "Demo Notary Office", that cosigned the log's checkpoint; and the
log integrated so every receipt is ready. Loaded once (idempotent) by ``ecourt demo``."""

from __future__ import annotations

import hashlib
import struct
import tempfile
import time
import zlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction

from ecourt.accounts.models import User
from ecourt.cases.demo import ALICE
from ecourt.cases.models import Case, PartySide
from ecourt.evidence import keys, selectors
from ecourt.evidence.models import Institution
from ecourt.evidence.services import items, registry, uploads
from ecourt.evidence.services.log import HashRecord, deposits_create, log_integrate_all
from ecourt.evidence.tlog import note
from ecourt.evidence.tlog.witness import witness_cosign

ADMIN = "+8613800000010"
PLATFORM = "Demo Copyright Monitoring Platform"


def _png(width: int = 64, height: int = 40) -> bytes:
    """A small, valid PNG (a grey gradient) standing in for a screenshot."""
    rows = b"".join(b"\x00" + bytes((x * 4) % 256 for x in range(width)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def load() -> list[dict[str, str]]:
    people = {u.mobile: u for u in User.objects.filter(mobile__in=[ALICE, ADMIN])}
    alice, admin = people.get(ALICE), people.get(ADMIN)
    if alice is None or admin is None or Institution.objects.filter(name=PLATFORM).exists():
        return []
    case = Case.objects.filter(application__created_by=alice).order_by("pk").first()
    if case is None:
        return []
    screenshot = _png()
    digest = hashlib.sha256(screenshot).hexdigest()
    with transaction.atomic():
        _row, token = registry.institution_token_create(
            actor=admin, institution_name=PLATFORM, create_institution=True
        )
        institution = Institution.objects.get(name=PLATFORM)
        deposited = deposits_create(
            actor=None,
            institution=institution,
            records=[
                HashRecord(digest, len(screenshot), "image/png", "capture-2026-03-01-001"),
                *(
                    HashRecord(
                        hashlib.sha256(f"capture {n}".encode()).hexdigest(),
                        1000 + n,
                        "image/png",
                        f"capture-2026-03-01-{n:03d}",
                    )
                    for n in range(2, 13)
                ),
            ],
        )
        with tempfile.NamedTemporaryFile(dir=settings.VAR_DIR, delete=False) as temp:
            temp.write(screenshot)
        upload = uploads.upload_from_file(
            actor=alice, path=Path(temp.name), filename="侵权网页截图 infringing-page.png"
        )
        plaintiff = case.parties.get(side=PartySide.PLAINTIFF)
        items.evidence_item_add(
            actor=alice,
            application=case.application,
            party=plaintiff,
            upload=upload,
            title="被告网站侵权页面截图 / Screenshot of the defendant's page",
            purpose="被告在其网站发布原告作品 / The defendant published the photographs",
            form="web_page",
            kind="original",
            source="Demo Copyright Monitoring Platform",
            claimed_deposit_no=deposited[0][0].deposit_no,
        )
        items.evidence_list_submit(actor=alice, application=case.application, party=plaintiff)
    log_integrate_all()
    _witness(admin)
    return [
        {
            "role": "deposit API token",
            "login": "(shown once)",
            "name": f"{token}  ({PLATFORM}; new: ecourt evidence token)",
            "password": token,
            "totp": "",
        }
    ]


def _witness(admin: User) -> None:
    """A demo witness cosigns the newest checkpoint (a real one runs ``ecourt witness``)."""
    key = Ed25519PrivateKey.generate()
    name = "demo-notary.example/witness"
    verifier = note.verifier_for(name, key, note.COSIGNATURE_V1)
    registry.witness_add(actor=admin, verifier_key=str(verifier), description="Demo Notary Office")
    checkpoint = selectors.checkpoint_latest()
    if checkpoint is None:
        return
    _state, cosignature = witness_cosign(
        state=None,
        signed_checkpoint=checkpoint.note,
        log=keys.log_verifier(),
        proof=[],
        name=name,
        key=key,
        now=int(time.time()),
    )
    from ecourt.evidence.services.log import checkpoint_cosign

    checkpoint_cosign(signed_note=checkpoint.note + cosignature.line)
