"""What a page that records a read receipt needs to know about the request."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest


def is_prefetch(request: HttpRequest) -> bool:
    """A browser fetching the page ahead of a click (link prefetch, prerender): no reading."""
    for header in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"):
        if "prefetch" in request.headers.get(header, "").lower():
            return True
    return False


def read_evidence(request: HttpRequest) -> dict[str, str]:
    """What a read event records of the request: its id and a hash of the browser's name
    (enough to tell two readings apart, nothing that identifies the device)."""
    agent = request.headers.get("User-Agent", "")
    return {
        "request_id": str(getattr(request, "request_id", "")),
        "ua_sha256": hashlib.sha256(agent.encode("utf-8", "replace")).hexdigest(),
    }
