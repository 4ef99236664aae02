"""A witness's decision, without I/O: cosign a new checkpoint only if it is signed by the log
and extends the last checkpoint this witness cosigned; otherwise say loudly that the log
forked or rewrote its history. ``ecourt witness`` wraps this with HTTP and a state file.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecourt.evidence.tlog import merkle, note


class ForkDetected(Exception):
    """The log showed this witness two histories that cannot both be true."""


@dataclass(frozen=True)
class WitnessState:
    """The last checkpoint this witness cosigned for one log."""

    origin: str
    size: int
    root_hash: bytes

    def to_json(self) -> str:
        root = base64.b64encode(self.root_hash).decode()
        return json.dumps({"origin": self.origin, "size": self.size, "root_hash": root})

    @classmethod
    def from_json(cls, text: str) -> WitnessState:
        data = json.loads(text)
        return cls(data["origin"], int(data["size"]), base64.b64decode(data["root_hash"]))


def witness_cosign(
    *,
    state: WitnessState | None,
    signed_checkpoint: str,
    log: note.Verifier,
    proof: Sequence[bytes],
    name: str,
    key: Ed25519PrivateKey,
    now: int,
) -> tuple[WitnessState, note.NoteSignature]:
    """Check ``signed_checkpoint`` against what this witness saw before and cosign it.

    ``proof`` is the consistency proof from ``state.size`` to the new size (empty on the
    first checkpoint, which is trusted on first use, and when the size did not change).
    Raises NoteError for a checkpoint the log did not sign, ForkDetected for one that does
    not extend the previous one."""
    body = note.verify_note(signed_checkpoint, log)
    checkpoint = note.parse_checkpoint(body)
    if checkpoint.origin != log.name:
        raise note.NoteError("the checkpoint's origin is not the log's name")
    if state is not None:
        if state.origin != checkpoint.origin:
            raise note.NoteError("this witness state belongs to another log")
        if checkpoint.size < state.size:
            raise ForkDetected(f"the log went back from size {state.size} to {checkpoint.size}")
        if checkpoint.size == state.size:
            if checkpoint.root_hash != state.root_hash:
                raise ForkDetected(f"two different trees of size {state.size}")
        else:
            try:
                merkle.verify_consistency(
                    state.size, checkpoint.size, state.root_hash, checkpoint.root_hash, proof
                )
            except merkle.VerificationError as exc:
                raise ForkDetected(
                    f"size {checkpoint.size} does not extend size {state.size}: {exc}"
                ) from None
    cosignature = note.cosign(body, name, key, now)
    return WitnessState(checkpoint.origin, checkpoint.size, checkpoint.root_hash), cosignature


def save_state(path: Path, state: WitnessState) -> None:
    """Replace the state file atomically and durably: a crash leaves the old or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".witness-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(state.to_json())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_state(path: Path) -> WitnessState | None:
    return WitnessState.from_json(path.read_text(encoding="utf-8")) if path.exists() else None
