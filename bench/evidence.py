"""Evidence log benchmarks (issue 5): `make bench` runs it after bench/filing.py.

1. Sequencing throughput. N deposits (default 20,000) are made with ``deposits_create`` in
   chunks of 10,000 (not timed), then ``log_integrate_all(limit=batch)`` integrates them: per
   batch one transaction writing the tiles, the leaf indexes, a signed checkpoint and the
   ``LogHead`` compare-and-swap. Baseline, in the same run: pymerkle's file-backed
   ``SqliteTree`` appending the same entry bytes, one commit per entry (``append_entry``) and
   one commit per batch (``append_entries`` + ``get_root``), with its own SQLite settings and
   with ours (WAL, synchronous=NORMAL). The roots must agree: both are RFC 9162 trees.
2. Bytes stored per entry after sequencing: deposit rows, tiles and checkpoints with their
   indexes (SQLite: ``dbstat``; PostgreSQL: ``pg_total_relation_size``), as stored and after
   VACUUM; the raw tile payload; pymerkle's database file for the same entries.
3. Inclusion proofs at 1,000,000 leaves (``--proof-leaves``). The tiles are built in memory
   with ``tlog.builder.append`` and bulk-inserted with a ``LogHead`` (sequencing a million
   deposits through the database would take too long for a benchmark run); then
   ``selectors.inclusion_proof(i, size)`` for random i: median and p95. Baselines in the same
   run: ``merkle.inclusion_proof`` over the same tiles held in memory (no database), over all
   node hashes held in memory (``reader_from_leaves``, warm), and pymerkle's
   ``prove_inclusion`` on a ``SqliteTree`` of the same leaves. Every proof is checked
   against the in-memory one.
4. Upload ingest of a 1 GiB file through HTTP against ``sha256sum``: bench/evidence_upload.py.

Each database run gets a fresh database: a SQLite file in a temporary folder (WAL, as the
settings configure it), or a PostgreSQL database ``ecourt_bench_<pid>`` created and dropped
by the run. Django's settings are set once per process, so the script runs itself once per
backend (``--backend``). Results: docs/benchmarks.md.

    .venv/bin/python bench/evidence.py                     # SQLite, then PostgreSQL
    .venv/bin/python bench/evidence.py --quick             # smoke run: 2,000 entries, 50,000 leaves
    .venv/bin/python bench/evidence.py --backend sqlite --entries 5000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BACKENDS = ("sqlite", "postgres")
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEPOSIT_CHUNK = 10_000  # MAX_BATCH_RECORDS of deposits_create
BUILD_CHUNK = 65_536  # entries per builder.append call when building the proof log


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=BACKENDS, help="run one backend in this process")
    parser.add_argument(
        "--backends", default=",".join(BACKENDS), help="backends to run (default: both)"
    )
    parser.add_argument("--entries", type=int, default=20_000, help="deposits to sequence")
    parser.add_argument(
        "--batch-sizes", default="1000", help="log_integrate limits, comma-separated"
    )
    parser.add_argument(
        "--pymerkle-single",
        type=int,
        default=2_000,
        help="entries for pymerkle's one-commit-per-append runs (at most --entries)",
    )
    parser.add_argument("--proof-leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1_000, help="random proofs to time")
    parser.add_argument(
        "--pymerkle-proof-leaves",
        type=int,
        default=None,
        help="leaves of pymerkle's proof tree (default: --proof-leaves; 0 skips it)",
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument(
        "--profile", action="store_true", help="also sequence N more under cProfile, print top"
    )
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--json", help="write the figures to this file (used by the parent)")
    args = parser.parse_args(argv)
    if args.quick:
        args.entries = min(args.entries, 2_000)
        args.proof_leaves = min(args.proof_leaves, 50_000)
        args.proofs = min(args.proofs, 200)
        args.pymerkle_single = min(args.pymerkle_single, 500)
    if args.pymerkle_proof_leaves is None:
        args.pymerkle_proof_leaves = args.proof_leaves
    args.batch_sizes = [int(b) for b in str(args.batch_sizes).split(",") if b]
    return args


# --- The parent: one child process per backend -------------------------------------------------


def run_parent(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Run each backend in a process of its own, then print both side by side."""
    results: dict[str, dict[str, Any]] = {}
    status = 0
    with tempfile.TemporaryDirectory(prefix="ecourt-bench-evidence-") as tmp:
        for backend in [b for b in args.backends.split(",") if b]:
            out = Path(tmp) / f"{backend}.json"
            command = [sys.executable, __file__, *argv, "--backend", backend, "--json", str(out)]
            print(f"\n===== {backend} =====", flush=True)
            code = subprocess.call(command)
            if code:
                print(f"{backend}: the run failed (exit status {code})", flush=True)
                status = status or code
            elif out.exists():
                results[backend] = json.loads(out.read_text())
    if results:
        print_summary(results)
    return status


