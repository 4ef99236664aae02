"""Every string a person sees exists in Simplified Chinese, and the catalog is current."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
PO_FILE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    context: str = ""


def parse_po(text: str) -> list[Entry]:
    """A small reader for the subset of the PO format that makemessages writes."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal current
        if current.msgid or current.msgstrs:
            entries.append(current)
        current = Entry()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            target = None
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            if keyword == "msgid" and (current.msgid or current.msgstrs):
                flush()
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            target = ("msgstr", int(match.group(1))) if match else (keyword, 0)
            if target[0] == "msgstr":
                current.msgstrs.setdefault(target[1], "")
        assert target is not None, f"unexpected line {raw!r}"
        name, index = target
        if name == "msgid":
            current.msgid += value
        elif name == "msgid_plural":
            current.msgid_plural += value
        elif name == "msgctxt":
            current.context += value
        elif name == "msgstr":
            current.msgstrs[index] += value
    flush()
    return entries


def catalog() -> list[Entry]:
    return [e for e in parse_po(PO_FILE.read_text(encoding="utf-8")) if e.msgid]


def test_it_has_no_untranslated_or_fuzzy_entries():
    entries = catalog()
    assert len(entries) > 100
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in entries if not all(e.msgstrs.values()) or not e.msgstrs]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    assert not untranslated, f"untranslated entries: {untranslated[:10]}"
    header = parse_po(PO_FILE.read_text(encoding="utf-8"))[0]
    assert "fuzzy" not in header.flags
    assert "nplurals=1; plural=0;" in header.msgstrs[0]


def test_it_keeps_every_placeholder():
    for entry in catalog():
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(
            PLACEHOLDER.findall(entry.msgid_plural)
        )
        for translated in entry.msgstrs.values():
            assert set(PLACEHOLDER.findall(translated)) == expected, entry.msgid


def test_it_compiles_cleanly_with_msgfmt():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt (Debian package gettext) is missing; `make test` installs it")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


def test_it_is_current_with_the_source(tmp_path):
    """Running makemessages on the source adds no msgid the committed catalog lacks."""
    copy = tmp_path / "ecourt"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests", "static")
    )
    result = subprocess.run(
        [
            sys.executable,
            str(PACKAGE.parent / "manage.py"),
            "makemessages",
            "--locale",
            "zh_Hans",
            "--no-obsolete",
            "--verbosity",
            "0",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = parse_po((copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text("utf-8"))
    committed = {(e.context, e.msgid) for e in catalog()}
    missing = sorted(e.msgid for e in fresh if e.msgid and (e.context, e.msgid) not in committed)
    assert not missing, f"run `make makemessages` and translate: {missing[:10]}"
