"""``ecourt evidence keygen`` and ``ecourt evidence token``: the log's key and institutions'
API tokens, on the server.

``keygen [--name ORIGIN] [--witness] [--write FILE]`` prints a new Ed25519 signer key and its
verifier key string (type 0x01 for the log, 0x04 for a witness). With ``--write`` the signer
key goes into FILE (mode 0600, never overwritten) and only the verifier key is printed.

``token --institution NAME`` creates the institution if it does not exist and prints a new
API token once; only its hash is kept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecourt.core.errors import DomainError
from ecourt.evidence.tlog import note


class Command(BaseCommand):
    help = "Evidence log keys and institution API tokens."
    # keygen must run before the key exists, so the missing-key check must not stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="Print a new Ed25519 key pair.")
        keygen.add_argument("--name", default="", help="Key name (for the log: its origin).")
        keygen.add_argument("--witness", action="store_true", help="A witness key (type 0x04).")
        keygen.add_argument("--write", metavar="FILE", help="Write the signer key to FILE.")
        keygen.add_argument(
            "--if-missing", action="store_true", help="With --write: do nothing if FILE exists."
        )
        token = sub.add_parser("token", help="Create an API token for an institution.")
        token.add_argument("--institution", required=True, help="The institution's name.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "keygen":
            self._keygen(options)
        else:
            self._token(options["institution"])

    def _keygen(self, options: dict[str, Any]) -> None:
        name = options["name"] or ("witness.example" if options["witness"] else _default_origin())
        key = Ed25519PrivateKey.generate()
        key_type = note.COSIGNATURE_V1 if options["witness"] else note.ED25519
        try:
            signer = note.signer_key_string(name, key)
            verifier = note.verifier_for(name, key, key_type)
        except note.NoteError as exc:
            raise CommandError(f"--name {name!r}: {exc}") from None
        target = options["write"]
        if target:
            path = Path(target)
            if path.exists():
                if options["if_missing"]:
                    return
                raise CommandError(f"{path} exists; a signing key is never overwritten.")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(signer + "\n")
            self.stdout.write(f"signer key written to {path}")
        else:
            self.stdout.write(f"signer key (keep secret): {signer}")
        self.stdout.write(f"verifier key: {verifier}")

    def _token(self, name: str) -> None:
        from ecourt.evidence.services.registry import institution_token_create

        try:
            _token_row, secret = institution_token_create(
                actor=None, institution_name=name, create_institution=True
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"API token for {name} (shown once): {secret}")


def _default_origin() -> str:
    from django.conf import settings

    host = next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"), "")
    return f"{host or 'localhost'}/evidence"
