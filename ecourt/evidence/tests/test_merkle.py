"""RFC 9162 Merkle trees: the RFC 6962 reference vectors (transparency-dev/merkle), and
Hypothesis against an independent naive tree written straight from the RFC's recursions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecourt.evidence.tlog import merkle
from ecourt.evidence.tlog.merkle import (
    ProofError,
    VerificationError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    reader_from_leaves,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f")
]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H = bytes.fromhex
# (0-based leaf index, tree size, proof) — the reference numbers leaves from 1.
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
]  # fmt: skip

HASHES = [leaf_hash(leaf) for leaf in LEAVES]
NODE = reader_from_leaves(HASHES)


def root(size: int) -> bytes:
    return H(ROOTS[size])


@pytest.mark.parametrize("size", range(9))
def test_it_computes_the_reference_roots(size):
    assert tree_hash(size, NODE).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_it_builds_and_verifies_the_reference_inclusion_proofs(index, size, proof):
    assert [p.hex() for p in inclusion_proof(index, size, NODE)] == proof
    verify_inclusion(HASHES[index], index, size, [H(p) for p in proof], root(size))


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_it_builds_and_verifies_the_reference_consistency_proofs(first, second, proof):
    assert [p.hex() for p in consistency_proof(first, second, NODE)] == proof
    verify_consistency(first, second, root(first), root(second), [H(p) for p in proof])


def test_it_refuses_a_tampered_inclusion_proof():
    index, size, proof = INCLUSION[2]
    good = [H(p) for p in proof]
    verify_inclusion(HASHES[index], index, size, good, root(size))
    bad_cases = [
        (HASHES[index + 1], index, size, good, root(size)),  # another leaf
        (HASHES[index], index + 1, size, good, root(size)),  # another index
        (HASHES[index], index, size - 1, good, root(size - 1)),  # another tree head
        (HASHES[index], index, size, good[:-1], root(size)),  # too short
        (HASHES[index], index, size, [*good, good[0]], root(size)),  # too long
        (HASHES[index], index, size, good, root(size - 1)),  # another root
        (HASHES[index], index, size, [good[1], good[0], good[2]], root(size)),  # reordered
        (HASHES[index], size, size, good, root(size)),  # index past the end
        (HASHES[index], index, size, [b"short", *good[1:]], root(size)),  # not a hash
    ]
    for case in bad_cases:
        with pytest.raises(VerificationError):
            verify_inclusion(*case)


def test_it_refuses_a_tampered_consistency_proof():
    first, second, proof = CONSISTENCY[2]
    good = [H(p) for p in proof]
    bad_cases = [
        (first, second, root(first - 1), root(second), good),
        (first, second, root(first), root(second - 1), good),
        (first - 1, second, root(first), root(second), good),
        (first, second, root(first), root(second), good[:-1]),
        (first, second, root(first), root(second), [*good, good[0]]),
        (first, second, root(first), root(second), []),
        (0, second, root(0), root(second), good),
        (second, first, root(second), root(first), good),
        (first, first, root(first), root(first), good),
        (first, first, root(first), root(second), []),
    ]
    for case in bad_cases:
        with pytest.raises(VerificationError):
            verify_consistency(*case)


def test_it_asks_for_no_proof_outside_the_tree():
    for index, size in ((8, 8), (-1, 8), (0, 0)):
        with pytest.raises(ProofError):
            inclusion_proof(index, size, NODE)
    for first, second in ((0, 8), (5, 4), (-1, 2)):
        with pytest.raises(ProofError):
            consistency_proof(first, second, NODE)


# --- An independent naive tree, straight from RFC 9162 §2.1.1 to §2.1.4 -----------------------


def naive_mth(d: list[bytes]) -> bytes:
    if not d:
        return merkle.EMPTY_ROOT
    if len(d) == 1:
        return d[0]
    k = 1
    while k * 2 < len(d):
        k *= 2
    return node_hash(naive_mth(d[:k]), naive_mth(d[k:]))


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], whole: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if whole else [naive_mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_subproof(m, d[:k], whole), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


sizes = st.integers(min_value=1, max_value=300)


@given(size=sizes, data=st.data())
def test_inclusion_matches_the_naive_tree_and_verifies(size, data):
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    node = reader_from_leaves(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, node)
    assert proof == naive_path(index, leaves)
    assert tree_hash(size, node) == naive_mth(leaves)
    verify_inclusion(leaves[index], index, size, proof, naive_mth(leaves))
    if size > 1:
        other = (index + 1) % size
        with pytest.raises(VerificationError):
            verify_inclusion(leaves[other], index, size, proof, naive_mth(leaves))


@given(second=sizes, data=st.data())
def test_consistency_matches_the_naive_tree_and_verifies(second, data):
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(second)]
    node = reader_from_leaves(leaves)
    first = data.draw(st.integers(min_value=1, max_value=second))
    proof = consistency_proof(first, second, node)
    assert proof == naive_subproof(first, leaves, True)
    old, new = naive_mth(leaves[:first]), naive_mth(leaves)
    verify_consistency(first, second, old, new, proof)
    if first < second:
        # A rewritten history (one old leaf changed) is caught.
        forged = list(leaves)
        forged[first - 1] = leaf_hash(b"rewritten")
        with pytest.raises(VerificationError):
            verify_consistency(first, second, naive_mth(forged[:first]), new, proof)
