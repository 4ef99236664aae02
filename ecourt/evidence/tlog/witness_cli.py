"""``ecourt witness``: an independent witness for an ecourt evidence log, over HTTP.

    ecourt witness --keygen NAME --key FILE    # once: a new key; prints its verifier key
    ecourt witness --log URL --key FILE --log-key KEY [--state FILE] [--once] [--interval S]

Each round it fetches ``URL/checkpoint``, checks the log's signature, fetches the consistency
proof from the size it last cosigned (``…/api/v1/evidence/log/consistency``), and only if the
new checkpoint extends the old one it records the new state (atomically, before telling
anyone) and posts its cosignature to ``URL/cosignature``. A checkpoint that does not extend
what it saw is a fork: it says so on stderr, keeps its state, and exits with status 3.

Standard library and ``cryptography`` only: a witness never needs the court's code or data.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecourt.evidence.tlog import note
from ecourt.evidence.tlog.witness import (
    ForkDetected,
    WitnessState,
    load_state,
    save_state,
    witness_cosign,
)

EXIT_FORK = 3
TIMEOUT = 30


class WitnessError(Exception):
    """A round that could not finish (network, the log's answers); the state is unchanged."""


def _get(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310
            return bytes(response.read(1 << 20))
    except (urllib.error.URLError, OSError) as exc:
        raise WitnessError(f"GET {url}: {exc}") from None


def _post(url: str, body: bytes) -> str:
    request = urllib.request.Request(  # noqa: S310 - the operator's URL
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return bytes(response.read(4096)).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        detail = exc.read(4096).decode("utf-8", "replace").strip()
        raise WitnessError(f"POST {url}: {exc.code} {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise WitnessError(f"POST {url}: {exc}") from None


def api_base(log_url: str) -> str:
    """http://host/log → http://host/api/v1 (the proofs live in the JSON API)."""
    base = log_url.rstrip("/")
    if base.endswith("/log"):
        base = base[: -len("/log")]
    return base + "/api/v1"


def witness_round(
    *,
    log_url: str,
    api_url: str,
    log_key: note.Verifier,
    name: str,
    key: Ed25519PrivateKey,
    state_path: Path,
    now: int | None = None,
) -> WitnessState:
    """One round: the state after cosigning and posting. Raises ForkDetected,
    note.NoteError for a checkpoint the log did not sign, WitnessError for I/O problems."""
    log_url = log_url.rstrip("/")
    signed = _get(log_url + "/checkpoint").decode("utf-8", "replace")
    state = load_state(state_path)
    body = note.verify_note(signed, log_key)
    checkpoint = note.parse_checkpoint(body)
    proof: list[bytes] = []
    if state is not None and checkpoint.size > state.size and state.size > 0:
        query = urllib.parse.urlencode({"from": state.size, "to": checkpoint.size})
        try:
            answer = json.loads(_get(f"{api_url}/evidence/log/consistency?{query}"))
            proof = [base64.b64decode(h, validate=True) for h in answer["proof"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise WitnessError(f"the log's consistency proof is malformed: {exc}") from None
    if state is not None and state.size == 0:
        state = None  # nothing was committed to at size 0
    new_state, cosignature = witness_cosign(
        state=state,
        signed_checkpoint=signed,
        log=log_key,
        proof=proof,
        name=name,
        key=key,
        now=int(time.time()) if now is None else now,
    )
    # Remember first: once posted, this witness has vouched for the new tree.
    save_state(state_path, new_state)
    _post(log_url + "/cosignature", (signed + cosignature.line).encode())
    return new_state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ecourt witness", description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", required=True, help="The witness's signer key file.")
    parser.add_argument("--keygen", metavar="NAME", help="Write a new witness key to --key.")
    parser.add_argument("--log", help="The log's URL, e.g. https://court.example/log")
    parser.add_argument("--api", help="The JSON API's URL (default: derived from --log).")
    parser.add_argument("--log-key", help="The log's verifier key string (from GET /log/key).")
    parser.add_argument("--state", help="State file (default: the key file + .state).")
    parser.add_argument("--once", action="store_true", help="One round, then stop.")
    parser.add_argument("--interval", type=float, default=10.0, help="Seconds between rounds.")
    args = parser.parse_args(argv)
    key_path = Path(args.key)

    if args.keygen:
        return _keygen(args.keygen, key_path)
    if not args.log or not args.log_key:
        parser.error(
            "--log and --log-key are required (pin the log's key; never trust a fetched one)"
        )
    try:
        name, key = note.parse_signer_key(key_path.read_text(encoding="utf-8"))
        log_key = note.parse_verifier(args.log_key)
    except OSError as exc:
        print(f"ecourt witness: cannot read {key_path}: {exc}", file=sys.stderr)
        return 2
    except note.NoteError as exc:
        print(f"ecourt witness: {exc}", file=sys.stderr)
        return 2
    if log_key.key_type != note.ED25519:
        print("ecourt witness: --log-key is the log's key (type 0x01)", file=sys.stderr)
        return 2
    state_path = Path(args.state) if args.state else key_path.with_name(key_path.name + ".state")
    api_url = (args.api or api_base(args.log)).rstrip("/")
    while True:
        try:
            state = witness_round(
                log_url=args.log,
                api_url=api_url,
                log_key=log_key,
                name=name,
                key=key,
                state_path=state_path,
            )
            print(f"cosigned {state.origin} at size {state.size}", flush=True)
        except ForkDetected as exc:
            print(
                f"ecourt witness: FORK DETECTED in {log_key.name}: {exc}. "
                "Not cosigning; state kept. Tell the court and the other witnesses.",
                file=sys.stderr,
                flush=True,
            )
            return EXIT_FORK
        except (note.NoteError, WitnessError) as exc:
            print(f"ecourt witness: {exc}", file=sys.stderr, flush=True)
            if args.once:
                return 1
        if args.once:
            return 0
        time.sleep(args.interval)


def _keygen(name: str, path: Path) -> int:
    key = Ed25519PrivateKey.generate()
    try:
        signer = note.signer_key_string(name, key)
        verifier = note.verifier_for(name, key, note.COSIGNATURE_V1)
    except note.NoteError as exc:
        print(f"ecourt witness: {exc}", file=sys.stderr)
        return 2
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"ecourt witness: {path} exists; a key is never overwritten", file=sys.stderr)
        return 2
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(signer + "\n")
    print(f"witness key written to {path}")
    print(f"verifier key (give it to the court): {verifier}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
