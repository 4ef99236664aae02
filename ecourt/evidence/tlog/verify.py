"""``ecourt-verify``: check an evidence receipt offline, with no database and no network.

    ecourt-verify RECEIPT.json [--file PATH] [--log-key KEY] [--witness-key KEY]...
                  [--min-witnesses K] [--checkpoint OLDER --consistency-proof PROOF.json]

Checks, in order, and names the one that failed: the receipt is well formed; the entry is
canonical; the file's SHA-256 and size match the entry; the checkpoint is signed by the log
key; the entry is included at the stated index in the checkpoint's tree; at least K trusted
witnesses cosigned the checkpoint; and, given an older checkpoint and a consistency proof
saved earlier, the receipt's checkpoint extends it. Exit status 0 only when every check
holds; 1 when a check fails; 2 for bad arguments or unreadable files.

Needs only the standard library and ``cryptography``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecourt.evidence.tlog import merkle, note
from ecourt.evidence.tlog.entry import EntryError, parse_entry

CHUNK = 1 << 20


class CheckFailed(Exception):
    def __init__(self, check: str, reason: str) -> None:
        super().__init__(f"{check}: {reason}")
        self.check, self.reason = check, reason


@dataclass
class Report:
    passed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _b64_hashes(values: Any, check: str) -> list[bytes]:
    if not isinstance(values, list):
        raise CheckFailed(check, "the proof is not a list")
    out = []
    for value in values:
        try:
            raw = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != merkle.HASH_SIZE:
            raise CheckFailed(check, "a proof element is not a base64 32-byte hash")
        out.append(raw)
    return out


def _int(value: Any, check: str, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CheckFailed(check, f"{name} is not a non-negative integer")
    return value


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in 1 MiB chunks (never whole into memory)."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify_receipt(
    receipt: Any,
    *,
    file: Path | None = None,
    log_key: str | None = None,
    witness_keys: Sequence[str] = (),
    min_witnesses: int | None = None,
    older_checkpoint: str | None = None,
    consistency: Any = None,
) -> Report:
    """Run every check; raise CheckFailed at the first that fails."""
    report = Report()
    check = "receipt"
    if not isinstance(receipt, dict):
        raise CheckFailed(check, "the receipt is not a JSON object")
    for name in ("entry", "leaf_index", "tree_size", "inclusion_proof", "checkpoint", "log_key"):
        if name not in receipt:
            raise CheckFailed(check, f"the receipt has no {name!r}")
    if not all(isinstance(receipt[k], str) for k in ("entry", "checkpoint", "log_key")):
        raise CheckFailed(check, "entry, checkpoint and log_key are strings")
    index = _int(receipt["leaf_index"], check, "leaf_index")
    size = _int(receipt["tree_size"], check, "tree_size")
    proof = _b64_hashes(receipt["inclusion_proof"], check)
    report.passed.append("receipt is well formed")

    check = "entry"
    try:
        entry = parse_entry(receipt["entry"])
    except EntryError as exc:
        raise CheckFailed(check, str(exc)) from None
    report.passed.append(f"entry is canonical (sha256 {entry.sha256}, {entry.size} bytes)")

    if file is not None:
        check = "file"
        digest, length = file_digest(file)
        if digest != entry.sha256:
            raise CheckFailed(check, f"the file's SHA-256 is {digest}, the entry's {entry.sha256}")
        if length != entry.size:
            raise CheckFailed(check, f"the file has {length} bytes, the entry {entry.size}")
        report.passed.append("file matches the entry's hash and size")

    check = "log signature"
    try:
        trusted = note.parse_verifier(log_key or receipt["log_key"])
    except note.NoteError as exc:
        raise CheckFailed(check, f"the log key: {exc}") from None
    if log_key is None:
        report.notes.append(
            "the log key was taken from the receipt itself; pass --log-key with the court's "
            "published key to trust the result"
        )
    elif receipt["log_key"].strip() != str(trusted):
        report.notes.append("the receipt names another log key than --log-key; --log-key used")
    try:
        body = note.verify_note(receipt["checkpoint"], trusted)
        checkpoint = note.parse_checkpoint(body)
    except note.NoteError as exc:
        raise CheckFailed(check, str(exc)) from None
    if checkpoint.origin != trusted.name:
        raise CheckFailed(check, "the checkpoint's origin is not the log key's name")
    report.passed.append(f"checkpoint signed by {trusted.name} (size {checkpoint.size})")

    check = "inclusion"
    if size != checkpoint.size:
        raise CheckFailed(check, "tree_size is not the checkpoint's size")
    try:
        merkle.verify_inclusion(
            merkle.leaf_hash(entry.data), index, size, proof, checkpoint.root_hash
        )
    except merkle.VerificationError as exc:
        raise CheckFailed(check, str(exc)) from None
    report.passed.append(f"entry included at index {index} of {size}")

    check = "witnesses"
    try:
        witnesses = [note.parse_verifier(key) for key in witness_keys]
    except note.NoteError as exc:
        raise CheckFailed(check, f"a witness key: {exc}") from None
    if any(w.key_type != note.COSIGNATURE_V1 for w in witnesses):
        raise CheckFailed(check, "witness keys have type 0x04 (cosignature/v1)")
    needed = min_witnesses if min_witnesses is not None else (1 if witnesses else 0)
    if needed > len({(w.name, w.public_key) for w in witnesses}):
        raise CheckFailed(check, f"{needed} witnesses asked for, fewer trusted keys given")
    cosigned = note.cosigned_by(receipt["checkpoint"], witnesses)
    if len(cosigned) < needed:
        raise CheckFailed(check, f"{len(cosigned)} of the {needed} witness cosignatures needed")
    if needed:
        report.passed.append(f"cosigned by {', '.join(sorted(cosigned))}")

    if older_checkpoint is not None:
        check = "consistency"
        try:
            old = note.parse_checkpoint(note.verify_note(older_checkpoint, trusted))
        except note.NoteError as exc:
            raise CheckFailed(check, f"the older checkpoint: {exc}") from None
        if not isinstance(consistency, dict):
            raise CheckFailed(check, "the consistency proof is not a JSON object")
        first = _int(consistency.get("from"), check, "from")
        second = _int(consistency.get("to"), check, "to")
        if (first, second) != (old.size, checkpoint.size):
            raise CheckFailed(check, "the proof is not between the two checkpoints' sizes")
        steps = _b64_hashes(consistency.get("proof"), check)
        try:
            merkle.verify_consistency(first, second, old.root_hash, checkpoint.root_hash, steps)
        except merkle.VerificationError as exc:
            raise CheckFailed(check, str(exc)) from None
        report.passed.append(f"checkpoint extends the older one (size {first} → {second})")
    return report


def _load_json(path: str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ecourt-verify", description="Verify an ecourt evidence receipt offline."
    )
    parser.add_argument("receipt", help="the receipt JSON file")
    parser.add_argument("--file", type=Path, help="the evidence file to compare")
    parser.add_argument("--log-key", help="the court's published log verifier key")
    parser.add_argument("--witness-key", action="append", default=[], help="a trusted witness")
    parser.add_argument("--min-witnesses", type=int, help="cosignatures required (default 1 "
                        "when witness keys are given)")  # fmt: skip
    parser.add_argument("--checkpoint", help="an older signed checkpoint saved earlier")
    parser.add_argument("--consistency-proof", help="the consistency proof JSON saved earlier")
    args = parser.parse_args(argv)
    if bool(args.checkpoint) != bool(args.consistency_proof):
        parser.error("--checkpoint and --consistency-proof go together")
    if args.min_witnesses is not None and args.min_witnesses < 0:
        parser.error("--min-witnesses is 0 or more")
    try:
        receipt = _load_json(args.receipt)
        older = Path(args.checkpoint).read_text(encoding="utf-8") if args.checkpoint else None
        proof = _load_json(args.consistency_proof) if args.consistency_proof else None
        if args.file is not None and not args.file.is_file():
            raise OSError(f"{args.file} is not a file")
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        report = verify_receipt(
            receipt,
            file=args.file,
            log_key=args.log_key,
            witness_keys=args.witness_key,
            min_witnesses=args.min_witnesses,
            older_checkpoint=older,
            consistency=proof,
        )
    except CheckFailed as failed:
        print(f"FAILED {failed.check}: {failed.reason}")
        return 1
    for line in report.passed:
        print(f"ok   {line}")
    for line in report.notes:
        print(f"note {line}")
    print("VERIFIED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
