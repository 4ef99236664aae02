"""Filing benchmarks (issue 3): `make bench` runs it after bench/run.py.

1. Docketing throughput: N submitted, paid applications (default 10,000) are docketed one by
   one through ``filing_accept`` — the real service: row locks, the case-number counter, the
   case row, docket entries, deadlines, association codes, outbound messages, audit events.
   Baseline: a bare loop of raw ``INSERT`` statements writing the same kinds of row per
   application (case, two docket entries, three deadlines, two audit events, two messages),
   one transaction per application as the service has. Ratio = service time ÷ bare time.
2. The clerk's case list with 100,000 cases: median and p95 of ``GET /cases/`` (first page)
   against ``GET /healthz`` measured on the same in-process server in the same run.

The submitted applications are prepared with bulk inserts copying one application made through
the services (the wizard is not what is measured). Results: docs/benchmarks.md.

    .venv/bin/python bench/filing.py [--applications N] [--cases N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecourt_bench .venv/bin/python bench/filing.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
var_dir = tempfile.mkdtemp(prefix="ecourt-bench-filing-")
os.environ.setdefault("ECOURT_VAR_DIR", var_dir)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecourt.test_settings")
# As in service: texts and mails become task rows for the worker, not sends inside docketing.
os.environ.setdefault("ECOURT_TASKS_BACKEND", "db")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from ecourt.accounts.models import User  # noqa: E402
from ecourt.accounts.roles import Role  # noqa: E402
from ecourt.accounts.tests.factories import PASSWORD, VerifiedUserFactory  # noqa: E402
from ecourt.cases import services  # noqa: E402
from ecourt.cases.models import (  # noqa: E402
    Application,
    ApplicationStatus,
    Case,
    Claim,
    Party,
    Payment,
    PaymentStatus,
)
from ecourt.cases.tests.factories import submitted_application  # noqa: E402
from ecourt.conftest import totp_now  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def clone_submitted(template: Application, count: int, clerk: User) -> list[int]:
    """``count`` copies of a submitted application, with their parties, claims and a
    confirmed payment, written in bulk."""
    parties = list(template.parties.all())
    claims = list(template.claims.all())
    ids: list[int] = []
    batch = 1_000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        fields = {
            f.attname: getattr(template, f.attname)
            for f in Application._meta.concrete_fields
            if f.attname not in ("id", "client_key")
        }
        apps = Application.objects.bulk_create([Application(**fields) for _ in range(size)])
        if not apps or apps[0].pk is None:  # SQLite before 3.35 returns no ids
            apps = list(Application.objects.order_by("-pk")[:size])[::-1]
        new_ids = [a.pk for a in apps]
        ids.extend(new_ids)
        Party.objects.bulk_create(
            Party(
                **{
                    f.attname: getattr(p, f.attname)
                    for f in Party._meta.concrete_fields
                    if f.attname not in ("id", "application_id")
                },
                application_id=pk,
            )
            for pk in new_ids
            for p in parties
        )
        Claim.objects.bulk_create(
            Claim(application_id=pk, position=c.position, text=c.text, amount=c.amount)
            for pk in new_ids
            for c in claims
        )
        Payment.objects.bulk_create(
            Payment(
                application_id=pk,
                provider="bank_transfer",
                amount=template.fee_amount,
                reference=f"BENCH{pk:012d}",
                status=PaymentStatus.PAID,
                paid_at=timezone.now(),
                confirmed_by=clerk,
            )
            for i, pk in enumerate(new_ids)
        )
    return ids


def bare_insert_loop(application_ids: list[int], template_case: Case) -> float:
    """Seconds to write the same kinds of row as docketing with raw INSERTs."""
    now = timezone.now()
    today = timezone.localdate()
    case_table = Case._meta.db_table
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for i, application_id in enumerate(application_ids):
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {case_table} (application_id, number, year, type_code, serial,"
                    " case_type_id, status, procedure, title, docketed_at, docketed_on,"
                    " docketed_by_id, judge_id, fee_amount, decision_kind, closing_mode)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'','')",
                    [
                        application_id,
                        f"BARE-{i}",
                        9999,
                        "bare",
                        i + 1,
                        template_case.case_type_id,
                        "docketed",
                        "ordinary",
                        template_case.title,
                        now,
                        today,
                        template_case.docketed_by_id,
                        template_case.judge_id,
                        template_case.fee_amount,
                    ],
                )
                cursor.execute(
                    "INSERT INTO cases_docketentry (case_id, number, code, entered_at, text_en,"
                    " text_zh, filed_by_id, party_id, document_text)"
                    " VALUES (%s,%s,%s,%s,%s,%s,NULL,NULL,'')",
                    [template_case.pk, 1000 + 2 * i, "bench", now, "entry", "条目"],
                )
                cursor.execute(
                    "INSERT INTO cases_docketentry (case_id, number, code, entered_at, text_en,"
                    " text_zh, filed_by_id, party_id, document_text)"
                    " VALUES (%s,%s,%s,%s,%s,%s,NULL,NULL,'')",
                    [template_case.pk, 1001 + 2 * i, "bench", now, "entry", "条目"],
                )
                for code in ("complaint_service", "trial_ordinary", "filing_decision"):
                    cursor.execute(
                        "INSERT INTO cases_casedeadline (application_id, case_id, party_id, code,"
                        " basis, start_event, start_date, due_date, met_at, cancelled_at)"
                        " VALUES (%s,%s,NULL,%s,%s,%s,%s,%s,NULL,NULL)",
                        [
                            template_case.application_id,
                            template_case.pk,
                            code,
                            "CPL",
                            "docketing",
                            today,
                            today,
                        ],
                    )
                for _ in range(2):
                    cursor.execute(
                        "INSERT INTO core_auditevent (code, actor_id, actor_repr, target_type_id,"
                        " target_id, target_repr, old_values, new_values, request_id, ip_hash,"
                        " created_at) VALUES (%s,NULL,%s,NULL,%s,%s,%s,%s,'','',%s)",
                        ["bench", "bench", str(i), "bench", "{}", "{}", now],
                    )
                    cursor.execute(
                        'INSERT INTO core_outboundmessage (channel, "to", subject, body, purpose,'
                        " sensitive, status, attempts, last_error, provider_id, created_at)"
                        " VALUES ('sms', %s, '', %s, 'bench', %s, 'queued', 0, '', '', %s)",
                        ["+8613800000000", "body", False, now],
                    )
    return time.perf_counter() - start


def bulk_cases(count: int, template_case: Case) -> None:
    """``count`` more docketed cases for the list page, in bulk (numbers in year 2001)."""
    application = template_case.application
    fields = {
        f.attname: getattr(application, f.attname)
        for f in Application._meta.concrete_fields
        if f.attname not in ("id", "client_key")
    }
    fields["status"] = ApplicationStatus.DOCKETED
    batch = 2_000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        apps = Application.objects.bulk_create([Application(**fields) for _ in range(size)])
        if not apps or apps[0].pk is None:
            apps = list(Application.objects.order_by("-pk")[:size])[::-1]
        Case.objects.bulk_create(
            Case(
                application_id=app.pk,
                number=f"(2001)京0491民初{start + i + 1}号",
                year=2001,
                type_code="民初",
                serial=start + i + 1,
                case_type_id=template_case.case_type_id,
                status="answer_period",
                procedure="ordinary",
                title=f"Plaintiff {start + i} v. Beta Tech",
                docketed_at=template_case.docketed_at,
                docketed_on=template_case.docketed_on,
                docketed_by_id=template_case.docketed_by_id,
                judge_id=template_case.judge_id,
                fee_amount=template_case.fee_amount,
            )
            for i, app in enumerate(apps)
        )


def timed_requests(fn: Callable[[], object], number: int) -> list[float]:
    fn()
    samples = []
    for _ in range(number):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    plaintiff = VerifiedUserFactory(display_name="Bench Plaintiff", mobile="+8613700000001")
    clerk = VerifiedUserFactory(
        display_name="Bench Clerk", mobile="+8613700000002", roles=[Role.FILING_CLERK]
    )
    TOTPDevice.objects.create(user=clerk, name="bench", confirmed=True)
    judge = VerifiedUserFactory(
        display_name="Bench Judge", mobile="+8613700000003", roles=[Role.JUDGE]
    )
    template = submitted_application(plaintiff)
    ids = clone_submitted(template, args.applications, clerk)

    start = time.perf_counter()
    for pk in ids:
        services.filing_accept(actor=clerk, application_id=pk, judge_id=judge.pk)
    service_seconds = time.perf_counter() - start
    template_case = Case.objects.order_by("pk").first()
    assert template_case is not None
    serials = list(Case.objects.filter(year=template_case.year).values_list("serial", flat=True))
    assert sorted(serials) == list(range(1, len(ids) + 1)), "serials are not gap-free"
    bare_ids = clone_submitted(template, len(ids), clerk)
    bare_seconds = bare_insert_loop(bare_ids, template_case)

    bulk_cases(args.cases - Case.objects.count(), template_case)
    client = Client()
    assert client.post("/accounts/login/", {"username": clerk.mobile, "password": PASSWORD})
    assert client.post("/accounts/otp/", {"token": totp_now(clerk)}).status_code == 302
    case_list = reverse("cases:case_list")

    def get(url: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    minimal = timed_requests(get("/healthz"), args.requests)
    listing = timed_requests(get(case_list), args.requests)

    print(
        f"ecourt filing benchmarks · database {connection.vendor} · Python "
        f"{sys.version.split()[0]} · {len(ids)} docketings · {Case.objects.count()} cases"
    )
    per_second = len(ids) / service_seconds
    bare_per_second = len(ids) / bare_seconds
    print(f"docketing through filing_accept: {per_second:10.1f} applications/s")
    print(f"bare INSERT loop, same rows:     {bare_per_second:10.1f} applications/s")
    print(f"service ÷ bare time:             {service_seconds / bare_seconds:10.2f}")
    print(f"{'request':<36} {'median ms':>10} {'p95 ms':>8} {'× minimal (median)':>20}")
    base = statistics.median(minimal)
    for name, samples in (("GET /healthz (minimal)", minimal), ("GET /cases/ clerk", listing)):
        median = statistics.median(samples)
        print(
            f"{name:<36} {median * 1000:>10.2f} {percentile(samples, 0.95) * 1000:>8.2f}"
            f" {median / base:>20.1f}"
        )


if __name__ == "__main__":
    main()
