"""C2SP tile paths and tile reads; signed notes (the golang.org/x/mod/sumdb/note example),
checkpoints and cosignatures."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ecourt.evidence.tlog import note
from ecourt.evidence.tlog.merkle import (
    inclusion_proof,
    leaf_hash,
    reader_from_leaves,
    tree_hash,
)
from ecourt.evidence.tlog.tiles import (
    TILE_WIDTH,
    Tile,
    TilePathError,
    encode_index,
    entry_bundle,
    parse_entry_bundle,
    parse_tile_path,
    reader_from_tiles,
    tiles_for_size,
)

# --- Tiles -------------------------------------------------------------------------------------


def test_it_encodes_tile_indexes_as_the_spec_shows():
    assert encode_index(1234067) == "x001/x234/067"
    assert encode_index(0) == "000"
    assert encode_index(999) == "999"
    assert encode_index(1000) == "x001/000"
    assert Tile(0, 1234067).path == "tile/0/x001/x234/067"
    assert Tile(2, 5, 17).path == "tile/2/005.p/17"
    assert Tile("entries", 3).path == "tile/entries/003"


def test_it_lists_the_tiles_of_a_70000_leaf_tree_as_the_spec_does():
    tiles = tiles_for_size(70_000)
    level0 = [t for t in tiles if t.level == 0]
    assert len([t for t in level0 if not t.is_partial]) == 273
    assert [t.width for t in level0 if t.is_partial] == [112]
    assert [(t.level, t.width) for t in tiles if t.level != 0] == [(1, 256), (1, 17), (2, 1)]
    assert [(t.level, t.width) for t in tiles_for_size(256)] == [(0, 256), (1, 1)]


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from([0, 1, 5, 63, "entries"]))
def test_tile_paths_round_trip(index, level):
    for width in (TILE_WIDTH, 1, 255):
        tile = Tile(level, index, width)
        assert parse_tile_path(tile.path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",  # not 3 digits
        "tile/0/x000/001",  # a leading zero element
        "tile/0/001/002",  # the first element without x
        "tile/00/001",  # a level with a leading zero
        "tile/64/001",  # level out of range
        "tile/0/001.p/0",  # width 0
        "tile/0/001.p/256",  # width of a full tile
        "tile/0/001.p/07",  # width with a leading zero
        "tile/0/",  # no index
        "tiles/0/001",
        "tile/-1/001",
        "tile/entries/x1/001",
    ],
)
def test_it_refuses_malformed_tile_paths(path):
    with pytest.raises(TilePathError):
        parse_tile_path(path)


@settings(deadline=None, max_examples=40)
@given(size=st.integers(min_value=1, max_value=3_000), data=st.data())
@example(size=65_537, data=None)  # three tile levels, partial tiles at each
def test_proofs_read_from_tiles_equal_proofs_from_leaves(size, data):
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    memory = reader_from_leaves(leaves)
    stored: dict[tuple[int, int], bytes] = {}
    for tile in tiles_for_size(size):
        assert isinstance(tile.level, int)
        first = tile.index * TILE_WIDTH
        hashes = [memory(8 * tile.level, first + i) for i in range(tile.width)]
        stored[tile.level, tile.index] = b"".join(hashes)
    from_tiles = reader_from_tiles(lambda level, index: stored[level, index])
    index = data.draw(st.integers(min_value=0, max_value=size - 1)) if data else size - 2
    assert inclusion_proof(index, size, from_tiles) == inclusion_proof(index, size, memory)
    assert tree_hash(size, from_tiles) == tree_hash(size, memory)


def test_entry_bundles_round_trip_and_refuse_truncation():
    entries = [b"", b"a", b"x" * 300]
    bundle = entry_bundle(entries)
    assert bundle[:2] == b"\x00\x00" and bundle[2:5] == b"\x00\x01a"
    assert parse_entry_bundle(bundle) == entries
    for cut in (bundle[:-1], bundle[:4], b"\x00"):
        with pytest.raises(ValueError):
            parse_entry_bundle(cut)
    with pytest.raises(ValueError):
        entry_bundle([b"x" * 65_536])


# --- Signed notes: golang.org/x/mod/sumdb/note's example ---------------------------------------

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_it_signs_the_go_example_byte_for_byte():
    name, key = note.parse_signer_key(GO_SIGNER)
    assert name == "PeterNeumann"
    assert note.sign_note(GO_TEXT, name, key) == GO_NOTE
    assert str(note.verifier_for(name, key)) == GO_VERIFIER
    assert note.signer_key_string(name, key) == GO_SIGNER


def test_it_verifies_the_go_example_and_refuses_tampering():
    verifier = note.parse_verifier(GO_VERIFIER)
    assert note.verify_note(GO_NOTE, verifier) == GO_TEXT
    with pytest.raises(note.NoteError):
        note.verify_note(GO_NOTE.replace("cryptography", "cryptographY"), verifier)
    other = note.verifier_for("PeterNeumann", Ed25519PrivateKey.generate())
    with pytest.raises(note.NoteError):
        note.verify_note(GO_NOTE, other)


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # cut key
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x02
    ],
)
def test_it_refuses_bad_verifier_keys(key):
    with pytest.raises(note.NoteError):
        note.parse_verifier(key)


def test_it_refuses_malformed_notes():
    for bad in (GO_TEXT, GO_NOTE.rstrip("\n"), GO_NOTE.replace("— ", "- "), GO_NOTE + "x"):
        with pytest.raises(note.NoteError):
            note.split_note(bad)


# --- Checkpoints and cosignatures --------------------------------------------------------------

ORIGIN = "court.example/evidence"


def checkpoint(size: int = 8) -> note.Checkpoint:
    return note.Checkpoint(ORIGIN, size, bytes(range(32)))


def test_checkpoints_round_trip_and_refuse_bad_bodies():
    body = checkpoint().body
    assert body == f"{ORIGIN}\n8\n{base64.b64encode(bytes(range(32))).decode()}\n"
    assert note.parse_checkpoint(body) == checkpoint()
    assert note.parse_checkpoint(body + "extension\n") == checkpoint()
    root = base64.b64encode(bytes(32)).decode()
    for bad in (
        f"{ORIGIN}\n08\n{root}\n",
        f"{ORIGIN}\n-1\n{root}\n",
        f"{ORIGIN}\n8\n{root}",
        f"\n8\n{root}\n",
        f"{ORIGIN}\n8\nAAAA\n",
        f"{ORIGIN}\n{2**63}\n{root}\n",
    ):
        with pytest.raises(note.NoteError):
            note.parse_checkpoint(bad)


def test_a_witness_cosignature_verifies_and_binds_the_checkpoint_and_time():
    log_key, witness_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    signed = note.sign_note(checkpoint().body, ORIGIN, log_key)
    witness = note.verifier_for("witness.example/w1", witness_key, note.COSIGNATURE_V1)
    cosignature = note.cosign(checkpoint().body, witness.name, witness_key, 1_700_000_000)
    both = note.add_signature_lines(signed, [cosignature])
    assert note.verify_note(both, note.verifier_for(ORIGIN, log_key)) == checkpoint().body
    assert note.cosigned_by(both, [witness, witness]) == {witness.name: 1_700_000_000}
    # The same signature over another checkpoint, or the log key as a witness, counts for
    # nothing; a type 0x01 key is not a witness key.
    other = note.add_signature_lines(
        note.sign_note(checkpoint(9).body, ORIGIN, log_key), [cosignature]
    )
    assert note.cosigned_by(other, [witness]) == {}
    with pytest.raises(note.NoteError):
        note.verify_cosignature(
            checkpoint().body, cosignature, note.verifier_for(witness.name, witness_key)
        )
    forged = note.NoteSignature(
        cosignature.name,
        cosignature.key_id,
        (1_700_000_001).to_bytes(8, "big") + cosignature.signature[8:],
    )
    with pytest.raises(note.NoteError):
        note.verify_cosignature(checkpoint().body, forged, witness)
