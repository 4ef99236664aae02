"""Electronic delivery benchmark (issue 6): `make bench` runs it after bench/evidence_upload.py.

N legal deliveries (default 50,000) of one summons in a docketed case, each planned as a text
message and an email to addresses the recipient did not confirm, are queued in bulk (not
timed) and dispatched by worker processes looping ``deliveries_run`` until nothing is due:
per delivery the atomic claim, an attempt row committed before each provider call, the send
through the file SMS backend (``ECOURT_SMS_BACKEND=file``) and Django's file email backend,
the attempt's outcome, the sent events and the settled status in one transaction with the case
and delivery row locks. Runs: 1 worker process, then 2 (the queue is emptied and refilled in
between).

Baseline, in the same run: a bare loop writing the same messages (the same bodies, one per
delivery and channel) through the same two file backends, without any database work. Ratio =
workers' deliveries/s ÷ bare loop's deliveries/s.

Each run gets a fresh database: a SQLite file in a temporary folder, or, when DATABASE_URL is
set, that database (PostgreSQL: give a throwaway one; it is migrated and filled). Results:
docs/benchmarks.md.

    .venv/bin/python bench/delivery.py [--count N] [--batch 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecourt_bench_delivery \
        .venv/bin/python bench/delivery.py
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000, help="deliveries to dispatch")
    parser.add_argument("--batch", type=int, default=50, help="claim size of deliveries_run")
    parser.add_argument("--workers", default="1,2", help="worker-process counts to run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # a child: its name
    parser.add_argument("--var", help=argparse.SUPPRESS)  # a child: the parent's folder
    return parser.parse_args()


def configure(var: Path) -> None:
    """Environment for Django, the same in the parent and in every worker process."""
    os.environ["ECOURT_VAR_DIR"] = str(var)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecourt.test_settings")
    os.environ["ECOURT_TASKS_BACKEND"] = "immediate"
    os.environ["ECOURT_SMS_BACKEND"] = "file"
    os.environ["ECOURT_SMS_FILE_PATH"] = str(var / "sms-outbox.jsonl")
    os.environ["ECOURT_SMS_QUIET_HOURS"] = ""  # the benchmark may run at night
    os.environ["ECOURT_EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    if "ECOURT_LOG_KEY" not in os.environ:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from ecourt.evidence.tlog.note import signer_key_string

        os.environ["ECOURT_LOG_KEY"] = signer_key_string(
            "bench.ecourt.invalid/evidence", Ed25519PrivateKey.generate()
        )
    import django

    django.setup()
    from django.conf import settings

    # Not an environment setting of ecourt: the file email backend's folder.
    settings.EMAIL_FILE_PATH = str(var / "mail")
    logging.getLogger("django_tasks").setLevel(logging.WARNING)  # a line per task at setup


# --- A worker process -----------------------------------------------------------------------------


def run_worker(name: str) -> None:
    """Wait for the parent's go (a line on stdin), dispatch until nothing is due, report."""
    from django.db import connection

    from ecourt.delivery.services.dispatch import deliveries_run

    connection.ensure_connection()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    began = time.time()
    outcomes: dict[str, int] = {}
    while results := deliveries_run(worker=name, limit=ARGS.batch):
        for outcome, n in results.items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    print(json.dumps({"began": began, "ended": time.time(), "outcomes": outcomes}), flush=True)


# --- The parent -----------------------------------------------------------------------------------


def setup_case() -> tuple[Any, Any, Any]:
    """A docketed case (Alice v. Beta Tech) and one summons to the defendant, through the
    services; returns (case, defendant party, document)."""
    from django.core.management import call_command

    from ecourt.accounts.roles import Role
    from ecourt.accounts.tests.factories import VerifiedUserFactory
    from ecourt.cases.models import PartySide
    from ecourt.cases.tests.factories import docketed_case
    from ecourt.documents.services import document_issue

    call_command("migrate", verbosity=0)
    alice = VerifiedUserFactory(display_name="Bench Plaintiff", mobile="+8613700000001")
    clerk = VerifiedUserFactory(display_name="Bench Clerk", roles=[Role.FILING_CLERK])
    judge = VerifiedUserFactory(display_name="Bench Judge", roles=[Role.JUDGE])
    case = docketed_case(alice, clerk, judge=judge)
    party = case.parties.get(side=PartySide.DEFENDANT)
    document = document_issue(
        actor=clerk,
        case_id=case.pk,
        kind="summons",
        title="Summons to the hearing",
        body="You are summoned to the online hearing on 2026-12-15 at 09:30.",
        recipient_ids=[party.pk],
    )
    return case, party, document


