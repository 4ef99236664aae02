"""The upload handler of the evidence form without JavaScript: the file arrives in one request
and is hashed while Django writes it to a temporary file, so it is read once, never whole in
memory, and a file over ``ECOURT_EVIDENCE_MAX_BYTES`` is cut off as soon as it passes the
limit instead of filling the disk.

A view must install it before anything reads ``request.POST`` or ``request.FILES`` (the CSRF
check does): an outer ``@csrf_exempt`` view sets ``request.upload_handlers`` and calls an inner
``@csrf_protect`` one, as Django's documentation on upload handlers shows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Writes each file to a temporary file and computes its SHA-256 on the way; the
    uploaded file gets ``sha256`` (64 lowercase hex digits). ``too_large`` is True when the
    request's files passed the limit; the rest of the request is then read and discarded, so
    fields sent after the file are lost (the form puts its file last)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit: int = settings.ECOURT_EVIDENCE_MAX_BYTES
        self.too_large = False
        self.received = 0  # across all files of the request
        self._digest = hashlib.sha256()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            # Django closes (and so deletes) the partial temporary file, then reads the rest
            # of the body without keeping it, so the browser gets the page with the message.
            raise StopUpload(connection_reset=False)
        self._digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.sha256 = self._digest.hexdigest()  # type: ignore[attr-defined]
        return uploaded
