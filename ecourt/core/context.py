"""Per-request context (request id, hashed client IP) that services read without a request.

Set by ``RequestContextMiddleware``; the worker and management commands run with an empty
context, which audit rows then record as blank.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_hash: str = ""


_EMPTY = RequestContext()  # frozen, so sharing it as the default is safe
_current: ContextVar[RequestContext] = ContextVar("ecourt_request", default=_EMPTY)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> object:
    return _current.set(ctx)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def hash_ip(ip: str) -> str:
    """A keyed hash of an IP address: comparable across rows, not reversible without the key."""
    if not ip:
        return ""
    key = hashlib.sha256(("ecourt-ip:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record ("-" outside a request), for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get().request_id or "-"
        return True
