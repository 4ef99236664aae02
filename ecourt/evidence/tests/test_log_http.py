"""The log's public HTTP contract (/log/…, C2SP tlog-tiles and checkpoints) and the evidence
API (/api/v1/evidence/…): what each answers, with which status, headers and problem codes,
and that a receipt it hands out verifies offline."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client, override_settings

from ecourt.accounts.models import User
from ecourt.evidence import selectors
from ecourt.evidence.keys import log_signer, log_verifier
from ecourt.evidence.models import Checkpoint, Cosignature, Deposit, InstitutionToken, LogTile
from ecourt.evidence.services.log import HashRecord, deposits_create, log_integrate_all
from ecourt.evidence.services.registry import institution_token_revoke, witness_set_active
from ecourt.evidence.tests.factories import (
    cosigned,
    entries_in_leaf_order,
    institution,
    records,
    witness_key,
)
from ecourt.evidence.tlog import merkle, note, verify
from ecourt.evidence.tlog.tiles import Tile, fold, parse_entry_bundle

pytestmark = pytest.mark.django_db

DEPOSITS = "/api/v1/evidence/deposits"
PROBLEM = "application/problem+json"


def logged(n: int, seed: str = "log") -> list[Deposit]:
    """``n`` deposits by a fresh institution, integrated."""
    inst, _secret = institution(f"Institution {seed}")
    results = deposits_create(actor=None, institution=inst, records=records(n, seed))
    log_integrate_all()
    return [Deposit.objects.get(pk=d.pk) for d, _created in results]


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    return body


# --- /log/checkpoint and /log/key ------------------------------------------------------------


def test_the_checkpoint_is_404_until_the_first_batch_then_the_signed_note(visitor: Client):
    response = visitor.get("/log/checkpoint")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    logged(3)
    response = visitor.get("/log/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"].startswith("public")
    assert response["Access-Control-Allow-Origin"] == "*"
    text = response.content.decode()
    assert text == Checkpoint.objects.get().note
    checkpoint = note.parse_checkpoint(note.verify_note(text, log_verifier()))
    assert checkpoint.size == 3
    logged(2, "more")
    text = visitor.get("/log/checkpoint").content.decode()
    assert note.parse_checkpoint(note.verify_note(text, log_verifier())).size == 5


def test_the_checkpoint_carries_the_trusted_witnesses_cosignatures(visitor: Client, admin: User):
    logged(4)
    checkpoint = Checkpoint.objects.get()
    key, witness = witness_key("w1.example", actor=admin)
    posted = cosigned(checkpoint.note, "w1.example", key)
    assert visitor.post("/log/cosignature", posted, content_type="text/plain").status_code == 200
    text = visitor.get("/log/checkpoint").content.decode()
    assert text == posted
    verifier = note.parse_verifier(witness.verifier_key)
    assert set(note.cosigned_by(text, [verifier])) == {"w1.example"}
    # A witness the court stops trusting is no longer shown.
    witness_set_active(actor=admin, witness=witness, active=False)
    assert visitor.get("/log/checkpoint").content.decode() == checkpoint.note


def test_the_key_is_the_log_verifier_key(visitor: Client):
    response = visitor.get("/log/key")
    assert response.status_code == 200
    assert response.content.decode() == str(log_verifier()) + "\n"
    assert note.parse_verifier(response.content.decode()) == log_verifier()


# --- /log/tile ------------------------------------------------------------------------------


@pytest.fixture
def log300(db: None) -> list[Deposit]:
    """A log of 300 entries: tile 0/000 and entry bundle 000 full, 0/001 44 wide, 1/000 1."""
    return logged(300)


def test_tiles_are_served_as_stored_and_as_their_prefixes(visitor: Client, log300):
    stored = bytes(LogTile.objects.get(level=0, index=0).data)
    response = visitor.get("/log/tile/0/000")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.content == stored and len(stored) == 256 * 32
    for path, tile in (
        ("0/000.p/3", Tile(0, 0, 3)),
        ("0/000.p/255", Tile(0, 0, 255)),
        ("0/001.p/44", Tile(0, 1, 44)),
        ("0/001.p/7", Tile(0, 1, 7)),
        ("1/000.p/1", Tile(1, 0, 1)),
    ):
        response = visitor.get("/log/tile/" + path)
        assert response.status_code == 200, path
        assert response.content == selectors.tile_data(tile), path
        assert response["Cache-Control"] == "public, max-age=5", path
    assert visitor.get("/log/tile/0/000.p/3").content == stored[:96]
    # The level-1 hash is the root of the first 256 leaves.
    entries = entries_in_leaf_order()
    leaves = [merkle.leaf_hash(e) for e in entries]
    assert visitor.get("/log/tile/1/000.p/1").content == fold(leaves[:256])
    assert visitor.get("/log/tile/0/001.p/44").content == b"".join(leaves[256:300])


def test_entry_bundles_parse_to_the_entries(visitor: Client, log300):
    entries = entries_in_leaf_order()
    full = visitor.get("/log/tile/entries/000")
    assert full.status_code == 200
    assert full["Cache-Control"] == "public, max-age=31536000, immutable"
    assert parse_entry_bundle(full.content) == entries[:256]
    assert parse_entry_bundle(visitor.get("/log/tile/entries/000.p/5").content) == entries[:5]
    partial = visitor.get("/log/tile/entries/001.p/44")
    assert parse_entry_bundle(partial.content) == entries[256:300]
    assert parse_entry_bundle(visitor.get("/log/tile/entries/001.p/2").content) == entries[256:258]
    assert [d.entry_text.encode() for d in log300] == entries


@pytest.mark.parametrize(
    "path",
    [
        "0/0",
        "0/00",
        "0/0000",
        "0/x000/001",
        "0/x1/000",
        "0/000.p/0",
        "0/000.p/256",
        "0/000.p/03",
        "0/000.p",
        "0/000.p/",
        "64/000",
        "01/000",
        "entries/0",
        "entries/000.p/0",
        "tile/0/000",
    ],
)
def test_malformed_tile_paths_are_400(visitor: Client, path: str):
    logged(1)
    response = visitor.get("/log/tile/" + path)
    assert response.status_code == 400, path
    assert response["Cache-Control"] == "no-store"


def test_tiles_past_the_log_are_404(visitor: Client, log300):
    for path in (
        "0/001",  # only 44 wide so far
        "0/001.p/45",
        "0/002.p/1",
        "1/000",
        "1/000.p/2",
        "2/000.p/1",
        "entries/001",
        "entries/001.p/45",
        "entries/x001/000",
    ):
        response = visitor.get("/log/tile/" + path)
        assert response.status_code == 404, path
        assert response["Cache-Control"] == "no-store"


def test_tiles_and_checkpoints_are_read_only(visitor: Client, log300):
    assert visitor.post("/log/tile/0/000").status_code == 405
    assert visitor.post("/log/checkpoint").status_code == 405
    assert visitor.get("/log/cosignature").status_code == 405


# --- /log/witnesses and POST /log/cosignature -------------------------------------------------


@override_settings(ECOURT_LOG_WITNESS_QUORUM=2)
def test_the_witness_policy_is_public_json(visitor: Client, admin: User):
    _key, witness = witness_key("w1.example", actor=admin)
    _key, retired = witness_key("w0.example", actor=admin)
    witness_set_active(actor=admin, witness=retired, active=False)
    response = visitor.get("/log/witnesses")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "origin": log_verifier().name,
        "log_key": str(log_verifier()),
        "quorum": 2,
        "witnesses": [{"name": "w1.example", "key": witness.verifier_key, "description": ""}],
    }


@pytest.fixture
def cosigning(db: None, admin: User) -> tuple[Checkpoint, Ed25519PrivateKey]:
    logged(6)
    key, _witness = witness_key("w1.example", actor=admin)
    return Checkpoint.objects.get(), key


def test_a_witness_posts_its_cosignature_without_a_csrf_token(cosigning):
    checkpoint, key = cosigning
    client = Client(enforce_csrf_checks=True)
    body = cosigned(checkpoint.note, "w1.example", key)
    response = client.post("/log/cosignature", body, content_type="text/plain; charset=utf-8")
    assert response.status_code == 200, response.content
    assert response.content.decode() == "cosigned by w1.example\n"
    assert Cosignature.objects.get().checkpoint == checkpoint
    # Again: the same answer, still one row.
    response = client.post("/log/cosignature", body, content_type="text/plain")
    assert response.status_code == 200
    assert Cosignature.objects.count() == 1


def test_cosignature_posts_that_do_not_count(cosigning):
    checkpoint, key = cosigning
    client = Client(enforce_csrf_checks=True)

    def post(body: str | bytes) -> Any:
        return client.post("/log/cosignature", body, content_type="text/plain")

    response = post("garbage")
    assert response.status_code == 400 and response.content.startswith(b"bad_checkpoint")
    assert post(b"\xff\xfe not utf-8").status_code == 400
    assert post("x" * (64 * 1024 + 1)).status_code == 413
    origin, log_key = log_signer()
    unknown = note.sign_note(
        note.Checkpoint(origin, 77, hashlib.sha256(b"x").digest()).body, origin, log_key
    )
    response = post(cosigned(unknown, "w1.example", key))
    assert response.status_code == 409 and response.content.startswith(b"unknown_checkpoint")
    stranger = Ed25519PrivateKey.generate()
    response = post(cosigned(checkpoint.note, "stranger.example", stranger))
    assert response.status_code == 403
    assert response.content.startswith(b"no_trusted_cosignature")
    other_body = note.Checkpoint(origin, 1, b"\x00" * 32).body
    wrong = note.cosign(other_body, "w1.example", key, 1_770_000_000)
    response = post(checkpoint.note + wrong.line)
    assert response.status_code == 400 and response.content.startswith(b"bad_cosignature")
    assert not Cosignature.objects.exists()


# --- POST /api/v1/evidence/deposits ---------------------------------------------------------


def record_json(record: HashRecord) -> dict[str, Any]:
    return {
        "sha256": record.sha256,
        "size": record.size,
        "media_type": record.media_type,
        "external_ref": record.external_ref,
    }


def post_deposits(client: Client, token: str | None, body: Any, *, key: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(DEPOSITS, data, content_type="application/json", headers=headers)


def test_deposits_need_a_valid_unrevoked_token(visitor: Client, admin: User):
    inst, secret = institution()
    body = {"records": [record_json(r) for r in records(2)]}
    problem(post_deposits(visitor, None, body), 401, "not_authenticated")
    problem(post_deposits(visitor, "ect_not-a-real-token", body), 401, "not_authenticated")
    problem(post_deposits(visitor, secret[4:], body), 401, "not_authenticated")
    institution_token_revoke(actor=admin, token=InstitutionToken.objects.get(institution=inst))
    problem(post_deposits(visitor, secret, body), 401, "not_authenticated")
    assert not Deposit.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"sha256": "A" * 64},
        {"sha256": "a" * 63},
        {"size": -1},
        {"size": 10**18 + 1},
        {"size": 1.5},
        {"media_type": "text/plain; charset=utf-8"},
        {"media_type": "Image/PNG"},
        {"external_ref": "x" * 201},
        {"external_ref": "line\nbreak"},
    ],
)
def test_records_that_do_not_match_the_schema_are_422(visitor: Client, change: dict[str, Any]):
    _inst, secret = institution()
    good = record_json(records(1)[0])
    body = {"records": [good, {**good, **change}]}
    problem(post_deposits(visitor, secret, body), 422, "invalid_request")
    assert not Deposit.objects.exists()


def test_request_shapes_that_are_422(visitor: Client):
    _inst, secret = institution()
    for body in ({}, {"records": []}, {"records": "x"}, {"records": [{}]}):
        problem(post_deposits(visitor, secret, body), 422, "invalid_request")
    problem(post_deposits(visitor, secret, "not json"), 400, "http_400")
    too_many = {"records": [record_json(r) for r in records(10_001)]}
    problem(post_deposits(visitor, secret, too_many), 422, "invalid_request")
    body = {"records": [record_json(r) for r in records(1)]}
    response = post_deposits(visitor, secret, body, key="k" * 201)
    problem(response, 422, "bad_idempotency_key")
    assert not Deposit.objects.exists()


def test_the_same_records_are_201_then_200(visitor: Client):
    inst, secret = institution()
    body = {"records": [record_json(r) for r in records(3)]}
    first = post_deposits(visitor, secret, body)
    assert first.status_code == 201, first.content
    deposits = first.json()["deposits"]
    assert [d["created"] for d in deposits] == [True, True, True]
    assert {d["status"] for d in deposits} == {"accepted"}
    assert [d["sha256"] for d in deposits] == [r["sha256"] for r in body["records"]]
    assert all(d["leaf_index"] is None for d in deposits)
    again = post_deposits(visitor, secret, body)
    assert again.status_code == 200
    assert [d["deposit_no"] for d in again.json()["deposits"]] == [
        d["deposit_no"] for d in deposits
    ]
    assert [d["created"] for d in again.json()["deposits"]] == [False, False, False]
    log_integrate_all()
    after = post_deposits(visitor, secret, body).json()["deposits"]
    assert [d["status"] for d in after] == ["integrated"] * 3
    assert sorted(d["leaf_index"] for d in after) == [0, 1, 2]
    assert Deposit.objects.filter(institution=inst).count() == 3


def test_an_idempotency_key_replays_the_first_answer(visitor: Client):
    _inst, secret = institution("First")
    _other, other_secret = institution("Second")
    body = {"records": [record_json(r) for r in records(2)]}
    first = post_deposits(visitor, secret, body, key="upload-42")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    log_integrate_all()  # the deposits change; the replayed answer does not
    replay = post_deposits(visitor, secret, body, key="upload-42")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    other_body = {"records": [record_json(r) for r in records(1, "other")]}
    reused = post_deposits(visitor, secret, other_body, key="upload-42")
    problem(reused, 409, "idempotency_key_reused")
    assert not Deposit.objects.filter(sha256=records(1, "other")[0].sha256).exists()
    # Keys belong to one institution: another may use the same key.
    theirs = post_deposits(visitor, other_secret, other_body, key="upload-42")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Deposit.objects.count() == 3


# --- GET /api/v1/evidence/deposits/{no}/receipt ------------------------------------------------


def receipt_url(deposit: Deposit | str) -> str:
    number = deposit if isinstance(deposit, str) else deposit.deposit_no
    return f"{DEPOSITS}/{number}/receipt"


CONTENT = b"the web page as it was on 2026-03-01 at 10:00"


@pytest.fixture
def file_deposit(db: None) -> Deposit:
    """A deposit of real content (so the verifier can check a file), among others."""
    inst, _secret = institution()
    record = HashRecord(hashlib.sha256(CONTENT).hexdigest(), len(CONTENT), "text/html")
    results = deposits_create(
        actor=None, institution=inst, records=[*records(4, "before"), record, *records(3)]
    )
    return results[4][0]


def test_the_receipt_is_pending_until_integrated_then_verifies(
    visitor: Client, file_deposit: Deposit, tmp_path: Path, capsys
):
    response = visitor.get(receipt_url(file_deposit))
    assert response.status_code == 202
    assert response.json() == {
        "deposit_no": file_deposit.deposit_no,
        "status": "pending",
        "reason": "sequencing",
        "retry_after_seconds": int(response["Retry-After"]),
    }
    assert int(response["Retry-After"]) >= 1
    log_integrate_all(limit=3)
    response = visitor.get(receipt_url(file_deposit.deposit_no.lower()))
    assert response.status_code == 200, response.content
    receipt = response.json()
    assert receipt["deposit_no"] == file_deposit.deposit_no
    assert receipt["leaf_index"] == 4 and receipt["tree_size"] == 8
    assert receipt["log_key"] == str(log_verifier())
    assert receipt["checkpoint"] == Checkpoint.objects.get(size=8).note
    proof = [base64.b64decode(h) for h in receipt["inclusion_proof"]]
    root = note.parse_checkpoint(note.verify_note(receipt["checkpoint"], log_verifier()))
    merkle.verify_inclusion(
        merkle.leaf_hash(receipt["entry"].encode()), 4, 8, proof, root.root_hash
    )

    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    evidence = tmp_path / "page.html"
    evidence.write_bytes(CONTENT)
    log_key = str(log_verifier())
    assert verify.main([str(path), "--log-key", log_key, "--file", str(evidence)]) == 0
    assert "VERIFIED" in capsys.readouterr().out

    def verdict(changed: dict[str, Any], key: str = log_key) -> int:
        path.write_text(json.dumps({**receipt, **changed}))
        return verify.main([str(path), "--log-key", key])

    assert verdict({"leaf_index": 3}) == 1
    other = Deposit.objects.get(leaf_index=3).entry_text
    assert verdict({"entry": other}) == 1
    assert verdict({"tree_size": 7}) == 1
    another_log = note.verifier_for(log_verifier().name, Ed25519PrivateKey.generate())
    assert verdict({}, str(another_log)) == 1
    assert verdict({}) == 0
    evidence.write_bytes(CONTENT + b" (edited)")
    assert verify.main([str(path), "--log-key", log_key, "--file", str(evidence)]) == 1


@override_settings(ECOURT_LOG_WITNESS_QUORUM=1)
def test_with_a_quorum_the_receipt_waits_for_a_witness(
    visitor: Client, file_deposit: Deposit, admin: User, tmp_path: Path
):
    key, witness = witness_key("w1.example", actor=admin)
    log_integrate_all(limit=5)  # checkpoints of size 5 (covering the deposit) and 8
    response = visitor.get(receipt_url(file_deposit))
    assert response.status_code == 202
    assert response.json()["reason"] == "awaiting_witnesses"
    assert response["Retry-After"] == "60"
    # A cosignature by a witness the court no longer trusts does not count.
    first = Checkpoint.objects.get(size=5)
    assert (
        visitor.post(
            "/log/cosignature", cosigned(first.note, "w1.example", key), content_type="text/plain"
        ).status_code
        == 200
    )
    witness_set_active(actor=admin, witness=witness, active=False)
    assert visitor.get(receipt_url(file_deposit)).status_code == 202
    witness_set_active(actor=admin, witness=witness, active=True)
    # The cosigned checkpoint (size 5) is used, not the newer uncosigned one (size 8).
    response = visitor.get(receipt_url(file_deposit))
    assert response.status_code == 200, response.content
    receipt = response.json()
    assert receipt["tree_size"] == 5
    assert receipt["checkpoint"] == first.note + Cosignature.objects.get().line
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    args = [str(path), "--log-key", str(log_verifier())]
    witness_args = ["--witness-key", witness.verifier_key, "--min-witnesses", "1"]
    assert verify.main([*args, *witness_args]) == 0
    assert verify.main([*args, *witness_args[:2], "--min-witnesses", "2"]) == 1
    stranger = note.verifier_for("w1.example", Ed25519PrivateKey.generate(), note.COSIGNATURE_V1)
    assert verify.main([*args, "--witness-key", str(stranger), "--min-witnesses", "1"]) == 1
    # Once the newer checkpoint is cosigned too, receipts move to it.
    newest = Checkpoint.objects.get(size=8)
    visitor.post("/log/cosignature", cosigned(newest.note, "w1.example", key), "text/plain")
    assert visitor.get(receipt_url(file_deposit)).json()["tree_size"] == 8


def test_an_unknown_deposit_number_is_a_404_problem(visitor: Client, file_deposit: Deposit):
    problem(visitor.get(receipt_url("ED-0000-0000-0000-0000")), 404, "no_deposit")
    problem(visitor.get(receipt_url("x" * 300)), 404, "no_deposit")


# --- Lookups and proofs ---------------------------------------------------------------------


def test_lookup_by_hash_is_public_and_accepts_uppercase(visitor: Client, file_deposit: Deposit):
    digest = file_deposit.sha256
    response = visitor.get(DEPOSITS, {"sha256": digest.upper()})
    assert response.status_code == 200
    body = response.json()
    assert body["sha256"] == digest and body["log_size"] == 0
    [found] = body["deposits"]
    assert found["deposit_no"] == file_deposit.deposit_no
    assert found["status"] == "accepted" and found["leaf_index"] is None
    assert "external_ref" not in found and "depositor_id" not in found
    log_integrate_all()
    body = visitor.get(DEPOSITS, {"sha256": digest}).json()
    assert body["log_size"] == 8 and body["deposits"][0]["leaf_index"] == 4
    assert visitor.get(DEPOSITS, {"sha256": "0" * 64}).json()["deposits"] == []
    for bad in ("0" * 63, "g" * 64, ""):
        problem(visitor.get(DEPOSITS, {"sha256": bad}), 422, "invalid_request")
    problem(visitor.get(DEPOSITS), 422, "invalid_request")


def test_proofs_verify_and_bad_requests_are_422(visitor: Client):
    logged(10)
    logged(13, "second")
    old, new = Checkpoint.objects.order_by("size")
    response = visitor.get("/api/v1/evidence/log/consistency", {"from": 10, "to": 23})
    assert response.status_code == 200
    body = response.json()
    assert (body["first"], body["second"], body["tree_size"]) == (10, 23, 23)
    merkle.verify_consistency(
        10,
        23,
        bytes(old.root_hash),
        bytes(new.root_hash),
        [base64.b64decode(h) for h in body["proof"]],
    )
    entries = entries_in_leaf_order()
    for index, size in ((0, 1), (9, 10), (4, 23), (22, 23)):
        response = visitor.get("/api/v1/evidence/log/inclusion", {"index": index, "size": size})
        assert response.status_code == 200
        body = response.json()
        assert (body["leaf_index"], body["tree_size"]) == (index, size)
        leaves = [merkle.leaf_hash(e) for e in entries[:size]]
        merkle.verify_inclusion(
            leaves[index],
            index,
            size,
            [base64.b64decode(h) for h in body["proof"]],
            merkle.tree_hash(size, merkle.reader_from_leaves(leaves)),
        )
    same = visitor.get("/api/v1/evidence/log/consistency", {"from": 23, "to": 23})
    assert same.status_code == 200 and same.json()["proof"] == []
    for query in ({"from": 0, "to": 10}, {"from": 11, "to": 10}, {"from": 10, "to": 24}):
        response = visitor.get("/api/v1/evidence/log/consistency", query)
        problem(response, 422, "bad_proof_request")
    for query in ({"index": 23, "size": 23}, {"index": 0, "size": 0}, {"index": 0, "size": 24}):
        problem(visitor.get("/api/v1/evidence/log/inclusion", query), 422, "bad_proof_request")
    problem(
        visitor.get("/api/v1/evidence/log/consistency", {"from": -1, "to": 3}),
        422,
        "invalid_request",
    )
    problem(
        visitor.get("/api/v1/evidence/log/inclusion", {"index": "x", "size": 3}),
        422,
        "invalid_request",
    )
