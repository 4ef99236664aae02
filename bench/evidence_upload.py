"""Evidence upload ingest over HTTP (issue 5): a large file through the resumable upload API
to a real server (gunicorn, our settings), as a ratio to ``sha256sum`` on the same file in
the same run, with the server's peak memory at two file sizes (it must not grow with the
file).

The client sends 16 MiB chunks with their SHA-256 (computed before the clock starts: the
client's hashing is the client's cost, not the server's ingest) from a file on disk with
``http.client``, which streams the body. The server hashes each chunk while writing it,
fsyncs it, and on the last one hashes the whole file, sniffs its type and moves it into
storage. Peak memory is each gunicorn worker's VmHWM (peak resident set) from /proc.

    .venv/bin/python bench/evidence_upload.py                 # 1 GiB and 128 MiB
    .venv/bin/python bench/evidence_upload.py --size-mib 256 --small-mib 32
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHUNK = 16 * 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _make_file(path: Path, size: int) -> None:
    """Incompressible bytes (a random MiB repeated with a counter) behind an MP4 header, so
    the server's content check accepts it as a video."""
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    block = header + os.urandom(1024 * 1024 - len(header))
    with path.open("wb") as out:
        written, n = 0, 0
        while written < size:
            piece = (block if n == 0 else n.to_bytes(8, "big") + block[8:])[: size - written]
            out.write(piece)
            written += len(piece)
            n += 1


def _sha256sum(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
    return time.perf_counter() - started


def _peak_rss_kib(pid: int) -> int:
    """VmHWM of a process and its children (gunicorn's workers)."""
    peak = 0
    for candidate in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:") and int(line.split()[1]) == pid:
                found.append(int(status.parent.name))
    return found


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ecourt.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, (json.loads(data) if data else {})


def _upload(port: int, cookies: dict[str, str], path: Path, chunk_hashes: list[str]) -> float:
    size = path.stat().st_size
    csrf = cookies["csrftoken"]  # settings.CSRF_COOKIE_NAME, Django's default
    base = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "X-CSRFToken": csrf,
        "Origin": f"http://127.0.0.1:{port}",
        "Referer": f"http://127.0.0.1:{port}/",
    }
    started = time.perf_counter()
    status, body = _request(
        port,
        "POST",
        "/api/v1/evidence/uploads",
        {**base, "Content-Type": "application/json"},
        json.dumps({"filename": "bench.mp4", "size": size}),
    )
    assert status == 201, (status, body)
    token = body["token"]
    with path.open("rb") as stream:
        for i, digest in enumerate(chunk_hashes):
            start = i * CHUNK
            length = min(CHUNK, size - start)
            status, body = _request(
                port,
                "PUT",
                f"/api/v1/evidence/uploads/{token}",
                {
                    **base,
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(length),
                    "Content-Range": f"bytes {start}-{start + length - 1}/{size}",
                    "X-Chunk-SHA256": digest,
                },
                _Window(stream, length),
            )
            assert status == 200, (status, body)
    assert body["status"] == "complete", body
    return time.perf_counter() - started


class _Window:
    """``length`` bytes of a file, read in blocks by http.client (never held whole)."""

    def __init__(self, stream: Any, length: int) -> None:
        self.stream, self.left = stream, length

    def read(self, n: int = 65536) -> bytes:
        data = self.stream.read(min(n, self.left)) if self.left else b""
        self.left -= len(data)
        return data


def _chunk_hashes(path: Path) -> list[str]:
    hashes = []
    with path.open("rb") as stream:
        while data := stream.read(CHUNK):
            hashes.append(hashlib.sha256(data).hexdigest())
    return hashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--small-mib", type=int, default=128)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ecourt-bench-upload-"))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ecourt.evidence.tlog.note import signer_key_string

    env = {
        **os.environ,
        "ECOURT_DEBUG": "1",
        "ECOURT_VAR_DIR": str(work / "var"),
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "ECOURT_LOG_KEY": signer_key_string("bench.invalid/log", Ed25519PrivateKey.generate()),
        "ECOURT_EVIDENCE_MAX_BYTES": str(4 * 1024**3),
        "DJANGO_SETTINGS_MODULE": "ecourt.settings",
    }
    env.pop("ECOURT_SECRET_KEY", None)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from ecourt.accounts.tests.factories import VerifiedUserFactory

    call_command("migrate", verbosity=0)
    user = VerifiedUserFactory()
    client = Client()
    client.force_login(user)
    from django.conf import settings

    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: secrets.token_hex(16),
    }

    results = []
    try:
        for mib in (args.small_mib, args.size_mib):
            path = work / f"file-{mib}.bin"
            _make_file(path, mib * 1024 * 1024)
            hashes = _chunk_hashes(path)
            _sha256sum(path)  # warm the page cache for both contenders
            baseline = min(_sha256sum(path) for _ in range(3))
            with Server(env) as server:
                assert server.proc is not None
                # Each worker loads the URL configuration and views on its first request.
                for _ in range(6):
                    _request(server.port, "GET", "/api/v1/evidence/uploads/warm", {})
                ingest = _upload(server.port, cookies, path, hashes)
                peak = _peak_rss_kib(server.proc.pid)
            results.append((mib, baseline, ingest, peak))
            path.unlink()
            shutil.rmtree(work / "var" / "media", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'file':>9} {'sha256sum':>10} {'ingest':>8} {'MiB/s':>7} {'ratio':>6} {'peak RSS':>9}")
    for mib, baseline, ingest, peak in results:
        print(
            f"{mib:>5} MiB {baseline:>9.2f}s {ingest:>7.2f}s {mib / ingest:>7.0f} "
            f"{baseline / ingest:>6.2f} {peak / 1024:>6.0f} MiB"
        )
    print("ratio = sha256sum time / ingest time (1.00 = as fast as hashing alone; target ≥ 0.5)")
    print("peak RSS = the largest gunicorn process; the target is flat in file size")


if __name__ == "__main__":
    main()
