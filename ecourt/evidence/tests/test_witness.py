"""A witness cosigns a growing log and catches a log that rewrote or forked its history."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecourt.evidence.tlog import merkle, note
from ecourt.evidence.tlog.witness import (
    ForkDetected,
    WitnessState,
    load_state,
    save_state,
    witness_cosign,
)

ORIGIN = "court.example/evidence"
LOG_KEY = Ed25519PrivateKey.generate()
LOG = note.verifier_for(ORIGIN, LOG_KEY)
WITNESS_KEY = Ed25519PrivateKey.generate()
WITNESS = note.verifier_for("witness.example", WITNESS_KEY, note.COSIGNATURE_V1)


def log_of(entries: list[bytes]) -> merkle.NodeReader:
    return merkle.reader_from_leaves([merkle.leaf_hash(e) for e in entries])


def signed(size: int, node: merkle.NodeReader) -> str:
    return note.sign_note(
        note.Checkpoint(ORIGIN, size, merkle.tree_hash(size, node)).body, ORIGIN, LOG_KEY
    )


def cosign(state, checkpoint, proof=()):
    return witness_cosign(
        state=state,
        signed_checkpoint=checkpoint,
        log=LOG,
        proof=list(proof),
        name=WITNESS.name,
        key=WITNESS_KEY,
        now=1_764_000_000,
    )


ENTRIES = [f"entry {i}".encode() for i in range(40)]


def test_it_cosigns_a_log_that_grows_honestly():
    node = log_of(ENTRIES)
    state, first = cosign(None, signed(10, node))  # trusted on first use
    assert state.size == 10 and first.name == WITNESS.name
    checkpoint = signed(40, node)
    state, second = cosign(state, checkpoint, merkle.consistency_proof(10, 40, node))
    cosigned = note.add_signature_lines(checkpoint, [second])
    assert note.cosigned_by(cosigned, [WITNESS]) == {WITNESS.name: 1_764_000_000}
    assert (state.size, cosign(state, checkpoint)[0]) == (40, state)  # same size again: fine


def test_it_catches_a_rewritten_history():
    honest = log_of(ENTRIES)
    state, _ = cosign(None, signed(10, honest))
    rewritten = list(ENTRIES)
    rewritten[3] = b"a deposit the court would rather forget"
    forged = log_of(rewritten)
    # The log signs the rewritten tree and offers the proof it can compute for it.
    with pytest.raises(ForkDetected):
        cosign(state, signed(40, forged), merkle.consistency_proof(10, 40, forged))
    with pytest.raises(ForkDetected):
        cosign(state, signed(10, forged))  # same size, another root: a fork
    with pytest.raises(ForkDetected):
        cosign(state, signed(5, honest))  # going back


def test_it_refuses_a_checkpoint_the_log_did_not_sign():
    node = log_of(ENTRIES)
    body = note.Checkpoint(ORIGIN, 10, merkle.tree_hash(10, node)).body
    stranger = note.sign_note(body, ORIGIN, Ed25519PrivateKey.generate())
    with pytest.raises(note.NoteError):
        cosign(None, stranger)


def test_the_state_file_round_trips_and_is_replaced_whole(tmp_path):
    path = tmp_path / "state" / "witness.json"
    assert load_state(path) is None
    state = WitnessState(ORIGIN, 40, bytes(range(32)))
    save_state(path, state)
    assert load_state(path) == state
    save_state(path, WitnessState(ORIGIN, 41, bytes(32)))
    assert load_state(path).size == 41
    assert [p.name for p in path.parent.iterdir()] == ["witness.json"]
