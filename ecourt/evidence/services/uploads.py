"""Evidence files: resumable uploads into private partial files, then blobs stored once by
their SHA-256 through Django's storage API.

An upload is started with its declared size; chunks arrive in order, each checked against the
SHA-256 the client sends with it and written while it is hashed. Chunk bytes are written
outside any database transaction (a slow phone must not hold the database), under a file lock;
the row then advances with ``UPDATE … WHERE received = <offset>``. The last chunk completes the
upload: the whole file is hashed (read in 1 MiB pieces, never whole), its type sniffed from its
content, scanned when a scanner is configured, and moved into storage. ``evidence_cleanup``
removes what half-finished uploads leave behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.evidence.filetypes import ALLOWED, HEAD_BYTES, safe_filename, sniff
from ecourt.evidence.models import Blob, QuarantinedFile, Upload, UploadStatus
from ecourt.evidence.scan import ScannerUnavailable, scan_file

logger = logging.getLogger(__name__)

MAX_CHUNK_BYTES = 16 * 1024 * 1024
READ_BYTES = 1024 * 1024
UPLOAD_HOURS = 24


class ByteSource(Protocol):
    """Where a chunk's bytes come from: a file, or the request itself (read as a stream, so
    a chunk is never held whole in memory)."""

    def read(self, n: int, /) -> bytes: ...


class UploadConflict(DomainError):
    """A chunk at the wrong offset: the client resumes from ``received``."""

    status_code = 409

    def __init__(self, message: str, *, received: int) -> None:
        super().__init__(message, code="wrong_offset")
        self.received = received


class TooLarge(DomainError):
    status_code = 413


def partial_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_path(upload: Upload) -> Path:
    return partial_dir() / f"{upload.token}.part"


def blob_name(sha256: str) -> str:
    return f"evidence/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _limit_text() -> str:
    limit = settings.ECOURT_EVIDENCE_MAX_BYTES
    if limit >= 1024**3:
        return f"{limit / 1024**3:.4g} GiB"
    return f"{limit / 1024**2:.4g} MiB"


def check_size(size: int) -> None:
    if size <= 0:
        raise DomainError(_("The file is empty."), code="empty_file", field="file")
    if size > settings.ECOURT_EVIDENCE_MAX_BYTES:
        raise TooLarge(
            _("The file is larger than %(limit)s, the largest this court accepts.")
            % {"limit": _limit_text()},
            code="file_too_large",
            field="file",
        )


def upload_start(*, actor: User, filename: str, size: int) -> Upload:
    """Open a resumable upload of ``size`` bytes."""
    check_size(size)
    with transaction.atomic():
        upload = Upload.objects.create(
            token=secrets.token_urlsafe(24),
            owner=actor,
            filename=safe_filename(filename),
            size=size,
            expires_at=timezone.now() + timedelta(hours=UPLOAD_HOURS),
        )
        partial_path(upload).touch()
        audit_record(
            code="ecourt.evidence.upload_started",
            actor=actor,
            target=upload,
            new={"filename": upload.filename, "size": size},
        )
    return upload


def upload_chunk(
    *, actor: User, upload: Upload, offset: int, length: int, sha256: str, stream: ByteSource
) -> Upload:
    """Append one chunk of ``length`` bytes read from ``stream`` at ``offset``, checked
    against ``sha256``. Completes the upload with its last chunk."""
    upload.refresh_from_db()
    if upload.owner_id != actor.pk:
        raise DomainError(_("No such upload."), code="not_found")
    if upload.status != UploadStatus.OPEN:
        raise DomainError(_("This upload is finished; start a new one."), code="upload_closed")
    if upload.expires_at <= timezone.now():
        raise DomainError(_("This upload has expired; start again."), code="upload_expired")
    if not 0 < length <= MAX_CHUNK_BYTES:
        raise DomainError(
            _("A chunk is 1 byte to %(n)s MiB.") % {"n": MAX_CHUNK_BYTES // 1024**2},
            code="bad_chunk_size",
        )
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise DomainError(
            _("Send the chunk's SHA-256 as 64 lowercase hex digits."), code="bad_chunk_hash"
        )
    if offset + length > upload.size:
        raise DomainError(_("The chunk goes past the declared size of the file."), code="past_end")
    path = partial_path(upload)
    with path.open("r+b") as target:
        fcntl.flock(target, fcntl.LOCK_EX)  # one writer per upload, whichever process
        upload.refresh_from_db(fields=["received", "status"])
        if upload.status != UploadStatus.OPEN:
            raise DomainError(_("This upload is finished; start a new one."), code="upload_closed")
        if offset != upload.received:
            raise UploadConflict(
                _("Expected the chunk at byte %(n)s; resume from there.") % {"n": upload.received},
                received=upload.received,
            )
        target.seek(offset)
        digest = hashlib.sha256()
        remaining = length
        while remaining:
            try:
                data = stream.read(min(READ_BYTES, remaining))
            except OSError:  # the client went away mid-chunk (Django's UnreadablePostError)
                break
            if not data:
                break
            digest.update(data)
            target.write(data)
            remaining -= len(data)
        if remaining or digest.hexdigest() != sha256:
            target.truncate(offset)
            if remaining:
                raise DomainError(
                    _("The chunk ended early; send it again from byte %(n)s.") % {"n": offset},
                    code="chunk_incomplete",
                )
            raise DomainError(
                _("The chunk does not match its SHA-256; send it again from byte %(n)s.")
                % {"n": offset},
                code="chunk_hash_mismatch",
            )
        target.flush()
        os.fsync(target.fileno())
        moved = Upload.objects.filter(
            pk=upload.pk, received=offset, status=UploadStatus.OPEN
        ).update(received=offset + length, updated_at=timezone.now())
        if moved != 1:  # cannot happen under the lock; never trust it silently
            target.truncate(offset)
            raise UploadConflict(_("The upload moved on meanwhile."), received=upload.received)
    upload.refresh_from_db()
    if upload.received == upload.size:
        upload = _complete(upload)
    return upload


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while data := stream.read(READ_BYTES):
            digest.update(data)
            size += len(data)
    return digest.hexdigest(), size


def _fail(upload: Upload, message: str, code: str) -> DomainError:
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.FAILED, error=message[:300])
    partial_path(upload).unlink(missing_ok=True)
    return DomainError(message, code=code, field="file")


def _complete(upload: Upload) -> Upload:
    path = partial_path(upload)
    sha256, size = _hash_file(path)
    try:
        blob = store_file(
            path=path, sha256=sha256, size=size, filename=upload.filename, actor=upload.owner
        )
    except DomainError as exc:
        raise _fail(upload, str(exc.message), exc.code) from None
    except Exception:
        # A storage error must not leave an upload "open" with every byte received, which
        # nothing could finish: it fails, and the client starts again.
        logger.exception("upload %s: storing the completed file failed", upload.pk)
        raise _fail(
            upload, _("The file could not be stored. Try again."), "storage_failed"
        ) from None
    Upload.objects.filter(pk=upload.pk, status=UploadStatus.OPEN).update(
        status=UploadStatus.COMPLETE, blob=blob
    )
    upload.refresh_from_db()
    return upload


def upload_from_file(
    *, actor: User, path: Path, filename: str, sha256: str | None = None
) -> Upload:
    """A complete upload from a file already received in one request (the form without
    JavaScript; ``sha256`` was computed while it was written)."""
    if sha256 is None:
        sha256, size = _hash_file(path)
    else:
        size = path.stat().st_size
    check_size(size)
    blob = store_file(path=path, sha256=sha256, size=size, filename=filename, actor=actor)
    with transaction.atomic():
        upload = Upload.objects.create(
            token=secrets.token_urlsafe(24),
            owner=actor,
            filename=safe_filename(filename),
            size=size,
            received=size,
            status=UploadStatus.COMPLETE,
            blob=blob,
            expires_at=timezone.now() + timedelta(hours=UPLOAD_HOURS),
        )
        audit_record(
            code="ecourt.evidence.upload_received",
            actor=actor,
            target=upload,
            new={"filename": upload.filename, "size": size, "sha256": sha256},
        )
    return upload


class _LocalFile(File):
    """A file on local disk that FileSystemStorage may move instead of copying."""

    def temporary_file_path(self) -> str:
        return str(self.name)


def store_file(*, path: Path, sha256: str, size: int, filename: str, actor: User) -> Blob:
    """Check the file's type by its content, scan it, and store it once by its hash. The file
    at ``path`` is moved (or copied and removed)."""
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    media_type = sniff(head, path)
    if media_type is None or media_type not in ALLOWED:
        raise DomainError(
            _(
                "This kind of file is not accepted (checked by its content, not its name). "
                "Send a PDF, Word or Excel document, plain text, a picture (PNG, JPEG, GIF, "
                "WebP, HEIC), audio (MP3, M4A, WAV, AMR), video (MP4, MOV, WebM) or a web page "
                "capture (HTML, MHTML)."
            ),
            code="type_not_allowed",
            field="file",
        )
    try:
        verdict = scan_file(path)
    except ScannerUnavailable as exc:
        logger.error("virus scanner unavailable: %s", exc)
        raise DomainError(
            _(
                "The virus scanner is not answering, so no file can be accepted now. "
                "Try again later."
            ),
            code="scanner_unavailable",
            field="file",
        ) from None
    if verdict is not None and not verdict.clean:
        _quarantine(
            path=path,
            sha256=sha256,
            size=size,
            filename=filename,
            actor=actor,
            signature=verdict.signature,
        )
        raise DomainError(
            _(
                "The virus scanner found %(signature)s in this file. "
                "It was quarantined and not accepted."
            )
            % {"signature": verdict.signature},
            code="infected",
            field="file",
        )
    existing = Blob.objects.filter(sha256=sha256).first()
    if existing is not None:
        path.unlink(missing_ok=True)  # identical content is stored once
        return existing
    name = blob_name(sha256)
    if not default_storage.exists(name):
        with path.open("rb") as stream:
            saved = default_storage.save(name, _LocalFile(stream, name=str(path)))
        if saved != name:  # stored meanwhile by a concurrent upload of the same content
            default_storage.delete(saved)
    path.unlink(missing_ok=True)
    try:
        with transaction.atomic():
            return Blob.objects.create(
                sha256=sha256, size=size, media_type=media_type, storage_name=name
            )
    except IntegrityError:
        return Blob.objects.get(sha256=sha256)


def _quarantine(
    *, path: Path, sha256: str, size: int, filename: str, actor: User, signature: str
) -> None:
    name = f"quarantine/{sha256}"
    with path.open("rb") as stream:
        saved = default_storage.save(name, _LocalFile(stream, name=str(path)))
    path.unlink(missing_ok=True)
    with transaction.atomic():
        row = QuarantinedFile.objects.create(
            sha256=sha256,
            size=size,
            filename=safe_filename(filename),
            signature=signature,
            storage_name=saved,
            uploaded_by=actor,
        )
        audit_record(
            code="ecourt.evidence.quarantined",
            actor=actor,
            target=row,
            new={"sha256": sha256, "signature": signature},
        )


def evidence_cleanup(*, grace: timedelta = timedelta(hours=1)) -> int:
    """Remove what failed or abandoned uploads left: partial files of expired or failed
    uploads, partial files without an upload, and stored blobs without a Blob row (a process
    died between storing the file and committing its row). Returns how many files went."""
    now = timezone.now()
    removed = 0
    expired = Upload.objects.filter(status=UploadStatus.OPEN, expires_at__lte=now)
    expired.update(status=UploadStatus.FAILED, error="expired")
    live = set(Upload.objects.filter(status=UploadStatus.OPEN).values_list("token", flat=True))
    cutoff = (now - grace).timestamp()
    for part in partial_dir().glob("*.part"):
        if part.stem not in live and part.stat().st_mtime < cutoff:
            part.unlink(missing_ok=True)
            removed += 1
    # Blobs no item uses, whose uploads ended unused: the row, then the file.
    # (A scanned proof of service and an issued court document keep their blobs too.)
    unused = Blob.objects.filter(
        items__isnull=True,
        service_proofs__isnull=True,
        court_documents__isnull=True,
        created_at__lt=now - grace,
    ).exclude(
        pk__in=Upload.objects.filter(
            status=UploadStatus.COMPLETE, expires_at__gt=now, blob__isnull=False
        ).values("blob")
    )
    for blob in unused:
        with transaction.atomic():
            Upload.objects.filter(blob=blob).update(
                blob=None, status=UploadStatus.FAILED, error="expired"
            )
            if blob.items.exists() or blob.service_proofs.exists() or blob.court_documents.exists():
                continue
            blob.delete()
        default_storage.delete(blob.storage_name)
        removed += 1
    removed += _orphan_blobs(now - grace)
    return removed


def _orphan_blobs(before: object) -> int:
    removed = 0
    root = "evidence/sha256"
    if not default_storage.exists(root):
        return 0
    for first in default_storage.listdir(root)[0]:
        for second in default_storage.listdir(f"{root}/{first}")[0]:
            names = default_storage.listdir(f"{root}/{first}/{second}")[1]
            known = set(Blob.objects.filter(sha256__in=names).values_list("sha256", flat=True))
            for name in names:
                full = f"{root}/{first}/{second}/{name}"
                if name not in known and default_storage.get_modified_time(full) < before:  # type: ignore[operator]
                    default_storage.delete(full)
                    removed += 1
    return removed