def queue(count: int, case: Any, party: Any, document: Any) -> list[int]:
    """``count`` queued legal deliveries of ``document`` in bulk: a text and an email each,
    to addresses nobody confirmed (so none is served by reaching them)."""
    from django.db import transaction
    from django.utils import timezone

    from ecourt.delivery.models import Delivery, DeliveryStatus

    now = timezone.now()
    made: list[int] = []
    chunk = 2_000
    for start in range(0, count, chunk):
        rows = [
            Delivery(
                document=document,
                case=case,
                party=party,
                legal=True,
                subject_en=f"Summons — {case.number}",
                subject_zh=f"传票 — {case.number}",
                plan=[
                    {"channel": "inbox", "address": "", "confirmed": False},
                    {"channel": "sms", "address": f"+86139{n:08d}", "confirmed": False},
                    {
                        "channel": "email",
                        "address": f"party{n}@beta.example.com",
                        "confirmed": False,
                    },
                ],
                status=DeliveryStatus.QUEUED,
                next_attempt_at=now,
                created_at=now,
            )
            for n in range(start, min(count, start + chunk))
        ]
        with transaction.atomic():
            Delivery.objects.bulk_create(rows)
    made = list(
        Delivery.objects.filter(document=document, status=DeliveryStatus.QUEUED).values_list(
            "pk", flat=True
        )
    )
    assert len(made) == count, (len(made), count)
    return made


def empty_queue(document: Any) -> None:
    from ecourt.delivery.models import Delivery, DeliveryAttempt, DeliveryEvent

    mine = Delivery.objects.filter(document=document)
    DeliveryAttempt.objects.filter(delivery__in=mine).delete()
    DeliveryEvent.objects.filter(delivery__in=mine).delete()
    mine.delete()


def bare_loop(ids: list[int], var: Path) -> float:
    """Seconds to write the same texts and emails through the same file backends, without
    the database. The bodies are rendered before timing (from one delivery, the link changed)."""
    from django.core.mail import EmailMessage

    from ecourt.core.sms import FileSmsBackend, OutgoingSms
    from ecourt.delivery.models import Delivery
    from ecourt.delivery.services.dispatch import link_for, message_text

    sample = Delivery.objects.select_related("user", "document").get(pk=ids[0])
    subject, body = message_text(sample)
    link = link_for(sample)
    messages = []
    for n, pk in enumerate(ids):
        text = body.replace(link, link.replace(f"/{sample.pk}/", f"/{pk}/"))
        messages.append((pk, text, f"+86139{n:08d}", f"party{n}@beta.example.com"))
    backend = FileSmsBackend(var / "bare-sms.jsonl")
    began = time.perf_counter()
    for pk, text, mobile, email in messages:
        backend.send(OutgoingSms(to=mobile, body=text, reference=f"dlv-{pk}-0"))
        EmailMessage(subject=subject, body=text, to=[email]).send(fail_silently=False)
    return time.perf_counter() - began


def dispatch(workers: int, var: Path) -> tuple[float, dict[str, int]]:
    """Start ``workers`` processes, let them go together; seconds from the first start to the
    last finish, and the outcomes they counted."""
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                f"w{i}",
                "--var",
                str(var),
                "--batch",
                str(ARGS.batch),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for i in range(workers)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    reports = []
    for child in children:
        assert child.stdout is not None
        line = child.stdout.readline()
        if child.wait() != 0 or not line:
            raise SystemExit(f"a worker failed (exit status {child.returncode})")
        reports.append(json.loads(line))
    outcomes: dict[str, int] = {}
    for report in reports:
        for outcome, n in report["outcomes"].items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    return max(r["ended"] for r in reports) - min(r["began"] for r in reports), outcomes


def check_all_sent(document: Any, count: int) -> None:
    from ecourt.delivery.models import AttemptOutcome, Delivery, DeliveryAttempt, DeliveryStatus

    mine = Delivery.objects.filter(document=document)
    assert mine.filter(status=DeliveryStatus.SENT).count() == count, "a delivery was not sent"
    accepted = DeliveryAttempt.objects.filter(delivery__in=mine, outcome=AttemptOutcome.ACCEPTED)
    assert accepted.count() == 2 * count, "a channel was not tried exactly once"


def main() -> None:
    from django.db import connection

    var = Path(tempfile.mkdtemp(prefix="ecourt-bench-delivery-"))
    try:
        configure(var)
        case, party, document = setup_case()
        empty_queue(document)  # the summons' own delivery: not part of the count
        count = ARGS.count
        print(
            f"{count:,} deliveries (text + email each), {connection.vendor}, "
            f"claim batch {ARGS.batch}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
            flush=True,
        )
        ids = queue(count, case, party, document)
        bare = bare_loop(ids, var)
        bare_rate = count / bare
        print(f"bare loop (file SMS + file email, no database): {bare_rate:,.0f} deliveries/s")
        for workers in [int(w) for w in ARGS.workers.split(",") if w]:
            empty_queue(document)
            queue(count, case, party, document)
            seconds, outcomes = dispatch(workers, var)
            assert outcomes == {"sent": count}, outcomes
            check_all_sent(document, count)
            rate = count / seconds
            print(
                f"{workers} worker process{'es' if workers > 1 else ''}: {rate:,.0f} deliveries/s "
                f"({seconds:.1f} s); ÷ bare loop = {rate / bare_rate:.3f}",
                flush=True,
            )
    finally:
        shutil.rmtree(var, ignore_errors=True)


ARGS = parse_args()

if __name__ == "__main__":
    if ARGS.worker:
        configure(Path(ARGS.var))
        run_worker(ARGS.worker)
    else:
        main()
