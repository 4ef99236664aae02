"""The case-file export: a case with a signed PDF judgment-like document, a text-only
summons served with its proof, and an evidence item, exported and read back: every listed
file's SHA-256, every receipt through ``ecourt-verify``'s own code (and once the console
script), masked identity numbers, a tampered file caught, a party's copy, the audit event,
determinism, pending deposits, and the ``ecourt case export`` command.

Personas: Alice sues Beta Tech; Bob represents Beta Tech; the clerk dockets and issues; Judge
Wang issues the PDF document."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import Case, Party
from ecourt.cases.services._common import docket_add
from ecourt.cases.tests.factories import BETA_USCC
from ecourt.core.errors import PermissionDenied
from ecourt.core.models import AuditEvent
from ecourt.delivery.models import ProofOfService
from ecourt.delivery.tests.factories import (
    beta_case,
    confirm,
    defendant,
    delivery_to,
    issue,
    link_beta,
    plaintiff,
)
from ecourt.documents.export import FORMAT, case_export_filename, case_export_zip
from ecourt.documents.render import render_document_pdf
from ecourt.documents.services import document_issue, document_pdf_bytes
from ecourt.documents.sign import seal_generate
from ecourt.evidence.keys import log_verifier
from ecourt.evidence.models import EvidenceItem
from ecourt.evidence.services.items import evidence_list_submit
from ecourt.evidence.services.log import log_integrate_all
from ecourt.evidence.tests.test_services_items import SCREENSHOT
from ecourt.evidence.tests.test_services_items import add as evidence_add
from ecourt.evidence.tlog.verify import CheckFailed, verify_receipt

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def own_storage(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.ECOURT_CLAMD = ""
    key, cert = tmp_path / "seal.key", tmp_path / "seal.crt"
    seal_generate(key, cert, common_name="Test Internet Court")
    settings.ECOURT_SEAL_KEY_FILE = str(key)
    settings.ECOURT_SEAL_CERT_FILE = str(cert)


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit: Any) -> Case:
    with commit():
        found = beta_case(alice, bob, clerk, judge)
    link_beta(bob, found)
    return found


def build_file(case: Case, alice: User, clerk: User, judge: User, commit: Any) -> dict[str, Any]:
    """A summons (text) served on Alice with its proof, a signed PDF to both parties, one
    submitted evidence item of Alice's, and a docket note that quotes an identity number."""
    confirm(alice, case, plaintiff(case))
    with commit():
        summons = issue(clerk, case, recipients=[plaintiff(case)])
    title, body = "Notice on the hearing", "The hearing will take place online on 2026-12-15."
    pdf = render_document_pdf(case=case, kind="other", title=title, body=body, judge=judge)
    with commit():
        signed = document_issue(
            actor=judge, case_id=case.pk, kind="other", title=title, body=body, pdf=pdf
        )
    item = evidence_add(alice, case.application, plaintiff(case))
    evidence_list_submit(actor=alice, application=case.application, party=plaintiff(case))
    docket_add(
        case=case,
        code="test.note",
        actor=clerk,
        text=gettext_lazy("The defendant's USCC is %(uscc)s."),
        params={"uscc": BETA_USCC},
    )
    return {"summons": summons, "signed": signed, "item": item}