def print_summary(results: dict[str, dict[str, Any]]) -> None:
    names = list(results)
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = []
    first = results[names[0]]
    for batch in [b for b in first["sequencing"] if b.isdigit()]:
        rows.append(
            (
                f"sequencer, batch {batch}, entries/s",
                lambda r, b=batch: f"{r['sequencing'][b]['per_second']:,.0f}",
            )
        )
        rows.append(
            (
                f"pymerkle bulk (batch {batch}, WAL/NORMAL), entries/s",
                lambda r, b=batch: f"{r['pymerkle'][f'bulk {b} wal']:,.0f}",
            )
        )
        rows.append(
            (
                f"sequencer ÷ pymerkle bulk, batch {batch}",
                lambda r, b=batch: (
                    f"{r['sequencing'][b]['per_second'] / r['pymerkle'][f'bulk {b} wal']:.2f}"
                ),
            )
        )
    rows += [
        ("bytes per entry, evidence tables", lambda r: f"{r['bytes']['total_per_entry']:,.0f}"),
        ("bytes per entry, tiles only", lambda r: f"{r['bytes']['tiles_per_entry']:,.0f}"),
        (
            "inclusion proof from DB tiles, median / p95 ms",
            lambda r: f"{r['proof']['db']['median_ms']:.3f} / {r['proof']['db']['p95_ms']:.3f}",
        ),
        (
            "× proof from the same tiles in memory",
            lambda r: f"{r['proof']['db']['median_ms'] / r['proof']['tiles']['median_ms']:.1f}",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"\n===== summary ({first['proof']['leaves']:,} proof leaves) =====")
    print(f"{'':<{width}} " + " ".join(f"{n:>14}" for n in names))
    for label, cell in rows:
        values = []
        for name in names:
            try:
                values.append(cell(results[name]))
            except (KeyError, ZeroDivisionError):
                values.append("-")
        print(f"{label:<{width}} " + " ".join(f"{v:>14}" for v in values))


# --- The child: one backend, one fresh database --------------------------------------------------


class Database:
    """A fresh database for this process: created before Django starts, dropped after."""

    def __init__(self, backend: str, tmp: Path, admin_url: str) -> None:
        self.backend = backend
        self.tmp = tmp
        self.admin_url = admin_url
        self.name = f"ecourt_bench_{os.getpid()}"

    def create(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        base = self.admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1)
        return f"{base}/{self.name}"

    def drop(self) -> None:
        if self.backend != "postgres":
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def setup_django(database_url: str, tmp: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ECOURT_VAR_DIR"] = str(tmp / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecourt.test_settings")
    if "ECOURT_LOG_KEY" not in os.environ:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from ecourt.evidence.tlog.note import signer_key_string

        os.environ["ECOURT_LOG_KEY"] = signer_key_string(
            "bench.ecourt.invalid/evidence", Ed25519PrivateKey.generate()
        )
    (tmp / "var").mkdir(exist_ok=True)
    import django

    django.setup()


def make_records(start: int, count: int) -> list[Any]:
    from ecourt.evidence.services.log import HashRecord

    return [
        HashRecord(
            sha256=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
            size=1_000 + (i * 7919) % 50_000_000,
            media_type="application/pdf",
        )
        for i in range(start, start + count)
    ]


def deposit(institution: Any, start: int, count: int) -> float:
    """Deposit ``count`` fresh records in chunks of 10,000; seconds taken."""
    from ecourt.evidence.services.log import deposits_create

    began = time.perf_counter()
    for offset in range(0, count, DEPOSIT_CHUNK):
        size = min(DEPOSIT_CHUNK, count - offset)
        deposits_create(
            actor=None, institution=institution, records=make_records(start + offset, size)
        )
    return time.perf_counter() - began


def sequence(batch: int) -> tuple[int, float]:
    from ecourt.evidence.services.log import log_integrate_all

    began = time.perf_counter()
    integrated = log_integrate_all(limit=batch)
    return integrated, time.perf_counter() - began


def entries_in_leaf_order(first: int, count: int) -> list[bytes]:
    from ecourt.evidence.models import Deposit

    rows = (
        Deposit.objects.filter(leaf_index__gte=first, leaf_index__lt=first + count)
        .order_by("leaf_index")
        .values_list("entry_text", flat=True)
    )
    return [text.encode() for text in rows]


# --- pymerkle ------------------------------------------------------------------------------------


def pymerkle_tree(path: Path, *, ours: bool) -> Any:
    """A file-backed SqliteTree; ``ours``: with the PRAGMAs ecourt's SQLite runs with."""
    from pymerkle import SqliteTree

    tree = SqliteTree(str(path))
    if ours:
        tree.con.execute("PRAGMA journal_mode=WAL")
        tree.con.execute("PRAGMA synchronous=NORMAL")
    return tree


def pymerkle_single(tmp: Path, entries: Sequence[bytes], *, ours: bool) -> float:
    """Entries/s appending one at a time: pymerkle commits each append."""
    path = tmp / f"pm-single-{'wal' if ours else 'default'}.db"
    with pymerkle_tree(path, ours=ours) as tree:
        began = time.perf_counter()
        for data in entries:
            tree.append_entry(data)
        seconds = time.perf_counter() - began
    return len(entries) / seconds


def pymerkle_bulk(
    tmp: Path, entries: Sequence[bytes], batch: int, *, ours: bool
) -> tuple[float, bytes, int]:
    """Entries/s appending in batches, one commit per batch, and the root after each batch
    (what a checkpoint needs). Returns (entries/s, final root, file bytes)."""
    path = tmp / f"pm-bulk-{batch}-{'wal' if ours else 'default'}.db"
    with pymerkle_tree(path, ours=ours) as tree:
        began = time.perf_counter()
        root = b""
        for offset in range(0, len(entries), batch):
            tree.append_entries(entries[offset : offset + batch])
            root = tree.get_root()
        seconds = time.perf_counter() - began
        if ours:
            tree.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    return len(entries) / seconds, root, size


# --- Bytes stored --------------------------------------------------------------------------------

EVIDENCE_TABLES = (
    "evidence_deposit",
    "evidence_logtile",
    "evidence_checkpoint",
    "evidence_loghead",
)


def table_bytes() -> dict[str, int]:
    """Bytes of each log table with its indexes (and TOAST on PostgreSQL)."""
    from django.db import connection

    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute(
                "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s"
                " JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
            )
        else:
            cursor.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
                " WHERE c.relkind = 'r' AND c.relname = ANY(%s)",
                [list(EVIDENCE_TABLES)],
            )
        for name, size in cursor.fetchall():
            if name in EVIDENCE_TABLES:
                sizes[name] = int(size)
    return sizes


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
        else:
            for table in EVIDENCE_TABLES:
                cursor.execute(f"VACUUM FULL {table}")


