"""Statistics benchmarks (issue 8): `make bench` runs it after bench/documents.py.

1. Building the press-2018 scenario through the services (``ecourt demo --scenario press-2018
   --scale S``; default S=1): seconds, and applications per second. Every applicant's, clerk's,
   mediator's and judge's step is a service call, one after another in date order.
2. Reading the figures at volume R (default 100: 549,700 applications, 288,000 registered
   users, 193,800 mediations, 77,700 cases, 381 million visits): the scenario's rows are copied
   in bulk until the database holds R times the press court (users with their role, the
   applications, mediations and cases with the columns the statistics read, the visit rows
   multiplied). The copies are not a court anyone could use — no parties, dockets or audit
   trail — only the volume the statistics read; the service-built court is step 1. Then, on the
   same in-process server: median and p95 of ``GET /api/v1/stats/summary`` and
   ``GET /stats/`` for the press period, against ``GET /healthz`` (minimal view).
3. Visit counting: ``GET /`` (the home page, an HTML page that is counted) with counting on
   against the same page with counting off (``ECOURT_VISIT_FLUSH_SECONDS=0``), alternating.

Results: docs/benchmarks.md.

    .venv/bin/python bench/stats.py [--scale S] [--read-scale R] [--requests N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_stats .venv/bin/python bench/stats.py
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
var_dir = tempfile.mkdtemp(prefix="ecourt-bench-stats-")
os.environ.setdefault("ECOURT_VAR_DIR", var_dir)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecourt.test_settings")
os.environ.setdefault("ECOURT_TASKS_BACKEND", "db")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import translation  # noqa: E402

from ecourt.accounts.models import RoleGrant, User  # noqa: E402
from ecourt.accounts.roles import Role  # noqa: E402
from ecourt.cases.models import Application, Case, CaseNumberSerial  # noqa: E402
from ecourt.core import scenario_press  # noqa: E402
from ecourt.mediation.models import Mediation  # noqa: E402
from ecourt.stats import selectors  # noqa: E402
from ecourt.stats.models import VisitDay  # noqa: E402

PRESS = "from=2018-09-09&until=2018-10-31"
BATCH = 5_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _copy_fields(obj: object, model: type, skip: set[str]) -> dict[str, object]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields  # type: ignore[attr-defined]
        if f.attname not in skip
    }


def expand(copies: int) -> None:
    """Add ``copies`` bulk copies of the scenario's users, applications, mediations and cases."""
    users = list(User.objects.filter(mobile__startswith=scenario_press.MOBILE_PREFIX))
    applications = list(
        Application.objects.filter(created_by__mobile__startswith=scenario_press.MOBILE_PREFIX)
    )
    mediations = {m.application_id: m for m in Mediation.objects.all()}
    cases = {c.application_id: c for c in Case.objects.all()}
    serial = {
        "case": Case.objects.order_by("-serial").values_list("serial", flat=True).first() or 0,
        "mediation": Mediation.objects.order_by("-serial").values_list("serial", flat=True).first()
        or 0,
    }
    case_prefix = Case.objects.values_list("number", flat=True).first() or ""
    case_prefix = case_prefix[: case_prefix.index("民初")] if "民初" in case_prefix else ""
    for k in range(1, copies + 1):
        with transaction.atomic():
            user_map: dict[int, int] = {}
            for start in range(0, len(users), BATCH):
                chunk = users[start : start + BATCH]
                made = User.objects.bulk_create(
                    User(
                        **_copy_fields(u, User, {"id", "mobile", "email"}),
                        mobile=f"+86134{k:03d}{i + start:05d}",
                    )
                    for i, u in enumerate(chunk)
                )
                if made[0].pk is None:
                    made = list(User.objects.order_by("-pk")[: len(chunk)])[::-1]
                RoleGrant.objects.bulk_create(
                    RoleGrant(user_id=m.pk, role=Role.LITIGANT) for m in made
                )
                user_map.update({u.pk: m.pk for u, m in zip(chunk, made, strict=True)})
            for start in range(0, len(applications), BATCH):
                chunk = applications[start : start + BATCH]
                made_apps = Application.objects.bulk_create(
                    Application(
                        **_copy_fields(a, Application, {"id", "created_by_id", "client_key"}),
                        created_by_id=user_map[a.created_by_id],
                    )
                    for a in chunk
                )
                if made_apps[0].pk is None:
                    made_apps = list(Application.objects.order_by("-pk")[: len(chunk)])[::-1]
                new_mediations, new_cases = [], []
                for a, m in zip(chunk, made_apps, strict=True):
                    if a.pk in mediations:
                        serial["mediation"] += 1
                        med = mediations[a.pk]
                        new_mediations.append(
                            Mediation(
                                **_copy_fields(
                                    med,
                                    Mediation,
                                    {
                                        "id",
                                        "application_id",
                                        "number",
                                        "serial",
                                        "confirmation_case_id",
                                    },
                                ),
                                application_id=m.pk,
                                serial=serial["mediation"],
                                number=f"bench-{serial['mediation']}",
                            )
                        )
                    if a.pk in cases:
                        serial["case"] += 1
                        case = cases[a.pk]
                        new_cases.append(
                            Case(
                                **_copy_fields(
                                    case, Case, {"id", "application_id", "number", "serial"}
                                ),
                                application_id=m.pk,
                                serial=serial["case"],
                                number=f"{case_prefix}{case.type_code}{serial['case']}号",
                            )
                        )
                Mediation.objects.bulk_create(new_mediations)
                Case.objects.bulk_create(new_cases)
    CaseNumberSerial.objects.filter(year=2018).update(last_serial=serial["case"])
    VisitDay.objects.update(views=F("views") * (copies + 1))


