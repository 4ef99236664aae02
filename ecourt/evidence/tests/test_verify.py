"""The offline verifier, end to end on receipts built here: what it accepts, and that it names
the check that fails for each kind of tampering."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecourt.evidence.tlog import merkle, note
from ecourt.evidence.tlog.entry import Entry, EntryError, parse_entry
from ecourt.evidence.tlog.verify import CheckFailed, main, verify_receipt

ORIGIN = "court.example/evidence"
LOG_KEY = Ed25519PrivateKey.generate()
WITNESS_KEYS = [Ed25519PrivateKey.generate() for _ in range(3)]
WITNESSES = [
    note.verifier_for(f"witness{i}.example", key, note.COSIGNATURE_V1)
    for i, key in enumerate(WITNESS_KEYS)
]
CONTENT = b"the photographs, as published on 2026-03-01"


def entry_for(content: bytes, n: int) -> Entry:
    return Entry(
        hashlib.sha256(content).hexdigest(),
        len(content),
        "image/png",
        f"party-{n}",
        datetime(2026, 11, 28, 8, 30, n % 60, tzinfo=UTC),
    )


def build_log(size: int) -> tuple[list[Entry], merkle.NodeReader]:
    entries = [entry_for(CONTENT if i == 5 else f"other {i}".encode(), i) for i in range(size)]
    return entries, merkle.reader_from_leaves([merkle.leaf_hash(e.data) for e in entries])


def signed_checkpoint(size: int, node: merkle.NodeReader, cosigners: int = 2) -> str:
    body = note.Checkpoint(ORIGIN, size, merkle.tree_hash(size, node)).body
    signed = note.sign_note(body, ORIGIN, LOG_KEY)
    lines = [
        note.cosign(body, w.name, key, 1_764_000_000)
        for w, key in list(zip(WITNESSES, WITNESS_KEYS, strict=True))[:cosigners]
    ]
    return note.add_signature_lines(signed, lines) if lines else signed


def receipt(size: int = 20, index: int = 5, cosigners: int = 2) -> dict:
    entries, node = build_log(size)
    return {
        "deposit_no": "E2026-000006",
        "entry": entries[index].text,
        "leaf_index": index,
        "tree_size": size,
        "inclusion_proof": [
            base64.b64encode(h).decode() for h in merkle.inclusion_proof(index, size, node)
        ],
        "checkpoint": signed_checkpoint(size, node, cosigners),
        "log_key": str(note.verifier_for(ORIGIN, LOG_KEY)),
    }


LOG_VERIFIER = str(note.verifier_for(ORIGIN, LOG_KEY))
WITNESS_STRINGS = [str(w) for w in WITNESSES]


def test_it_verifies_a_good_receipt_with_file_key_and_witnesses(tmp_path):
    evidence = tmp_path / "photo.png"
    evidence.write_bytes(CONTENT)
    report = verify_receipt(
        receipt(),
        file=evidence,
        log_key=LOG_VERIFIER,
        witness_keys=WITNESS_STRINGS,
        min_witnesses=2,
    )
    assert len(report.passed) == 6 and not report.notes


def failing(check: str, data: dict, **kwargs) -> None:
    with pytest.raises(CheckFailed) as info:
        verify_receipt(data, **{"log_key": LOG_VERIFIER, **kwargs})
    assert info.value.check == check, info.value


def test_it_names_the_check_that_fails(tmp_path):
    wrong_file = tmp_path / "other.png"
    wrong_file.write_bytes(CONTENT + b"!")
    failing("file", receipt(), file=wrong_file)
    failing("receipt", {**receipt(), "leaf_index": -1})
    failing("receipt", {**receipt(), "inclusion_proof": ["not base64!"]})
    failing("receipt", [])
    failing("entry", {**receipt(), "entry": receipt()["entry"].replace("\n", "\r\n")})
    failing("inclusion", {**receipt(), "leaf_index": 6})
    failing("inclusion", {**receipt(), "tree_size": 19})
    tampered = receipt()
    tampered["entry"] = entry_for(b"something else", 5).text
    failing("inclusion", tampered)
    forged = receipt()
    forged["checkpoint"] = forged["checkpoint"].replace("\n20\n", "\n21\n")
    failing("log signature", forged)
    other_log = str(note.verifier_for(ORIGIN, Ed25519PrivateKey.generate()))
    failing("log signature", receipt(), log_key=other_log)
    failing("witnesses", receipt(cosigners=1), witness_keys=WITNESS_STRINGS, min_witnesses=2)
    failing("witnesses", receipt(), witness_keys=[WITNESS_STRINGS[0]] * 2, min_witnesses=2)
    failing("witnesses", receipt(), witness_keys=[LOG_VERIFIER])


def test_it_checks_that_the_checkpoint_extends_an_older_one():
    entries, node = build_log(20)
    older = signed_checkpoint(13, node)
    proof = {
        "from": 13,
        "to": 20,
        "proof": [base64.b64encode(h).decode() for h in merkle.consistency_proof(13, 20, node)],
    }
    verify_receipt(receipt(), log_key=LOG_VERIFIER, older_checkpoint=older, consistency=proof)
    # An older checkpoint from a rewritten log (one early entry changed) is caught.
    forged_entries = list(entries)
    forged_entries[2] = entry_for(b"rewritten", 2)
    forged_node = merkle.reader_from_leaves([merkle.leaf_hash(e.data) for e in forged_entries])
    failing(
        "consistency",
        receipt(),
        older_checkpoint=signed_checkpoint(13, forged_node),
        consistency=proof,
    )
    failing("consistency", receipt(), older_checkpoint=older, consistency={**proof, "from": 12})


def test_without_a_log_key_it_says_the_key_came_from_the_receipt():
    report = verify_receipt(receipt())
    assert report.notes and "--log-key" in report.notes[0]


def test_the_command_line_exit_codes(tmp_path, capsys):
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt()))
    evidence = tmp_path / "photo.png"
    evidence.write_bytes(CONTENT)
    args = [str(path), "--file", str(evidence), "--log-key", LOG_VERIFIER]
    witnesses = [arg for key in WITNESS_STRINGS for arg in ("--witness-key", key)]
    assert main([*args, *witnesses]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    evidence.write_bytes(b"tampered")
    assert main(args) == 1
    assert "FAILED file" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.json")]) == 2
    with pytest.raises(SystemExit):
        main([str(path), "--checkpoint", str(path)])


def test_entries_are_canonical_only():
    entry = entry_for(CONTENT, 5)
    assert entry.text.startswith("ecourt-evidence/v1\nsha256 ")
    assert entry.text.endswith("time 2026-11-28T08:30:05Z\n")
    assert parse_entry(entry.text) == entry
    for bad in (
        entry.text.replace("size ", "size 0"),
        entry.text.replace("image/png", "Image/PNG"),
        entry.text.replace("08:30:05Z", "08:30:05+00:00"),
        entry.text.replace("2026-11-28", "2026-02-30"),
        entry.text + "extra\n",
        entry.text.replace("sha256 ", "sha256  "),
    ):
        with pytest.raises(EntryError):
            parse_entry(bad)
    with pytest.raises(EntryError):
        Entry("A" * 64, 1, "image/png", "x", datetime(2026, 1, 1, tzinfo=UTC))
