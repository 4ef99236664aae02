"""Institutions, hash records and witnesses for the evidence log's tests, made through the
services (so the same checks and audit events run as in production), and the checks every
log test ends with: the stored log against a naive Merkle tree over its entries."""

from __future__ import annotations

import hashlib
from itertools import pairwise

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecourt.accounts.models import User
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.evidence import selectors
from ecourt.evidence.keys import log_verifier
from ecourt.evidence.models import Checkpoint, Deposit, Institution, LogHead, Witness
from ecourt.evidence.services.log import HashRecord
from ecourt.evidence.services.registry import institution_token_create, witness_add
from ecourt.evidence.tlog import merkle, note


def institution(name: str = "Copyright Monitor Ltd.") -> tuple[Institution, str]:
    """A registered institution and a fresh API token for it (the secret, shown once)."""
    row, secret = institution_token_create(
        actor=None, institution_name=name, create_institution=True
    )
    return row.institution, secret


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def records(n: int, seed: str | int = 0, *, media_type: str = "image/png") -> list[HashRecord]:
    """``n`` hash records with distinct SHA-256s (distinct across seeds too)."""
    return [
        HashRecord(sha256_of(f"evidence {seed}/{i}"), 1000 + i, media_type, f"ref-{seed}-{i}")
        for i in range(n)
    ]


def witness_key(
    name: str = "witness.example", *, actor: User | None = None
) -> tuple[Ed25519PrivateKey, Witness]:
    """A witness's private key and its row, trusted through ``witness_add``."""
    key = Ed25519PrivateKey.generate()
    verifier = note.verifier_for(name, key, note.COSIGNATURE_V1)
    witness = witness_add(actor=actor or VerifiedUserFactory(), verifier_key=str(verifier))
    return key, witness


def cosigned(signed_note: str, name: str, key: Ed25519PrivateKey, when: int = 1_770_000_000) -> str:
    """``signed_note`` with the cosignature line of witness ``name`` added."""
    body, _signatures = note.split_note(signed_note)
    return signed_note + note.cosign(body, name, key, when).line


# --- Checking the stored log ---------------------------------------------------------------


def entries_in_leaf_order() -> list[bytes]:
    """The integrated deposits' entries, leaf 0 first (asserting the leaves have no gaps)."""
    rows = list(
        Deposit.objects.filter(leaf_index__isnull=False)
        .order_by("leaf_index")
        .values_list("leaf_index", "entry_text")
    )
    assert [index for index, _text in rows] == list(range(len(rows))), "leaf indexes have gaps"
    return [text.encode() for _index, text in rows]


def naive_root(entries: list[bytes]) -> bytes:
    leaves = [merkle.leaf_hash(e) for e in entries]
    return merkle.tree_hash(len(leaves), merkle.reader_from_leaves(leaves))


def assert_checkpoint_signed(checkpoint: Checkpoint) -> note.Checkpoint:
    """The checkpoint's note verifies under the log's key and says what its row says."""
    body = note.verify_note(checkpoint.note, log_verifier())
    parsed = note.parse_checkpoint(body)
    assert parsed.origin == log_verifier().name
    assert (parsed.size, parsed.root_hash) == (checkpoint.size, bytes(checkpoint.root_hash))
    return parsed


def assert_consistent(older: Checkpoint, newer: Checkpoint) -> None:
    merkle.verify_consistency(
        older.size,
        newer.size,
        bytes(older.root_hash),
        bytes(newer.root_hash),
        selectors.consistency_proof(older.size, newer.size),
    )


def assert_log_sound() -> int:
    """The whole stored log holds together; returns its size. The tree read from the tiles,
    the head and the newest checkpoint all equal a naive tree over the entries in leaf order;
    every checkpoint is signed and extends the one before it (and the first extends into the
    last). A checkpoint's own root is also checked against the naive tree of its prefix."""
    entries = entries_in_leaf_order()
    size = len(entries)
    head = LogHead.objects.get(pk=1)
    assert head.size == size
    root = naive_root(entries)
    assert bytes(head.root_hash) == root
    checkpoints = list(Checkpoint.objects.order_by("size"))
    assert checkpoints, "no checkpoint"
    assert checkpoints[-1].size == size
    assert bytes(checkpoints[-1].root_hash) == root
    leaves = [merkle.leaf_hash(e) for e in entries]
    naive = merkle.reader_from_leaves(leaves)
    for checkpoint in checkpoints:
        assert_checkpoint_signed(checkpoint)
        assert bytes(checkpoint.root_hash) == merkle.tree_hash(checkpoint.size, naive)
    for older, newer in pairwise(checkpoints):
        assert older.size < newer.size
        assert_consistent(older, newer)
    assert_consistent(checkpoints[0], checkpoints[-1])
    # The tiles alone (what a C2SP client reads) give the same root.
    assert selectors.tree_root(size) == root
    return size
