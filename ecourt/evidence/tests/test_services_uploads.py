"""Evidence files: what a file is (by its content, never its name), safe display names,
resumable chunked uploads and their edge cases, content stored once, the size limit, the virus
scanner (a fake clamd on a unix socket) and the cleanup of what abandoned uploads leave."""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import socket
import tempfile
import threading
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ecourt.accounts.models import User
from ecourt.core.errors import DomainError
from ecourt.evidence.filetypes import ALLOWED, HEAD_BYTES, safe_filename, sniff
from ecourt.evidence.models import Blob, QuarantinedFile, Upload, UploadStatus
from ecourt.evidence.services.uploads import (
    TooLarge,
    UploadConflict,
    blob_name,
    evidence_cleanup,
    partial_path,
    upload_chunk,
    upload_from_file,
    upload_start,
)

PDF = b"%PDF-1.7\n" + bytes(random.Random(7).randrange(32, 127) for _ in range(2991))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path: Path) -> Path:
    """Partial files and stored blobs of this test only, in its own folders."""
    settings.VAR_DIR = tmp_path / "var"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.ECOURT_CLAMD = ""
    return tmp_path


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk(
    upload: Upload,
    data: bytes,
    offset: int,
    *,
    actor: User | None = None,
    digest: str | None = None,
    stream: io.RawIOBase | io.BytesIO | None = None,
) -> Upload:
    return upload_chunk(
        actor=actor or upload.owner,
        upload=upload,
        offset=offset,
        length=len(data),
        sha256=digest or sha(data),
        stream=stream or io.BytesIO(data),
    )


def in_chunks(actor: User, data: bytes, *, filename: str = "contract.pdf", size: int = 1000):
    upload = upload_start(actor=actor, filename=filename, size=len(data))
    for offset in range(0, len(data), size):
        upload = chunk(upload, data[offset : offset + size], offset)
    return upload


def received_file(tmp_path: Path, data: bytes, name: str = "received") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def stored_files(root: Path) -> list[Path]:
    folder = root / "media" / "evidence" / "sha256"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- What a file is -----------------------------------------------------------------------------


def _zip(tmp_path: Path, names: list[str]) -> Path:
    path = tmp_path / "archive.bin"
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return path


HEADS = {
    "application/pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    "text/plain": "Chat log, 1 March 2026\n张三：我已付款。\n".encode(),
    "image/png": PNG,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "image/gif": b"GIF89a\x01\x00\x01\x00",
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "image/heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "audio/mp4": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",
    "audio/wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "audio/amr": b"#!AMR\n\x3c",
    "video/mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00",
    "video/quicktime": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00",
    "video/webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01",
    "text/html": b"<!DOCTYPE html><html><body>Shop</body></html>",
    "multipart/related": b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n",
}


@pytest.mark.parametrize("media_type", sorted(HEADS))
def test_it_tells_each_allowed_type_by_its_first_bytes(media_type):
    assert sniff(HEADS[media_type]) == media_type


def test_it_tells_word_and_excel_apart_by_the_zip_directory(tmp_path):
    docx = _zip(tmp_path, ["[Content_Types].xml", "word/document.xml"])
    assert sniff(docx.read_bytes()[:HEAD_BYTES], docx) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    xlsx = _zip(tmp_path, ["[Content_Types].xml", "xl/workbook.xml"])
    assert sniff(xlsx.read_bytes()[:HEAD_BYTES], xlsx) == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_every_allowed_type_is_recognised():
    office = {t for t in ALLOWED if "openxmlformats" in t}
    assert set(HEADS) | office == set(ALLOWED)


def test_it_refuses_programs_archives_and_noise(tmp_path):
    assert sniff(EXE) is None
    archive = _zip(tmp_path, ["setup.exe", "readme.txt"])
    assert sniff(archive.read_bytes()[:HEAD_BYTES], archive) is None
    assert sniff(b"PK\x03\x04 not really a zip", None) is None
    assert sniff(random.Random(1).randbytes(HEAD_BYTES)) is None
    assert sniff(b"") is None
    assert sniff(b"\x7fELF\x02\x01\x01\x00") is None


def test_a_program_named_pdf_is_refused_by_its_content(alice, tmp_path):
    with pytest.raises(DomainError) as refused:
        upload_from_file(actor=alice, path=received_file(tmp_path, EXE), filename="contract.pdf")
    assert refused.value.code == "type_not_allowed"
    assert not Blob.objects.exists()


