"""RFC 9162 Merkle trees: leaf and node hashes, tree heads, inclusion and consistency proofs,
and their verification (RFC 9162 §2.1, as in Certificate Transparency and C2SP tlog-tiles).

Standard library only, so the receipt verifier can ship without Django. Proofs are built
from a ``node(level, index)`` callable that returns the hash of the complete subtree of
``2**level`` leaves starting at leaf ``index * 2**level``; a log backed by tiles answers it
from storage, a test from a list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: node(level, index) → the hash of the complete subtree of 2**level leaves at index.
NodeReader = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof was asked for, or checked against, sizes or indexes that do not fit."""


class VerificationError(ValueError):
    """A proof does not prove what it claims."""


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(start: int, end: int, node: NodeReader) -> bytes:
    """MTH of leaves [start, end), where start is a multiple of the largest power of two not
    above end - start (true of every range a proof or tree head needs)."""
    size = end - start
    if size <= 0:
        raise ProofError("empty range")
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return node(level, start >> level)
    k = _split(size)
    return node_hash(range_hash(start, start + k, node), range_hash(start + k, end, node))


def tree_hash(size: int, node: NodeReader) -> bytes:
    """The root hash of the tree of ``size`` leaves (the empty tree: SHA-256 of nothing)."""
    return EMPTY_ROOT if size == 0 else range_hash(0, size, node)


def inclusion_proof(index: int, size: int, node: NodeReader) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf first."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    proof: list[bytes] = []
    start, end = 0, size
    # Walk down from the root; collect siblings, then reverse (the proof goes leaf up).
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            proof.append(range_hash(start + k, end, node))
            end = start + k
        else:
            proof.append(range_hash(start, start + k, node))
            start = start + k
    return proof[::-1]


def consistency_proof(first: int, second: int, node: NodeReader) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1."""
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    proof: list[bytes] = []

    def subproof(m: int, start: int, end: int, whole: bool) -> None:
        n = end - start
        if m == n:
            if not whole:
                proof.append(range_hash(start, end, node))
            return
        k = _split(n)
        if m <= k:
            subproof(m, start, start + k, whole)
            proof.append(range_hash(start + k, end, node))
        else:
            subproof(m - k, start + k, end, False)
            proof.append(range_hash(start, start + k, node))

    subproof(first, 0, second, True)
    return proof


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise VerificationError(f"{what} is not a 32-byte hash")


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise VerificationError unless ``proof`` shows leaf hash ``leaf`` at ``index`` in the
    tree of ``size`` with ``root`` (RFC 9162 §2.1.3.2)."""
    _check_hash(leaf, "the leaf hash")
    _check_hash(root, "the root hash")
    for item in proof:
        _check_hash(item, "a proof element")
    if not 0 <= index < size:
        raise VerificationError(f"index {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the inclusion proof is too short")
    if r != root:
        raise VerificationError("the inclusion proof does not lead to the root hash")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise VerificationError unless ``proof`` shows the tree of ``first`` leaves with
    ``first_root`` is a prefix of the tree of ``second`` leaves with ``second_root``
    (RFC 9162 §2.1.4.2)."""
    _check_hash(first_root, "the first root hash")
    _check_hash(second_root, "the second root hash")
    for item in proof:
        _check_hash(item, "a proof element")
    if not 0 < first <= second:
        raise VerificationError(f"no consistency proof from size {first} to size {second}")
    if first == second:
        if proof:
            raise VerificationError("a proof between equal sizes must be empty")
        if first_root != second_root:
            raise VerificationError("equal sizes with different root hashes")
        return
    if not proof:
        raise VerificationError("the consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the consistency proof is too short")
    if fr != first_root:
        raise VerificationError("the consistency proof does not lead to the first root hash")
    if sr != second_root:
        raise VerificationError("the consistency proof does not lead to the second root hash")


def reader_from_leaves(leaf_hashes: Sequence[bytes]) -> NodeReader:
    """A node reader over leaf hashes held in memory (for tests and small tools)."""
    cache: dict[tuple[int, int], bytes] = {}

    def node(level: int, index: int) -> bytes:
        if level == 0:
            return leaf_hashes[index]
        key = (level, index)
        if key not in cache:
            cache[key] = node_hash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1))
        return cache[key]

    return node
