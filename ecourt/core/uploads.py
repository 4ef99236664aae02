"""Private uploads (identity documents, letters, licences): stored outside any transaction.

Writing a file can be slow (remote storage), so it happens before the database transaction that
records it, and the file is deleted again if that transaction fails: no locked rows while
uploading, and no orphan files after a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile


def private_upload_name(kind: str, filename: str) -> str:
    """A random name under private/<kind>/ that keeps only the (content-checked) extension."""
    suffix = PurePath(filename or "").suffix.lower()[:8]
    return f"private/{kind}/{uuid.uuid4().hex}{suffix}"


@contextmanager
def stored_upload(kind: str, upload: UploadedFile | None) -> Iterator[str]:
    """Store ``upload`` and yield its storage name ("" when there is none); remove it again if
    the block raises. Use it around the ``transaction.atomic()`` that records the file."""
    if upload is None:
        yield ""
        return
    name = default_storage.save(private_upload_name(kind, upload.name or ""), upload)
    try:
        yield name
    except BaseException:
        default_storage.delete(name)
        raise