def timed(fn: Callable[[], object], number: int) -> list[float]:
    fn()
    samples = []
    for _ in range(number):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def get(client: Client, url: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="scenario built through services")
    parser.add_argument("--read-scale", type=int, default=100, help="volume the reads see")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    with translation.override("zh-hans"):
        scenario_press.build(scale=args.scale, out=sys.stderr)
    build_seconds = time.perf_counter() - start
    applications = scenario_press.PRESS.applications * args.scale

    start = time.perf_counter()
    if args.read_scale > args.scale:
        if args.read_scale % args.scale:
            sys.exit("--read-scale must be a multiple of --scale")
        expand(args.read_scale // args.scale - 1)
    expand_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after the bulk copies (both DBs)

    summary = selectors.summary(selectors.Period(scenario_press.START, scenario_press.END))
    assert summary.applications == scenario_press.PRESS.applications * args.read_scale, summary

    client = Client()
    minimal = timed(get(client, "/healthz"), args.requests)
    api = timed(get(client, f"/api/v1/stats/summary?{PRESS}"), args.requests)
    page = timed(get(client, f"/stats/?{PRESS}"), args.requests)

    counted_on: list[float] = []
    counted_off: list[float] = []
    home = get(client, "/")
    home()
    flush = settings.ECOURT_VISIT_FLUSH_SECONDS or 5
    for _ in range(args.requests * 2):
        for value, samples in ((flush, counted_on), (0, counted_off)):
            settings.ECOURT_VISIT_FLUSH_SECONDS = value
            begin = time.perf_counter()
            home()
            samples.append(time.perf_counter() - begin)
    settings.ECOURT_VISIT_FLUSH_SECONDS = flush

    print(
        f"ecourt statistics benchmarks · database {connection.vendor} · Python "
        f"{sys.version.split()[0]} · scenario x{args.scale} through services, reads at "
        f"x{args.read_scale} ({summary.applications:,} applications, {summary.visits:,} visits)"
    )
    print(
        f"scenario build x{args.scale}: {build_seconds:,.1f} s, "
        f"{applications / build_seconds:,.1f} applications/s "
        f"(bulk copies to x{args.read_scale}: {expand_seconds:,.1f} s)"
    )
    print(f"{'request':<40} {'median ms':>10} {'p95 ms':>8} {'× minimal (median)':>20}")
    base = statistics.median(minimal)
    for name, samples in (
        ("GET /healthz (minimal)", minimal),
        ("GET /api/v1/stats/summary (press)", api),
        ("GET /stats/ (press)", page),
    ):
        median = statistics.median(samples)
        print(
            f"{name:<40} {median * 1000:>10.2f} {percentile(samples, 0.95) * 1000:>8.2f}"
            f" {median / base:>20.1f}"
        )
    on, off = statistics.median(counted_on), statistics.median(counted_off)
    print(
        f"GET / with visit counting on {on * 1000:.2f} ms, off {off * 1000:.2f} ms (medians), "
        f"on ÷ off {on / off:.3f}; p95 on {percentile(counted_on, 0.95) * 1000:.2f} ms, "
        f"off {percentile(counted_off, 0.95) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