def measure_bytes(entries: int) -> dict[str, Any]:
    from django.db.models import Sum
    from django.db.models.functions import Length

    from ecourt.evidence.models import ENTRIES_LEVEL, LogTile

    stored = table_bytes()
    vacuum()
    compact = table_bytes()
    hash_payload = (
        LogTile.objects.exclude(level=ENTRIES_LEVEL).aggregate(b=Sum(Length("data")))["b"] or 0
    )
    bundle_payload = (
        LogTile.objects.filter(level=ENTRIES_LEVEL).aggregate(b=Sum(Length("data")))["b"] or 0
    )
    total = sum(stored.values())
    return {
        "entries": entries,
        "tables": stored,
        "tables_vacuumed": compact,
        "total_per_entry": total / entries,
        "total_vacuumed_per_entry": sum(compact.values()) / entries,
        "tiles_per_entry": stored.get("evidence_logtile", 0) / entries,
        "tiles_vacuumed_per_entry": compact.get("evidence_logtile", 0) / entries,
        "hash_payload_per_entry": hash_payload / entries,
        "bundle_payload_per_entry": bundle_payload / entries,
    }


# --- Inclusion proofs ----------------------------------------------------------------------------


def synthetic_entries(start: int, count: int, depositor: str) -> list[bytes]:
    """Canonical ecourt-evidence/v1 entries (the text ``Entry`` writes; checked once)."""
    template = (
        "ecourt-evidence/v1\nsha256 {}\nsize {}\ntype application/pdf\n"
        f"depositor {depositor}\ntime 2026-11-28T12:00:00Z\n"
    )
    return [
        template.format(
            hashlib.sha256(b"proof-%d" % i).hexdigest(), 1_000 + (i * 7919) % 50_000_000
        ).encode()
        for i in range(start, start + count)
    ]


