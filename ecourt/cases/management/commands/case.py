"""``ecourt case export "<case number>" -o FILE.zip``: the electronic case file as one ZIP
(format ``ecourt-case-file/v1``, see ``ecourt/documents/export.py``), the court's copy.

Pending deposits are integrated into the evidence log first (``--no-integrate`` to skip), so
every receipt is in the ZIP unless the court's witness policy still waits for cosignatures.
``-o -`` writes the ZIP to standard output. An unknown case number exits with status 1.
The export is audited (``ecourt.documents.case_exported``) as done by the system.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecourt.cases.models import Case


class Command(BaseCommand):
    help = "Case files: export one as a ZIP."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the case file as a ZIP.")
        export.add_argument("number", help='The case number, e.g. "(2026)京0491民初1号".')
        export.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="The ZIP to write; - for stdout."
        )
        export.add_argument(
            "--no-integrate",
            action="store_true",
            help="Do not integrate pending deposits into the evidence log first.",
        )
        export.add_argument("--force", action="store_true", help="Overwrite FILE if it exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        self._export(options)

    def _export(self, options: dict[str, Any]) -> None:
        from ecourt.documents.export import case_export_write, case_log_integrate

        number = options["number"].strip()
        case = (
            Case.objects.select_related("case_type", "judge", "application")
            .filter(number=number)
            .first()
        )
        if case is None:
            raise CommandError(f"No case has the number {number!r}.", returncode=1)
        if not options["no_integrate"]:
            case_log_integrate(case=case)
        target = options["output"]
        if target == "-":
            result = case_export_write(case=case, fileobj=sys.stdout.buffer)
            sys.stdout.buffer.flush()
            self.stderr.write(f"{case.number}: {result.size} bytes, sha256 {result.sha256}")
            return
        path = Path(target)
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} exists; pass --force to overwrite it.", returncode=1)
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as stream:
                result = case_export_write(case=case, fileobj=stream)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            f"{path}: case {case.number}, {result.files} files, {result.size} bytes, "
            f"sha256 {result.sha256}"
        )