def test_the_type_comes_from_the_content_not_the_name(alice):
    upload = in_chunks(alice, PNG, filename="contract.pdf", size=100)
    assert upload.status == UploadStatus.COMPLETE
    assert upload.blob is not None
    assert upload.blob.media_type == "image/png"
    assert upload.filename == "contract.pdf"


# --- Display names ------------------------------------------------------------------------------


def _control(c: str) -> bool:
    return unicodedata.category(c) == "Cc" or c in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"


@given(st.text(max_size=600))
@hypothesis_settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_display_name_is_never_a_path_never_empty_and_never_long(name):
    safe = safe_filename(name)
    assert safe
    assert len(safe) <= 200
    assert "/" not in safe and "\\" not in safe
    assert not any(_control(c) for c in safe)
    assert safe not in {".", ".."}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\alice\\证据 1.pdf", "证据 1.pdf"),
        ("  chat\tlog\n.txt  ", "chat_log_.txt"),
        ("invoice\u202efdp.exe", "invoice_fdp.exe"),
        ("...", "file"),
        ("", "file"),
    ],
)
def test_a_display_name_keeps_what_is_harmless(raw, expected):
    assert safe_filename(raw) == expected


def test_a_long_display_name_keeps_its_extension():
    name = safe_filename("x" * 300 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


# --- Chunked uploads ----------------------------------------------------------------------------


def test_a_file_arrives_in_chunks_and_becomes_a_blob(alice):
    upload = in_chunks(alice, PDF)
    assert (upload.status, upload.received, upload.size) == (UploadStatus.COMPLETE, 3000, 3000)
    blob = upload.blob
    assert blob is not None
    assert (blob.sha256, blob.size, blob.media_type) == (sha(PDF), 3000, "application/pdf")
    with default_storage.open(blob.storage_name) as stored:
        assert stored.read() == PDF
    assert blob.storage_name == blob_name(sha(PDF))
    assert not partial_path(upload).exists()


def test_a_chunk_at_the_wrong_offset_says_where_to_resume(alice):
    upload = upload_start(actor=alice, filename="contract.pdf", size=3000)
    chunk(upload, PDF[:1000], 0)
    for offset in (0, 2000):
        with pytest.raises(UploadConflict) as conflict:
            chunk(upload, PDF[offset : offset + 1000], offset)
        assert conflict.value.received == 1000
        assert conflict.value.code == "wrong_offset"
        assert conflict.value.status_code == 409
    assert chunk(upload, PDF[1000:2000], 1000).received == 2000


def test_a_chunk_that_does_not_match_its_hash_is_cut_off_and_may_be_resent(alice):
    upload = upload_start(actor=alice, filename="contract.pdf", size=3000)
    chunk(upload, PDF[:1000], 0)
    with pytest.raises(DomainError) as refused:
        chunk(upload, PDF[1000:2000], 1000, digest=sha(b"something else"))
    assert refused.value.code == "chunk_hash_mismatch"
    assert partial_path(upload).stat().st_size == 1000
    upload.refresh_from_db()
    assert upload.received == 1000
    chunk(upload, PDF[1000:2000], 1000)
    assert chunk(upload, PDF[2000:], 2000).status == UploadStatus.COMPLETE


def test_a_chunk_that_ends_early_is_cut_off(alice):
    upload = upload_start(actor=alice, filename="contract.pdf", size=3000)
    chunk(upload, PDF[:1000], 0)
    with pytest.raises(DomainError) as refused:
        chunk(upload, PDF[1000:2000], 1000, stream=io.BytesIO(PDF[1000:1500]))
    assert refused.value.code == "chunk_incomplete"
    assert partial_path(upload).stat().st_size == 1000
    upload.refresh_from_db()
    assert upload.received == 1000


class _Disconnecting(io.RawIOBase):
    """A request body whose client goes away after ``n`` bytes (Django raises
    UnreadablePostError, an OSError)."""

    def __init__(self, data: bytes, n: int) -> None:
        self.data, self.n = data, n

    def read(self, size: int = -1) -> bytes:
        if self.n <= 0:
            raise OSError("client went away")
        out, self.data = self.data[: min(size, self.n)], self.data[min(size, self.n) :]
        self.n -= len(out)
        return out


def test_a_client_that_goes_away_mid_chunk_leaves_nothing_behind(alice):
    upload = upload_start(actor=alice, filename="contract.pdf", size=3000)
    with pytest.raises(DomainError) as refused:
        chunk(upload, PDF[:1000], 0, stream=_Disconnecting(PDF[:1000], 300))
    assert refused.value.code == "chunk_incomplete"
    assert partial_path(upload).stat().st_size == 0
    assert chunk(upload, PDF[:1000], 0).received == 1000


def test_a_chunk_may_not_go_past_the_declared_size(alice):
    upload = upload_start(actor=alice, filename="contract.pdf", size=3000)
    with pytest.raises(DomainError) as refused:
        chunk(upload, PDF + b"x", 0)
    assert refused.value.code == "past_end"


@pytest.mark.parametrize(
    ("length", "digest", "code"),
    [
        (0, None, "bad_chunk_size"),
        (16 * 1024**2 + 1, None, "bad_chunk_size"),
        (10, "ABC", "bad_chunk_hash"),
        (10, "A" * 64, "bad_chunk_hash"),
    ],
)
def test_a_chunk_has_a_sane_length_and_hash(alice, length, digest, code):
    upload = upload_start(actor=alice, filename="contract.pdf", size=32 * 1024**2)
    with pytest.raises(DomainError) as refused:
        upload_chunk(
            actor=alice,
            upload=upload,
            offset=0,
            length=length,
            sha256=digest or sha(b""),
            stream=io.BytesIO(b""),
        )
    assert refused.value.code == code


def test_an_expired_upload_takes_no_more_chunks(alice):
    upload = upload_start(actor=alice, filename="contract.pdf", size=3000)
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        chunk(upload, PDF[:1000], 0)
    assert refused.value.code == "upload_expired"


def test_only_its_owner_sends_chunks(alice, bob):
    upload = upload_start(actor=alice, filename="contract.pdf", size=3000)
    with pytest.raises(DomainError) as refused:
        chunk(upload, PDF[:1000], 0, actor=bob)
    assert refused.value.code == "not_found"
    upload.refresh_from_db()
    assert upload.received == 0


def test_a_finished_upload_takes_no_more_chunks(alice):
    upload = in_chunks(alice, PDF)
    with pytest.raises(DomainError) as refused:
        chunk(upload, PDF[2000:], 2000)
    assert refused.value.code == "upload_closed"


def test_an_empty_file_is_refused(alice):
    with pytest.raises(DomainError) as refused:
        upload_start(actor=alice, filename="empty.pdf", size=0)
    assert refused.value.code == "empty_file"


def test_the_size_limit_holds_at_the_start_and_for_whole_files(alice, settings, tmp_path):
    settings.ECOURT_EVIDENCE_MAX_BYTES = 1000
    assert upload_start(actor=alice, filename="small.pdf", size=1000).size == 1000
    with pytest.raises(TooLarge) as refused:
        upload_start(actor=alice, filename="big.pdf", size=1001)
    assert (refused.value.code, refused.value.status_code) == ("file_too_large", 413)
    with pytest.raises(TooLarge):
        upload_from_file(actor=alice, path=received_file(tmp_path, PDF[:1001]), filename="b.pdf")


# --- Stored once --------------------------------------------------------------------------------


def test_identical_content_is_stored_once(alice, bob, tmp_path, own_storage):
    first = in_chunks(alice, PDF)
    second = in_chunks(bob, PDF, size=700)
    third = upload_from_file(actor=alice, path=received_file(tmp_path, PDF), filename="copy.pdf")
    assert first.blob_id == second.blob_id == third.blob_id
    assert Blob.objects.count() == 1
    assert [p.name for p in stored_files(own_storage)] == [sha(PDF)]
    assert not (tmp_path / "received").exists()


# --- The virus scanner --------------------------------------------------------------------------


def _recv_exactly(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            raise ConnectionError("short read")
        data += more
    return data


@contextmanager
def fake_clamd(reply: bytes | None) -> Iterator[tuple[str, list[bytes]]]:
    """A clamd answering INSTREAM with ``reply``; with None it hangs up at once. Yields the
    socket path and the files it was sent."""
    folder = tempfile.mkdtemp(prefix="clamd", dir="/tmp")  # unix socket paths are short
    path = os.path.join(folder, "clamd.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    server.settimeout(0.1)
    scanned: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _address = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                if reply is None:
                    continue
                assert _recv_exactly(conn, 10) == b"zINSTREAM\0"
                data = b""
                while size := int.from_bytes(_recv_exactly(conn, 4), "big"):
                    data += _recv_exactly(conn, size)
                scanned.append(data)
                conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path, scanned
    finally:
        stop.set()
        thread.join(5)
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_clean_file_passes_the_scanner(alice, settings):
    with fake_clamd(b"stream: OK\0") as (path, scanned):
        settings.ECOURT_CLAMD = path
        upload = in_chunks(alice, PDF)
    assert upload.status == UploadStatus.COMPLETE
    assert scanned == [PDF]


def test_an_infected_file_is_quarantined_and_never_stored(alice, settings, own_storage):
    with fake_clamd(b"stream: Eicar-Test-Signature FOUND\0") as (path, _scanned):
        settings.ECOURT_CLAMD = path
        upload = upload_start(actor=alice, filename="invoice.pdf", size=3000)
        chunk(upload, PDF[:2000], 0)
        with pytest.raises(DomainError) as refused:
            chunk(upload, PDF[2000:], 2000)
    assert refused.value.code == "infected"
    assert "Eicar-Test-Signature" in str(refused.value.message)
    [row] = QuarantinedFile.objects.all()
    assert (row.sha256, row.size, row.filename, row.uploaded_by) == (
        sha(PDF),
        3000,
        "invoice.pdf",
        alice,
    )
    assert row.signature == "Eicar-Test-Signature"
    assert row.storage_name.startswith("quarantine/")
    assert (own_storage / "media" / row.storage_name).read_bytes() == PDF
    assert not Blob.objects.exists()
    assert stored_files(own_storage) == []
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert not partial_path(upload).exists()


@pytest.mark.parametrize("server", ["hangs_up", "absent"])
def test_a_scanner_that_does_not_answer_refuses_the_file(alice, settings, server):
    if server == "absent":
        settings.ECOURT_CLAMD = "/tmp/no-clamd-here/clamd.sock"
        with pytest.raises(DomainError) as refused:
            in_chunks(alice, PDF)
    else:
        with fake_clamd(None) as (path, _scanned):
            settings.ECOURT_CLAMD = path
            with pytest.raises(DomainError) as refused:
                in_chunks(alice, PDF)
    assert refused.value.code == "scanner_unavailable"
    assert not Blob.objects.exists()
    assert not QuarantinedFile.objects.exists()


# --- Cleaning up --------------------------------------------------------------------------------

LONG_AGO = time.time() - 3 * 3600


def test_cleanup_removes_abandoned_partial_files_and_keeps_live_ones(alice):
    abandoned = upload_start(actor=alice, filename="a.pdf", size=3000)
    chunk(abandoned, PDF[:1000], 0)
    Upload.objects.filter(pk=abandoned.pk).update(expires_at=timezone.now() - timedelta(hours=2))
    live = upload_start(actor=alice, filename="b.pdf", size=3000)
    chunk(live, PDF[:1000], 0)
    stray = partial_path(live).with_name("no-such-upload.part")
    stray.write_bytes(b"left by a crash")
    for path in (partial_path(abandoned), partial_path(live), stray):
        os.utime(path, (LONG_AGO, LONG_AGO))
    assert evidence_cleanup() == 2
    assert not partial_path(abandoned).exists() and not stray.exists()
    assert partial_path(live).exists()
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.error) == (UploadStatus.FAILED, "expired")
    live.refresh_from_db()
    assert live.status == UploadStatus.OPEN


def test_cleanup_removes_stored_files_without_a_blob(alice, own_storage):
    kept = in_chunks(alice, PDF)
    orphan_sha = sha(b"orphan")
    orphan = default_storage.save(blob_name(orphan_sha), ContentFile(b"orphan"))
    fresh = default_storage.save(blob_name(sha(b"fresh")), ContentFile(b"fresh"))
    for name in (orphan, blob_name(sha(PDF))):
        os.utime(default_storage.path(name), (LONG_AGO, LONG_AGO))
    assert evidence_cleanup() == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh)  # within the grace period: maybe a row is on its way
    assert kept.blob is not None and default_storage.exists(kept.blob.storage_name)
    assert Blob.objects.filter(pk=kept.blob_id).exists()


def test_a_complete_upload_never_used_expires_into_cleanup(alice, tmp_path):
    upload = upload_from_file(actor=alice, path=received_file(tmp_path, PDF), filename="c.pdf")
    blob = upload.blob
    assert blob is not None
    assert evidence_cleanup() == 0  # still within its time
    Blob.objects.filter(pk=blob.pk).update(created_at=timezone.now() - timedelta(hours=30))
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert evidence_cleanup() == 1
    assert not Blob.objects.filter(pk=blob.pk).exists()
    assert not default_storage.exists(blob.storage_name)
    upload.refresh_from_db()
    assert (upload.status, upload.blob_id) == (UploadStatus.FAILED, None)