def build_proof_log(
    leaves: int, depositor: str
) -> tuple[dict[tuple[int, int], bytes], bytes, float]:
    """Replace the log with one of ``leaves`` entries built in memory and bulk-inserted.
    Returns (hash tiles by (level, index), root hash, builder seconds)."""
    from django.db import transaction
    from django.utils import timezone

    from ecourt.evidence.models import ENTRIES_LEVEL, Checkpoint, LogHead, LogTile
    from ecourt.evidence.tlog import builder
    from ecourt.evidence.tlog.entry import parse_entry
    from ecourt.evidence.tlog.tiles import parse_entry_bundle

    parse_entry(synthetic_entries(0, 1, depositor)[0].decode())  # the template is canonical
    tiles: dict[tuple[int, int], bytes] = {}
    bundles: dict[int, bytes] = {}
    size, root, build_seconds = 0, b"", 0.0
    with transaction.atomic():
        LogTile.objects.all().delete()
        Checkpoint.objects.all().delete()
        for start in range(0, leaves, BUILD_CHUNK):
            chunk = synthetic_entries(start, min(BUILD_CHUNK, leaves - start), depositor)
            began = time.perf_counter()
            appended = builder.append(
                size,
                lambda level, index: tiles.get((level, index), b""),
                lambda index: bundles.get(index, b""),
                chunk,
            )
            build_seconds += time.perf_counter() - began
            full_bundles = []
            for write in appended.writes:
                if write.tile.level != "entries":
                    tiles[(int(write.tile.level), write.tile.index)] = write.data
                elif write.tile.is_partial:  # only the last chunk can end in one
                    bundles[write.tile.index] = write.data
                else:
                    full_bundles.append(write)
            LogTile.objects.bulk_create(
                [
                    LogTile(
                        level=ENTRIES_LEVEL, index=w.tile.index, width=w.tile.width, data=w.data
                    )
                    for w in full_bundles
                ],
                batch_size=500,
            )
            size, root = appended.size, appended.root_hash
        LogTile.objects.bulk_create(
            [
                LogTile(level=level, index=index, width=len(data) // 32, data=data)
                for (level, index), data in sorted(tiles.items())
            ]
            + [
                LogTile(
                    level=ENTRIES_LEVEL, index=index, width=len(parse_entry_bundle(data)), data=data
                )
                for index, data in bundles.items()
            ],
            batch_size=500,
        )
        LogHead.objects.update_or_create(
            pk=1, defaults={"size": size, "root_hash": root, "updated_at": timezone.now()}
        )
    return tiles, root, build_seconds


def time_calls(fn: Callable[[int], object], indexes: Sequence[int]) -> dict[str, float]:
    for i in indexes[:10]:  # warm-up: connections, code paths
        fn(i)
    samples = []
    for i in indexes:
        began = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - began)
    return {
        "median_ms": statistics.median(samples) * 1000,
        "p95_ms": percentile(samples, 0.95) * 1000,
        "mean_ms": statistics.fmean(samples) * 1000,
    }


