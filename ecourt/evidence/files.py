"""Serving a stored evidence file: streamed from storage, always as a download, never
interpreted by the browser (an HTML page capture must not run in the court's origin)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from ecourt.evidence.models import EvidenceItem


def item_file_response(item: EvidenceItem) -> FileResponse:
    blob = item.blob
    response = FileResponse(
        default_storage.open(blob.storage_name, "rb"),
        as_attachment=True,
        filename=item.filename,
        content_type=blob.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    response["Digest"] = f"sha-256={_b64(blob.sha256)}"
    return response


def _b64(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode()
