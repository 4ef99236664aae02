"""An optional virus scan through a ClamAV daemon (``ECOURT_CLAMD``: a unix socket path or
host:port), with clamd's INSTREAM command. Standard library only.

When a scanner is configured and cannot be reached, uploads are refused (fail closed): a court
must not accept a file it promised to scan.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CHUNK = 1 << 16
TIMEOUT = 120


class ScannerUnavailable(Exception):
    """The configured scanner did not answer."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target: str | tuple[str, int] = address
    else:
        host, _sep, port = address.rpartition(":")
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        target = (host.strip("[]"), int(port))
    sock.settimeout(TIMEOUT)
    sock.connect(target)
    return sock


def scan_file(path: Path, address: str | None = None) -> ScanResult | None:
    """Scan ``path``; None when no scanner is configured."""
    address = settings.ECOURT_CLAMD if address is None else address
    if not address:
        return None
    try:
        with _connect(address) as sock, path.open("rb") as stream:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
            sock.sendall(b"\0\0\0\0")
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(f"clamd at {address}: {exc}") from None
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if text.endswith(" OK"):
        return ScanResult(clean=True)
    if text.endswith(" FOUND"):
        signature = text.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, signature=signature[:200])
    raise ScannerUnavailable(f"clamd at {address} answered: {text[:200]}")
