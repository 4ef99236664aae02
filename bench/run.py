"""ecourt benchmarks: `make bench`.

Each figure is a ratio against a baseline measured in the same run on the same machine
(GET /healthz through the full middleware stack), so numbers from different machines can
be compared. Runs on a throw-away SQLite database (or DATABASE_URL if set) with DEBUG off.
Results and how to read them: docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
var_dir = tempfile.mkdtemp(prefix="ecourt-bench-")
os.environ.setdefault("ECOURT_VAR_DIR", var_dir)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecourt.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from ecourt.accounts.models import User  # noqa: E402
from ecourt.accounts.tests.factories import PASSWORD, VerifiedUserFactory  # noqa: E402
from ecourt.core.audit import audit_record  # noqa: E402
from ecourt.core.models import AuditEvent  # noqa: E402


def timed(fn: Callable[[], object], *, repeat: int = 5, number: int = 50) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    fn()  # warm-up: caches, compiled templates, connections
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def main() -> None:
    call_command("migrate", verbosity=0)
    user: User = VerifiedUserFactory(display_name="Bench Person")
    anonymous = Client()
    signed_in = Client()
    assert signed_in.post("/accounts/login/", {"username": user.mobile, "password": PASSWORD})

    def get(client: Client, url: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    def write_audit() -> object:
        return audit_record(code="ecourt.bench.event", actor=user, target=user, new={"n": 1})

    def login() -> object:
        client = Client()
        return client.post("/accounts/login/", {"username": user.mobile, "password": PASSWORD})

    baseline = timed(get(anonymous, "/healthz"))
    rows = [
        ("GET /healthz (baseline)", baseline),
        ("GET / anonymous home page", timed(get(anonymous, "/"))),
        ("GET /accounts/ signed-in dashboard", timed(get(signed_in, "/accounts/"))),
        ("GET /accounts/profile/ with login history", timed(get(signed_in, "/accounts/profile/"))),
        ("audit_record() one event", timed(write_audit)),
        ("POST /accounts/login/ (argon2 verify)", timed(login, repeat=3, number=5)),
    ]
    # The audit search must not slow down as the trail grows: compare 1k and 20k events.
    AuditEvent.objects.bulk_create(
        [AuditEvent(code="ecourt.bench.bulk", actor_repr="bench") for _ in range(1_000)]
    )
    from ecourt.core.selectors import audit_events_search

    def search() -> object:
        return list(audit_events_search(code="ecourt.bench.event")[:50])

    small = timed(search)
    AuditEvent.objects.bulk_create(
        [AuditEvent(code="ecourt.bench.bulk", actor_repr="bench") for _ in range(19_000)]
    )
    large = timed(search)
    rows.append(("audit search, first page, 1k events", small))
    rows.append(("audit search, first page, 20k events", large))

    print(
        f"ecourt benchmarks · database {django.db.connection.vendor}"
        f" · Python {sys.version.split()[0]}"
    )
    print(f"{'operation':<48} {'ms/op':>9} {'× baseline':>11}")
    for name, seconds in rows:
        print(f"{name:<48} {seconds * 1000:>9.3f} {seconds / baseline:>11.2f}")
    print(f"{'audit search 20k ÷ 1k':<48} {'':>9} {large / small:>11.2f}")


if __name__ == "__main__":
    main()
