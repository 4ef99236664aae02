"""What a file is, from its first bytes (and, for ZIP containers, its directory), never from
its name; and a safe display name. Standard library only.

The allowed types are what parties actually file with an internet court: documents (PDF,
Word, Excel, plain text), pictures (including phone HEIC), audio (voice messages: MP3, M4A,
WAV, AMR), video (MP4, MOV, WebM) and web page captures (HTML, MHTML).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

#: media type → the form it usually is (a default for the upload form).
ALLOWED: dict[str, str] = {
    "application/pdf": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "electronic_data",
    "text/plain": "document",
    "image/png": "picture",
    "image/jpeg": "picture",
    "image/gif": "picture",
    "image/webp": "picture",
    "image/heic": "picture",
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/wav": "audio",
    "audio/amr": "audio",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/webm": "video",
    "text/html": "web_page",
    "multipart/related": "web_page",
}

HEAD_BYTES = 4096
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B "}


def sniff(head: bytes, path: Path | None = None) -> str | None:
    """The media type of a file whose first bytes are ``head`` (at least 4 KiB when the file
    is that long), or None when it is not one we accept. ``path`` lets ZIP-based Office files
    be told apart by their directory."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand in _M4A_BRANDS:
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"PK\x03\x04"):
        return _office(path)
    return _text(head)


def _office(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None  # other archives could hide anything; parties file the files themselves


def _text(head: bytes) -> str | None:
    sample = head.removeprefix(b"\xef\xbb\xbf")
    if not sample or b"\x00" in sample:
        return None
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(sample) - 3:
            return None
        text = sample[: exc.start].decode("utf-8")
    if any(ord(c) < 0x20 and c not in "\t\r\n\f" for c in text):
        return None
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "text/html"
    if lowered.startswith("mime-version:") and "multipart/related" in lowered:
        return "multipart/related"
    return "text/plain"


# C0 and C1 controls, reserved characters, and the bidirectional overrides that make
# "fdp.exe" read as "exe.pdf".
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"/\\|?*]')


def safe_filename(name: str, *, limit: int = 200) -> str:
    """A display name without directories, control or reserved characters, at most ``limit``
    characters (the extension kept). Never empty."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "file"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: limit - len(ext) - 1] + "." + ext
        else:
            name = name[:limit]
    return name