def bench_proofs(args: argparse.Namespace, tmp: Path, depositor: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ecourt.evidence import selectors
    from ecourt.evidence.tlog import merkle
    from ecourt.evidence.tlog.tiles import reader_from_tiles

    leaves = args.proof_leaves
    began = time.perf_counter()
    tiles, root, build_seconds = build_proof_log(leaves, depositor)
    load_seconds = time.perf_counter() - began
    rng = random.Random(5)
    indexes = [rng.randrange(leaves) for _ in range(args.proofs)]

    # Baselines first, so every database proof can be checked against one.
    leaf_hashes = [
        merkle.leaf_hash(e)
        for start in range(0, leaves, BUILD_CHUNK)
        for e in synthetic_entries(start, min(BUILD_CHUNK, leaves - start), depositor)
    ]
    nodes = merkle.reader_from_leaves(leaf_hashes)
    assert merkle.tree_hash(leaves, nodes) == root, "the tiles' root is not the leaves' root"
    expected = {i: merkle.inclusion_proof(i, leaves, nodes) for i in indexes}
    memory = time_calls(lambda i: merkle.inclusion_proof(i, leaves, nodes), indexes)

    def from_tiles(i: int) -> list[bytes]:
        reader = reader_from_tiles(lambda level, index: tiles.get((level, index), b""))
        return merkle.inclusion_proof(i, leaves, reader)

    assert all(from_tiles(i) == expected[i] for i in indexes[:50])
    in_tiles = time_calls(from_tiles, indexes)

    for i in indexes:
        proof = selectors.inclusion_proof(i, leaves)
        assert proof == expected[i], f"the proof of {i} differs"
    merkle.verify_inclusion(leaf_hashes[indexes[0]], indexes[0], leaves, expected[indexes[0]], root)
    with CaptureQueriesContext(connection) as queries:
        selectors.inclusion_proof(indexes[0], leaves)
    db = time_calls(lambda i: selectors.inclusion_proof(i, leaves), indexes)
    if args.profile:
        print_profile(
            f"{len(indexes)} × selectors.inclusion_proof at {leaves:,} leaves",
            lambda: [selectors.inclusion_proof(i, leaves) for i in indexes],
        )
    result: dict[str, Any] = {
        "leaves": leaves,
        "proofs": len(indexes),
        "proof_length": len(expected[indexes[0]]),
        "queries_per_proof": len(queries),
        "builder_per_second": leaves / build_seconds,
        "build_and_load_seconds": load_seconds,
        "db": db,
        "tiles": in_tiles,
        "memory": memory,
    }

    pm_leaves = args.pymerkle_proof_leaves
    if pm_leaves:
        path = tmp / "pm-proof.db"
        with pymerkle_tree(path, ours=False) as tree:
            began = time.perf_counter()
            for start in range(0, pm_leaves, BUILD_CHUNK):
                tree.append_entries(
                    synthetic_entries(start, min(BUILD_CHUNK, pm_leaves - start), depositor)
                )
            pm_build = time.perf_counter() - began
            if pm_leaves == leaves:
                assert tree.get_root() == root, "pymerkle's root differs from ours"
            pm_indexes = [rng.randrange(pm_leaves) for _ in range(args.proofs)]
            began = time.perf_counter()
            tree.prove_inclusion(pm_indexes[0] + 1, pm_leaves)  # counts from one
            cold = time.perf_counter() - began
            warm = time_calls(lambda i: tree.prove_inclusion(i + 1, pm_leaves), pm_indexes)
        result["pymerkle"] = {
            "leaves": pm_leaves,
            "build_seconds": pm_build,
            "first_proof_ms": cold * 1000,
            **warm,
        }
    return result


# --- Upload ingest: bench/evidence_upload.py ------------------------------------------------------


def bench_upload() -> dict[str, Any] | None:
    """Upload ingest runs a real server and large files: ``bench/evidence_upload.py``."""
    print("upload ingest: see bench/evidence_upload.py (run by make bench)")
    return None


# --- Printing ------------------------------------------------------------------------------------


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """The first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[c])) for r in [header, *rows]) for c in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  " + "  ".join(
            f"{v:<{widths[c]}}" if c == 0 else f"{v:>{widths[c]}}" for c, v in enumerate(cells)
        )

    print(f"\n{title}")
    for cells in [header, *rows]:
        print(line(cells))


def run_backend(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"ecourt-bench-evidence-{args.backend}-"))
    database = Database(args.backend, tmp, args.postgres_admin_url)
    try:
        setup_django(database.create(), tmp)
        try:
            results = bench_backend(args, tmp)
        finally:
            from django.db import connections

            connections.close_all()
        if args.json:
            Path(args.json).write_text(json.dumps(results))
    finally:
        database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


def bench_backend(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    import django
    from django.core.management import call_command
    from django.db import connection

    from ecourt.evidence.keys import log_signer
    from ecourt.evidence.models import LogHead
    from ecourt.evidence.services.registry import institution_create

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[
                cursor.execute("PRAGMA synchronous").fetchone()[0]
            ]
            durability = f"journal_mode={journal}, synchronous={sync}"
            server = f"SQLite {sqlite3.sqlite_version}"
        else:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
            cursor.execute("SHOW synchronous_commit")
            sync = cursor.fetchone()[0]
            cursor.execute("SHOW fsync")
            durability = f"synchronous_commit={sync}, fsync={cursor.fetchone()[0]}"
            server = f"PostgreSQL {version}"
    print(
        f"ecourt evidence-log benchmarks · {server} ({durability}) · Python "
        f"{sys.version.split()[0]} · Django {django.get_version()} · {os.cpu_count()} cores",
        flush=True,
    )
    log_signer()  # parse the key once, outside the timings
    institution = institution_create(actor=None, name="Bench Notary Office")
    results: dict[str, Any] = {"server": server, "durability": durability}

    # 1. Sequencing, and pymerkle appending the same entries.
    sequencing: dict[str, dict[str, float]] = {}
    pym: dict[str, float] = {}
    made = 0
    bytes_result: dict[str, Any] | None = None
    for batch in args.batch_sizes:
        first_leaf = LogHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0
        deposit_seconds = deposit(institution, made, args.entries)
        made += args.entries
        integrated, seconds = sequence(batch)
        assert integrated == args.entries, (integrated, args.entries)
        sequencing[str(batch)] = {
            "entries": integrated,
            "seconds": seconds,
            "per_second": integrated / seconds,
            "deposits_per_second": args.entries / deposit_seconds,
        }
        print(f"sequenced {integrated:,} at batch {batch} in {seconds:.1f} s", flush=True)
        if bytes_result is None:  # the log as one batch size made it
            bytes_result = measure_bytes(integrated)
        entries = entries_in_leaf_order(first_leaf, integrated)
        per_second, pm_root, pm_bytes = pymerkle_bulk(tmp, entries, batch, ours=True)
        pym[f"bulk {batch} wal"] = per_second
        pym[f"bulk {batch} default"] = pymerkle_bulk(tmp, entries, batch, ours=False)[0]
        if first_leaf == 0:
            head = LogHead.objects.get(pk=1)
            assert pm_root == bytes(head.root_hash), "pymerkle's root differs from the log's"
            assert bytes_result is not None
            bytes_result["pymerkle_per_entry"] = pm_bytes / integrated
    single = entries_in_leaf_order(0, min(args.pymerkle_single, args.entries))
    pym["single wal"] = pymerkle_single(tmp, single, ours=True)
    pym["single default"] = pymerkle_single(tmp, single, ours=False)
    pym["single entries"] = len(single)
    if connection.vendor == "sqlite":
        # Ours with SQLite's fsync on every commit, as pymerkle's default has it.
        deposit(institution, made, args.entries)
        made += args.entries
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")
        integrated, seconds = sequence(args.batch_sizes[0])
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
        sequencing["full-sync"] = {
            "entries": integrated,
            "seconds": seconds,
            "per_second": integrated / seconds,
            "batch": args.batch_sizes[0],
        }
    results["sequencing"] = sequencing
    results["pymerkle"] = pym

    rows = []
    for batch in args.batch_sizes:
        s = sequencing[str(batch)]
        wal, default = pym[f"bulk {batch} wal"], pym[f"bulk {batch} default"]
        rows += [
            [f"log_integrate_all(limit={batch})", f"{s['per_second']:,.0f}", "1.00"],
            [
                f"pymerkle append_entries({batch}) + get_root, WAL/NORMAL",
                f"{wal:,.0f}",
                f"{s['per_second'] / wal:.2f}",
            ],
            [
                f"pymerkle append_entries({batch}) + get_root, its defaults",
                f"{default:,.0f}",
                f"{s['per_second'] / default:.2f}",
            ],
        ]
    base = sequencing[str(args.batch_sizes[0])]["per_second"]
    if "full-sync" in sequencing:
        full = sequencing["full-sync"]["per_second"]
        rows.append(
            [
                f"log_integrate_all({args.batch_sizes[0]}), synchronous=FULL",
                f"{full:,.0f}",
                f"{base / full:.2f}",
            ]
        )
    rows += [
        [
            f"pymerkle append_entry × {len(single):,}, WAL/NORMAL",
            f"{pym['single wal']:,.0f}",
            f"{base / pym['single wal']:.2f}",
        ],
        [
            f"pymerkle append_entry × {len(single):,}, its defaults",
            f"{pym['single default']:,.0f}",
            f"{base / pym['single default']:.2f}",
        ],
        [
            "deposits_create, 10,000 per call (not a sequencing figure)",
            f"{sequencing[str(args.batch_sizes[0])]['deposits_per_second']:,.0f}",
            "",
        ],
    ]
    table(
        f"1. Sequencing {args.entries:,} entries (durable commits)",
        ["", "entries/s", "ours ÷ this"],
        rows,
    )
    print(
        "  pymerkle's SqliteTree commits once per append_entry call and once per"
        " append_entries call;\n  its defaults are SQLite's (rollback journal,"
        " synchronous=FULL: fsync per commit). It stores entry + leaf\n  hash per row and"
        " computes roots on demand (get_root, subroots cached in memory); it writes no"
        "\n  tiles and signs nothing. Ours: tiles, leaf indexes, an Ed25519-signed checkpoint"
        " and the\n  LogHead compare-and-swap per batch. Roots agree."
    )

    # 2. Bytes per entry.
    assert bytes_result is not None
    results["bytes"] = bytes_result
    b = bytes_result
    rows = [
        [
            table_name.removeprefix("evidence_"),
            f"{size:,}",
            f"{b['tables_vacuumed'].get(table_name, 0):,}",
            f"{size / b['entries']:,.1f}",
        ]
        for table_name, size in sorted(b["tables"].items())
    ]
    rows += [
        [
            "all four",
            f"{sum(b['tables'].values()):,}",
            f"{sum(b['tables_vacuumed'].values()):,}",
            f"{b['total_per_entry']:,.1f}",
        ],
        ["raw hash-tile payload", "", "", f"{b['hash_payload_per_entry']:,.1f}"],
        ["raw entry-bundle payload", "", "", f"{b['bundle_payload_per_entry']:,.1f}"],
        ["pymerkle SqliteTree file (WAL/NORMAL)", "", "", f"{b.get('pymerkle_per_entry', 0):,.1f}"],
    ]
    table(
        f"2. Bytes stored for {b['entries']:,} entries",
        ["table (with indexes)", "bytes", "after VACUUM", "bytes/entry"],
        rows,
    )

    if args.profile:  # before section 3, which replaces the log
        profile_sequencing(institution, made, args)
        made += args.entries

    # 3. Inclusion proofs (the log is replaced by one built in memory).
    proof = bench_proofs(args, tmp, institution.depositor_id)
    results["proof"] = proof
    mem = proof["memory"]["median_ms"]
    rows = [
        [
            "selectors.inclusion_proof (tiles in the DB)",
            f"{proof['db']['median_ms']:.3f}",
            f"{proof['db']['p95_ms']:.3f}",
            f"{proof['db']['median_ms'] / mem:.1f}",
        ],
        [
            "merkle.inclusion_proof, same tiles in memory",
            f"{proof['tiles']['median_ms']:.3f}",
            f"{proof['tiles']['p95_ms']:.3f}",
            f"{proof['tiles']['median_ms'] / mem:.1f}",
        ],
        [
            "merkle.inclusion_proof, every node in memory",
            f"{mem:.3f}",
            f"{proof['memory']['p95_ms']:.3f}",
            "1.0",
        ],
    ]
    if "pymerkle" in proof:
        pm = proof["pymerkle"]
        rows.append(
            [
                f"pymerkle prove_inclusion, {pm['leaves']:,} leaves, warm",
                f"{pm['median_ms']:.3f}",
                f"{pm['p95_ms']:.3f}",
                f"{pm['median_ms'] / mem:.1f}",
            ]
        )
        rows.append(
            [
                "pymerkle prove_inclusion, first proof (cold cache)",
                f"{pm['first_proof_ms']:.1f}",
                "",
                "",
            ]
        )
    table(
        f"3. Inclusion proofs at {proof['leaves']:,} leaves ({proof['proofs']:,} random"
        f" indexes, {proof['proof_length']} hashes each)",
        ["", "median ms", "p95 ms", "× in memory"],
        rows,
    )
    print(
        f"  {proof['queries_per_proof']} queries per DB proof; building the tiles in memory:"
        f" {proof['builder_per_second']:,.0f} entries/s; build + insert:"
        f" {proof['build_and_load_seconds']:.1f} s"
    )
    if "pymerkle" in proof:
        print(
            f"  pymerkle tree of {proof['pymerkle']['leaves']:,} leaves built in"
            f" {proof['pymerkle']['build_seconds']:.1f} s (append_entries, one commit per call)"
        )

    # 4. Upload ingest.
    print("\n4. Upload ingest")
    results["upload"] = bench_upload()

    return results


def profile_sequencing(institution: Any, made: int, args: argparse.Namespace) -> None:
    """Sequence ``--entries`` more deposits under cProfile; print the top costs."""
    deposit(institution, made, args.entries)
    print_profile(
        f"log_integrate_all({args.batch_sizes[0]}), {args.entries:,} entries",
        lambda: sequence(args.batch_sizes[0]),
    )


def print_profile(what: str, fn: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(20)
        print(f"\nprofile of {what}, by {order}:")
        print(out.getvalue().strip())


def main() -> int:
    argv = sys.argv[1:]
    args = parse_args(argv)
    if args.backend:
        run_backend(args)
        return 0
    return run_parent(args, child_argv(args))


def child_argv(args: argparse.Namespace) -> list[str]:
    """The options a backend's process runs with (``--quick`` already applied)."""
    argv = [
        f"--entries={args.entries}",
        f"--batch-sizes={','.join(str(b) for b in args.batch_sizes)}",
        f"--pymerkle-single={args.pymerkle_single}",
        f"--proof-leaves={args.proof_leaves}",
        f"--proofs={args.proofs}",
        f"--pymerkle-proof-leaves={args.pymerkle_proof_leaves}",
        f"--postgres-admin-url={args.postgres_admin_url}",
    ]
    return [*argv, "--profile"] if args.profile else argv


if __name__ == "__main__":
    sys.exit(main())
