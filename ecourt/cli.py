"""The ``ecourt`` command: ``ecourt serve``, ``ecourt worker``, ``ecourt demo``,
``ecourt migrate`` and every other Django management command.

``ecourt serve`` runs gunicorn on 127.0.0.1:8000 (``--bind`` to change) and, unless
``--no-worker``, the task worker beside it, and stops both together.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ALIASES = {
    "totp-code": "totp_code",
    "create-court-admin": "create_court_admin",
}


def _serve(args: list[str]) -> int:
    bind = "127.0.0.1:8000"
    with_worker = True
    rest: list[str] = []
    iterator = iter(args)
    for arg in iterator:
        if arg == "--bind":
            bind = next(iterator, bind)
        elif arg.startswith("--bind="):
            bind = arg.split("=", 1)[1]
        elif arg == "--no-worker":
            with_worker = False
        else:
            rest.append(arg)
    python = sys.executable
    workers = os.environ.get("ECOURT_WEB_WORKERS", "2")
    web_cmd = [
        python,
        "-m",
        "gunicorn",
        "ecourt.wsgi:application",
        "--bind",
        bind,
        "--workers",
        workers,
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("ECOURT_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        *rest,
    ]
    procs = [subprocess.Popen(web_cmd)]  # noqa: S603 - our own interpreter and arguments
    if with_worker:
        procs.append(subprocess.Popen([python, "-m", "ecourt.cli", "worker"]))  # noqa: S603

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    # If either process dies, stop the other: a web server without its worker would accept
    # work that never gets done.
    while all(proc.poll() is None for proc in procs) and not stopping:
        time.sleep(0.5)
    stop(signal.SIGTERM, None)
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(timeout=30))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(1)
    return 0 if stopping else max(codes)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecourt.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        argv = ["help"]
    if argv[0] == "serve":
        return _serve(argv[1:])
    if argv[0] == "witness":
        # A witness is someone else's process: no settings, no database.
        from ecourt.evidence.tlog.witness_cli import main as witness_main

        return witness_main(argv[1:])
    from django.core.management import execute_from_command_line

    command = ALIASES.get(argv[0], argv[0])
    execute_from_command_line(["ecourt", command, *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
