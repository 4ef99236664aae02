"""``ecourt documents sealgen``: the court seal's key and certificate, on the server.

``sealgen [--write-key FILE --write-cert FILE] [--common-name NAME] [--if-missing]`` writes a
new ECDSA P-256 key and a self-signed certificate for it (ten years, signatures only), both
mode 0600 and never overwritten; the defaults are ``ECOURT_SEAL_KEY_FILE`` and
``ECOURT_SEAL_CERT_FILE``. A self-signed seal is for demonstration and tests: a court uses a
key and certificate from its certification authority.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecourt.documents.sign import seal_generate


class Command(BaseCommand):
    help = "The court seal that signs issued PDFs."
    # sealgen must run before the seal exists, so the missing-seal check must not stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sealgen = sub.add_parser("sealgen", help="Write a new self-signed seal key pair.")
        sealgen.add_argument(
            "--write-key", metavar="FILE", help="Key file (default: ECOURT_SEAL_KEY_FILE)."
        )
        sealgen.add_argument(
            "--write-cert",
            metavar="FILE",
            help="Certificate file (default: ECOURT_SEAL_CERT_FILE).",
        )
        sealgen.add_argument(
            "--common-name", default="", help="The certificate's name (default: the court's)."
        )
        sealgen.add_argument(
            "--if-missing", action="store_true", help="Do nothing if both files exist."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._sealgen(options)

    def _sealgen(self, options: dict[str, Any]) -> None:
        key = Path(options["write_key"] or settings.ECOURT_SEAL_KEY_FILE)
        cert = Path(options["write_cert"] or settings.ECOURT_SEAL_CERT_FILE)
        if key.exists() and cert.exists() and options["if_missing"]:
            return
        for path in (key, cert):
            if path.exists():
                raise CommandError(f"{path} exists; a seal is never overwritten.")
        name = options["common_name"] or settings.ECOURT_COURT_NAME_ZH
        seal_generate(key, cert, common_name=name)
        self.stdout.write(f"seal key written to {key}")
        self.stdout.write(f"seal certificate ({name}, self-signed) written to {cert}")
