"""Pluggable SMS backends (``ECOURT_SMS_BACKEND``).

- ``file`` (default): appends each message as a JSON line to ``ECOURT_SMS_FILE_PATH``; the
  staff-only SMS outbox page reads that file, so a person can try the sign-up flow locally.
- ``console``: prints messages to stdout.
- ``locmem``: keeps messages in ``ecourt.core.sms.outbox`` (tests).
- ``http``: posts JSON to a provider gateway (``ECOURT_SMS_HTTP_URL``, bearer token
  ``ECOURT_SMS_HTTP_TOKEN``). Adapters for specific providers subclass ``SmsBackend``.

Callers never use a backend directly: they queue an ``OutboundMessage`` row with
``ecourt.core.services.message_queue`` and the worker sends it.
"""

from __future__ import annotations

import http.client
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str
    reference: str


class SmsSendError(Exception):
    """The provider refused or could not be reached. ``permanent`` when trying again cannot
    help (no such recipient, malformed request); otherwise the message is tried again later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsBackend:
    def send(self, message: OutgoingSms) -> str:
        """Send one message and return the provider's message id (may be empty)."""
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, message: OutgoingSms) -> str:
        sys.stdout.write(f"[sms to {message.to}] {message.body}\n")
        sys.stdout.flush()
        return ""


class FileSmsBackend(SmsBackend):
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or settings.ECOURT_SMS_FILE_PATH)

    def send(self, message: OutgoingSms) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "to": message.to,
                "body": message.body,
                "reference": message.reference,
                "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            ensure_ascii=False,
        )
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return message.reference


outbox: list[OutgoingSms] = []


class LocmemSmsBackend(SmsBackend):
    def send(self, message: OutgoingSms) -> str:
        outbox.append(message)
        return message.reference


class HttpSmsBackend(SmsBackend):
    """A generic JSON gateway: ``POST {to, body, sender, reference}`` → ``{"id": "..."}``."""

    timeout_seconds = 10

    def send(self, message: OutgoingSms) -> str:
        payload = json.dumps(
            {
                "to": message.to,
                "body": message.body,
                "sender": settings.ECOURT_SMS_SENDER,
                "reference": message.reference,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - URL is operator configuration
            settings.ECOURT_SMS_HTTP_URL,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.ECOURT_SMS_HTTP_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            # Only answers that say this message can never be sent are final (malformed,
            # unknown recipient). Bad credentials (401/403) are retried: an operator fixes a
            # rotated token, and no decision or notice should be lost meanwhile.
            permanent = exc.code in (400, 404, 410, 422)
            raise SmsSendError(f"provider answered HTTP {exc.code}", permanent=permanent) from exc
        except (OSError, http.client.HTTPException) as exc:
            # URLError, timeouts, refused or dropped connections, TLS errors, cut-off replies.
            raise SmsSendError(f"provider unreachable: {exc!r}") from exc
        try:
            return str(json.loads(body).get("id", ""))
        except (ValueError, AttributeError):
            return ""


def get_backend() -> SmsBackend:
    backends: dict[str, type[SmsBackend]] = {
        "file": FileSmsBackend,
        "console": ConsoleSmsBackend,
        "locmem": LocmemSmsBackend,
        "http": HttpSmsBackend,
    }
    return backends[settings.ECOURT_SMS_BACKEND]()


def read_file_outbox(limit: int = 50) -> list[dict[str, str]]:
    """The newest messages written by the file backend, newest first (for the outbox page)."""
    path = Path(settings.ECOURT_SMS_FILE_PATH)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
    messages = []
    for line in reversed(lines):
        try:
            messages.append(json.loads(line))
        except ValueError:
            continue
    return messages