def read(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
    return json.loads(files["index.json"]), files


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_it_exports_a_file_whose_every_hash_and_receipt_checks(
    case, alice, clerk, judge, commit, tmp_path
):
    built = build_file(case, alice, clerk, judge, commit)
    log_integrate_all()
    data = case_export_zip(case=case, actor=clerk)
    index, files = read(data)

    assert index["format"] == FORMAT == "ecourt-case-file/v1"
    assert index["copy"]["for"] == "court"
    assert index["case"]["number"] == case.number
    assert index["court"]["code"]
    assert index["installation"]["evidence_log"]["public_key"] == str(log_verifier())
    # Every file but index.json is listed, with the right hash and size; nothing else is.
    listed = {row["path"]: row for row in index["files"]}
    assert set(listed) == set(files) - {"index.json"}
    for path, row in listed.items():
        assert row["sha256"] == sha(files[path]) and row["size"] == len(files[path]), path
    assert index["problems"] == []
    assert all(".." not in p and not p.startswith("/") for p in files)
    assert "README.md" in files and b"ecourt-verify" in files["README.md"]
    sums = files["SHA256SUMS"].decode().splitlines()
    assert f"{listed['README.md']['sha256']}  README.md" in sums

    # The documents: the PDF and the text exactly as deposited.
    signed, summons = built["signed"], built["summons"]
    pdf_path = f"documents/{signed.pk}-other.pdf"
    assert files[pdf_path] == document_pdf_bytes(signed)
    assert sha(files[pdf_path]) == signed.sha256 == signed.deposit.sha256
    assert files[f"documents/{summons.pk}-summons.txt"] == summons.body.encode()
    docs = {d["id"]: d for d in index["documents"]}
    assert docs[signed.pk]["path"] == pdf_path and docs[signed.pk]["text"] == signed.body
    assert docs[summons.pk]["deposit_no"] == summons.deposit.deposit_no

    # The evidence file, by its hash, with its receipt.
    item: EvidenceItem = built["item"]
    assert files[f"evidence/{item.blob.sha256}"] == SCREENSHOT
    [row] = index["evidence"]
    assert (row["filename"], row["sha256"], row["size"]) == (
        item.filename,
        item.blob.sha256,
        len(SCREENSHOT),
    )
    assert row["party"] == plaintiff(case).pk and row["deposit_no"] == item.deposit.deposit_no

    # The proof of service, exactly as hashed, in the index and as a file.
    proof = ProofOfService.objects.get(delivery=delivery_to(summons, plaintiff(case)))
    [delivery] = [d for d in index["deliveries"] if d["document"] == summons.pk]
    assert delivery["served_at"] and delivery["party"] == plaintiff(case).pk
    [entry] = delivery["proofs"]
    assert entry["text"] == proof.text and entry["sha256"] == proof.sha256
    assert files[entry["path"]] == proof.text.encode() and sha(files[entry["path"]]) == proof.sha256

    # Every deposit referred to has its receipt, and every receipt verifies with
    # ecourt-verify's checks against the file it covers, under the log's key.
    key = str(log_verifier())
    covered = set()
    assert index["receipts"]
    for number, receipt_row in index["receipts"].items():
        assert receipt_row["status"] == "included", number
        assert receipt_row["path"] == f"receipts/{number}.json"
        receipt = json.loads(files[receipt_row["path"]])
        assert receipt["deposit_no"] == number
        for path in receipt_row["covers"]:
            target = tmp_path / "check" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path])
            verify_receipt(receipt, file=target, log_key=key)
            covered.add(path)
    assert {pdf_path, entry["path"], f"evidence/{item.blob.sha256}"} <= covered

    # The console script says the same, in its own process, from the extracted ZIP.
    out = tmp_path / "zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(out)
    number = signed.deposit.deposit_no
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecourt.evidence.tlog.verify",
            str(out / "receipts" / f"{number}.json"),
            "--log-key",
            key,
            "--file",
            str(out / pdf_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VERIFIED" in run.stdout
    if shutil.which("sha256sum"):
        check = subprocess.run(
            ["sha256sum", "-c", "--quiet", "SHA256SUMS"],
            cwd=out,
            capture_output=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout


def test_no_full_identity_number_is_anywhere_in_the_zip(case, alice, clerk, judge, commit):
    build_file(case, alice, clerk, judge, commit)
    log_integrate_all()
    data = case_export_zip(case=case, actor=clerk)
    index, files = read(data)
    numbers = [p.id_number for p in Party.objects.filter(case=case) if p.id_number]
    assert BETA_USCC in numbers and len(numbers) == 2
    for number in numbers:
        encoded = number.encode()
        assert encoded not in data
        for path, content in files.items():
            assert encoded not in content, path
    masked = {p["name"]: p["id_number_masked"] for p in index["parties"]}
    assert masked[defendant(case).name] == BETA_USCC[:4] + "*" * 10 + BETA_USCC[-4:]
    # The docket note that quoted the number is kept, masked.
    [note] = [e for e in index["docket"] if e["code"] == "test.note"]
    assert masked[defendant(case).name] in note["text_en"]


def test_a_tampered_file_fails_its_hash_and_its_receipt(
    case, alice, clerk, judge, commit, tmp_path
):
    built = build_file(case, alice, clerk, judge, commit)
    log_integrate_all()
    index, files = read(case_export_zip(case=case, actor=clerk))
    path = f"evidence/{built['item'].blob.sha256}"
    tampered = bytearray(files[path])
    tampered[10] ^= 0x01
    listed = {row["path"]: row for row in index["files"]}
    assert sha(bytes(tampered)) != listed[path]["sha256"]
    target = tmp_path / "tampered"
    target.write_bytes(bytes(tampered))
    number = built["item"].deposit.deposit_no
    receipt = json.loads(files[index["receipts"][number]["path"]])
    with pytest.raises(CheckFailed) as failed:
        verify_receipt(receipt, file=target, log_key=str(log_verifier()))
    assert failed.value.check == "file"


def test_a_deposit_not_yet_in_the_log_is_marked_pending(case, alice, clerk, judge, commit):
    built = build_file(case, alice, clerk, judge, commit)
    index, files = read(case_export_zip(case=case, actor=clerk))
    number = built["signed"].deposit.deposit_no
    assert index["receipts"][number]["status"] == "pending"
    assert index["receipts"][number]["reason"] == "sequencing"
    assert index["receipts"][number]["path"] is None
    assert not any(p.startswith("receipts/") for p in files)


def test_every_export_is_audited_with_the_zips_hash(case, alice, clerk, judge, commit):
    build_file(case, alice, clerk, judge, commit)
    data = case_export_zip(case=case, actor=judge)
    event = AuditEvent.objects.get(code="ecourt.documents.case_exported")
    assert event.actor == judge and event.target_id == str(case.pk)
    assert event.new_values["sha256"] == sha(data)
    assert event.new_values["size"] == len(data) and event.new_values["copy"] == "court"


def test_the_same_moment_gives_the_same_bytes(case, alice, clerk, judge, commit):
    build_file(case, alice, clerk, judge, commit)
    log_integrate_all()
    with time_machine.travel(datetime(2026, 12, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        first = case_export_zip(case=case, actor=clerk)
        second = case_export_zip(case=case, actor=clerk)
    assert first == second
    index, _files = read(first)
    assert index["exported_at"] == "2026-12-20T10:00:00+08:00"


def test_a_party_gets_its_copy_without_the_other_sides_proofs(
    case, alice, bob, clerk, judge, commit
):
    confirm(bob, case, defendant(case))
    built = build_file(case, alice, clerk, judge, commit)
    log_integrate_all()
    index, files = read(case_export_zip(case=case, actor=bob))
    assert index["copy"] == {"for": "party", "parties": [defendant(case).pk]}
    signed = {d["party"]: d for d in index["deliveries"] if d["document"] == built["signed"].pk}
    [own] = signed[defendant(case).pk]["proofs"]
    assert not own["withheld"] and files[own["path"]].decode() == own["text"]
    theirs = [d for d in index["deliveries"] if d["party"] == plaintiff(case).pk]
    assert {d["document"] for d in theirs} >= {built["summons"].pk, built["signed"].pk}
    for delivery in theirs:
        for proof in delivery["proofs"]:
            assert proof["withheld"] and proof["text"] is None and proof["path"] is None
            assert index["receipts"][proof["deposit_no"]]["status"] == "included"
    assert alice.mobile.encode() not in b"".join(files.values())
    # The rest is the same as the court's copy.
    assert f"documents/{built['signed'].pk}-other.pdf" in files
    assert f"evidence/{built['item'].blob.sha256}" in files


def test_an_outsider_may_not_export(case, oscar):
    with pytest.raises(PermissionDenied):
        case_export_zip(case=case, actor=oscar)


def test_the_file_name_is_ascii():
    case = Case(number="(2026)京0491民初12号", pk=7)
    assert case_export_filename(case) == "case-2026-0491-12.zip"


# --- The command ---------------------------------------------------------------------------------


def test_the_command_refuses_an_unknown_number(case, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("case", "export", "(2026)京0491民初999号", "-o", str(tmp_path / "x.zip"))
    assert refused.value.returncode == 1
    assert "No case has the number" in str(refused.value)
    assert not (tmp_path / "x.zip").exists()


def test_the_command_writes_a_valid_zip_after_integrating_the_log(
    case, alice, clerk, judge, commit, tmp_path
):
    build_file(case, alice, clerk, judge, commit)
    target = tmp_path / "file.zip"
    out = io.StringIO()
    call_command("case", "export", case.number, "-o", str(target), stdout=out)
    assert str(target) in out.getvalue()
    data = target.read_bytes()
    index, _files = read(data)
    assert index["case"]["number"] == case.number and index["copy"]["for"] == "court"
    assert all(r["status"] == "included" for r in index["receipts"].values())
    assert not (tmp_path / "file.zip.partial").exists()
    event = AuditEvent.objects.get(code="ecourt.documents.case_exported")
    assert event.actor is None and event.new_values["sha256"] == sha(data)
    with pytest.raises(CommandError):  # never overwrites without --force
        call_command("case", "export", case.number, "-o", str(target))


def test_the_command_writes_to_stdout(case, monkeypatch):
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer))
    call_command("case", "export", case.number, "-o", "-", stderr=io.StringIO())
    index, _files = read(buffer.getvalue())
    assert index["case"]["number"] == case.number


def test_a_partys_copy_withholds_the_other_sides_answers_while_the_window_is_open(
    case, alice, bob, judge
):
    """As on the trial page: another party's answer shows once the round's window is over."""
    from datetime import timedelta

    from django.utils import timezone

    from ecourt.hearings.models import AsyncAnswer, AsyncRound, AsyncTrial

    now = timezone.now()
    trial = AsyncTrial.objects.create(case=case, judge=judge, opened_at=now - timedelta(days=5))
    closed = AsyncRound.objects.create(
        trial=trial,
        number=1,
        questions="Q1",
        opened_at=now - timedelta(days=5),
        due_at=now - timedelta(days=2),
    )
    running = AsyncRound.objects.create(
        trial=trial,
        number=2,
        questions="Q2",
        opened_at=now - timedelta(days=1),
        due_at=now + timedelta(days=2),
    )
    for round_ in (closed, running):
        for party, author in ((plaintiff(case), alice), (defendant(case), bob)):
            AsyncAnswer.objects.create(
                round=round_,
                party=party,
                author=author,
                text=f"{party.name} answers round {round_.number}",
                answered_at=round_.opened_at + timedelta(hours=1),
            )

    def rounds(actor: User | None) -> dict[int, dict[str, Any]]:
        index, _files = read(case_export_zip(case=case, actor=actor))
        [trial_row] = index["async_trials"]["trials"]
        return {r["number"]: r for r in trial_row["rounds"]}

    bobs = rounds(bob)
    assert {a["party"] for a in bobs[1]["answers"]} == {plaintiff(case).pk, defendant(case).pk}
    assert bobs[1]["withheld_answers"] == 0
    assert [a["party"] for a in bobs[2]["answers"]] == [defendant(case).pk]
    assert bobs[2]["withheld_answers"] == 1
    alices = rounds(alice)
    assert [a["party"] for a in alices[2]["answers"]] == [plaintiff(case).pk]
    court = rounds(None)
    assert len(court[2]["answers"]) == 2 and court[2]["withheld_answers"] == 0
    # The round closed early by the judge: its window is over.
    AsyncRound.objects.filter(pk=running.pk).update(closed_at=now)
    assert rounds(bob)[2]["withheld_answers"] == 0
