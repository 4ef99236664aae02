"""C2SP signed notes, checkpoints and cosignatures, with Ed25519 from ``cryptography``.

- signed-note (https://c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line,
  and signature lines ``— <key name> base64(key ID ‖ signature)``; key ID =
  SHA-256(name ‖ "\\n" ‖ type ‖ public key)[:4]; Ed25519 is type 0x01; verifier keys are
  ``<name>+<hex key ID>+base64(type ‖ public key)``.
- tlog-checkpoint: origin, decimal tree size, base64 root hash, each on its own line.
- tlog-cosignature (cosignature/v1, type 0x04): the witness signs
  ``cosignature/v1\\ntime <t>\\n`` + the checkpoint body; its signature is
  key ID ‖ uint64 big-endian t ‖ Ed25519 signature.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ecourt.evidence.tlog.merkle import HASH_SIZE

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "— "  # U+2014 and a space
MAX_SIGNATURES = 100
_DECIMAL = re.compile(r"0|[1-9]\d{0,19}")


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or does not verify."""


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError("not valid base64") from None


def _check_name(name: str) -> None:
    if not name or any(ch.isspace() or ch == "+" for ch in name):
        raise NoteError("a key name is not empty and has no spaces or '+'")


def key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def _raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes_raw()


@dataclass(frozen=True)
class Verifier:
    """A key that may have signed a note: its name, type (0x01 log, 0x04 witness) and key."""

    name: str
    key_type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.key_type, self.public_key)

    def __str__(self) -> str:
        material = base64.b64encode(bytes([self.key_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_verifier(text: str) -> Verifier:
    """``<name>+<hex key ID>+<base64(type ‖ key)>``, checked: the ID must match."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<key ID>+<key>")
    name, hex_id, material = parts
    _check_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError("a verifier key's ID is 8 lowercase hex digits")
    raw = _b64decode(material)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 verifier keys (type 0x01 or 0x04) are supported")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hex_id:
        raise NoteError("the verifier key's ID does not match its name and key")
    return verifier


def verifier_for(
    name: str, key: Ed25519PrivateKey | Ed25519PublicKey, key_type: int = ED25519
) -> Verifier:
    _check_name(name)
    return Verifier(name, key_type, _raw_public(key))


def signer_key_string(name: str, key: Ed25519PrivateKey) -> str:
    """``PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 ‖ seed)``, as golang.org/x/mod/sumdb/note."""
    _check_name(name)
    seed = key.private_bytes_raw()
    ident = key_id(name, ED25519, _raw_public(key)).hex()
    return f"PRIVATE+KEY+{name}+{ident}+{base64.b64encode(bytes([ED25519]) + seed).decode()}"


def parse_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a signer key is PRIVATE+KEY+<name>+<key ID>+<key>")
    name, hex_id, material = parts[2:]
    _check_name(name)
    raw = _b64decode(material)
    if len(raw) != 33 or raw[0] != ED25519:
        raise NoteError("only Ed25519 signer keys are supported")
    key = Ed25519PrivateKey.from_private_bytes(raw[1:])
    if key_id(name, ED25519, _raw_public(key)).hex() != hex_id:
        raise NoteError("the signer key's ID does not match its name and key")
    return name, key


# --- Signed notes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes  # for cosignatures: uint64 timestamp ‖ Ed25519 signature

    @property
    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or "\r" in text:
        raise NoteError("a note's text ends with a newline and has no blank lines")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise NoteError("a note's text has no control characters")


def split_note(note: str) -> tuple[str, list[NoteSignature]]:
    """The text and the signature lines of a signed note (not verified)."""
    text, sep, block = note.rpartition("\n\n")
    if not sep:
        raise NoteError("a signed note has a blank line before its signatures")
    text += "\n"
    _check_text(text)
    if not block.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    signatures = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("a signature line starts with an em dash and a space")
        name, _space, blob = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        _check_name(name)
        raw = _b64decode(blob)
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        signatures.append(NoteSignature(name, raw[:4], raw[4:]))
    if not signatures or len(signatures) > MAX_SIGNATURES:
        raise NoteError("a signed note has 1 to 100 signatures")
    return text, signatures


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """``text`` signed by ``name`` (Ed25519, type 0x01): text, blank line, signature line."""
    _check_text(text)
    verifier = verifier_for(name, key)
    signature = NoteSignature(name, verifier.key_id, key.sign(text.encode()))
    return text + "\n" + signature.line


def add_signature_lines(note: str, lines: list[NoteSignature]) -> str:
    text, existing = split_note(note)
    seen = {(s.name, s.key_id) for s in existing}
    extra = [s for s in lines if (s.name, s.key_id) not in seen]
    return text + "\n" + "".join(s.line for s in [*existing, *extra])


def verify_note(note: str, verifier: Verifier) -> str:
    """The note's text, if ``verifier`` (type 0x01) signed it; NoteError otherwise."""
    text, signatures = split_note(note)
    for signature in signatures:
        if signature.name == verifier.name and signature.key_id == verifier.key_id:
            if verifier.verify(text.encode(), signature.signature):
                return text
            raise NoteError(f"the signature of {verifier.name} does not verify")
    raise NoteError(f"the note has no signature of {verifier.name}")


# --- Checkpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes

    @property
    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root_hash).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """The first three lines of a checkpoint body (extension lines are allowed, not read)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash, one per line")
    origin, size_text, root_text = lines[:3]
    if not origin or origin != origin.strip():
        raise NoteError("a checkpoint's origin line is not empty")
    if not _DECIMAL.fullmatch(size_text) or int(size_text) >= 1 << 63:
        raise NoteError("a checkpoint's size is a decimal number without leading zeroes")
    root = _b64decode(root_text)
    if len(root) != HASH_SIZE:
        raise NoteError("a checkpoint's root hash is 32 bytes")
    return Checkpoint(origin, int(size_text), root)


# --- Cosignatures (cosignature/v1) ----------------------------------------------------------------


def cosignature_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(body: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> NoteSignature:
    """A witness's cosignature on a checkpoint body, at ``timestamp`` (POSIX seconds)."""
    if not 0 <= timestamp < 1 << 63:
        raise NoteError("a cosignature's time is 0 to 2**63 - 1")
    verifier = verifier_for(name, key, COSIGNATURE_V1)
    signature = key.sign(cosignature_message(body, timestamp))
    return NoteSignature(name, verifier.key_id, timestamp.to_bytes(8, "big") + signature)


def verify_cosignature(body: str, signature: NoteSignature, verifier: Verifier) -> int:
    """The cosignature's time, if ``verifier`` (type 0x04) made it over ``body``."""
    if verifier.key_type != COSIGNATURE_V1:
        raise NoteError("a witness key has type 0x04 (cosignature/v1)")
    if signature.name != verifier.name or signature.key_id != verifier.key_id:
        raise NoteError("the cosignature is not by this witness")
    if len(signature.signature) != 72:
        raise NoteError("a cosignature is an 8-byte time and a 64-byte signature")
    timestamp = int.from_bytes(signature.signature[:8], "big")
    if timestamp >= 1 << 63:
        raise NoteError("a cosignature's time is below 2**63")
    if not verifier.verify(cosignature_message(body, timestamp), signature.signature[8:]):
        raise NoteError(f"the cosignature of {verifier.name} does not verify")
    return timestamp


def cosigned_by(note: str, witnesses: list[Verifier]) -> dict[str, int]:
    """Which of ``witnesses`` validly cosigned the note's checkpoint: name → time. Duplicated
    witness keys count once."""
    text, signatures = split_note(note)
    found: dict[str, int] = {}
    for witness in {w.key_id + w.name.encode(): w for w in witnesses}.values():
        for signature in signatures:
            if signature.name == witness.name and signature.key_id == witness.key_id:
                # A bad signature under a trusted name counts for nothing (it is not fatal:
                # another line may carry the witness's good one).
                with contextlib.suppress(NoteError):
                    found[witness.name] = verify_cosignature(text, signature, witness)
    return found
