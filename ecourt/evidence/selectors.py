"""Reads of the evidence log: tiles, checkpoints with their cosignatures, proofs and receipts."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet

from ecourt.accounts.models import User
from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import Application, Case, Party, PartySide
from ecourt.evidence.keys import log_verifier
from ecourt.evidence.models import (
    ENTRIES_LEVEL,
    Checkpoint,
    Deposit,
    EvidenceItem,
    LogHead,
    LogTile,
    Upload,
    Witness,
)
from ecourt.evidence.tlog import merkle
from ecourt.evidence.tlog.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    Tile,
    entry_bundle,
    fold,
    parse_entry_bundle,
    tile_for_node,
)


class ProofRequestError(ValueError):
    """A proof asked for sizes or indexes the log does not have."""


def log_size() -> int:
    table = connection.ops.quote_name(LogHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT size FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def tile_data(tile: Tile) -> bytes | None:
    """The bytes of ``tile`` as C2SP serves it, or None if the log has not grown that far. A
    partial tile narrower than the stored one is its prefix (the log only appends)."""
    level = ENTRIES_LEVEL if tile.level == "entries" else int(tile.level)
    row = LogTile.objects.filter(level=level, index=tile.index).values_list("width", "data").first()
    if row is None or row[0] < tile.width:
        return None
    width, data = row[0], bytes(row[1])
    if width == tile.width:
        return data
    if level == ENTRIES_LEVEL:
        return entry_bundle(parse_entry_bundle(data)[: tile.width])
    return data[: tile.width * merkle.HASH_SIZE]


#: Interior hashes of full tiles, keyed by the SHA-256 of the tile's bytes: a full tile
#: never changes, and keying by content means a restored or rebuilt database can never be
#: answered from a stale entry. About 16 KiB each.
_INTERIORS: OrderedDict[bytes, list[list[bytes]]] = OrderedDict()
_INTERIORS_LOCK = threading.Lock()
INTERIOR_CACHE_TILES = 2048


def _interior(data: bytes) -> list[list[bytes]]:
    """The 9 levels of a full tile's subtree hashes: 256 leaves' hashes up to its root."""
    key = hashlib.sha256(data).digest()
    with _INTERIORS_LOCK:
        levels = _INTERIORS.get(key)
        if levels is not None:
            _INTERIORS.move_to_end(key)
            return levels
    layer = [data[i : i + merkle.HASH_SIZE] for i in range(0, len(data), merkle.HASH_SIZE)]
    levels = [layer]
    while len(layer) > 1:
        layer = [merkle.node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
        levels.append(layer)
    with _INTERIORS_LOCK:
        _INTERIORS[key] = levels
        while len(_INTERIORS) > INTERIOR_CACHE_TILES:
            _INTERIORS.popitem(last=False)
    return levels


def _nodes_needed(proof: Callable[[merkle.NodeReader], object]) -> set[tuple[int, int]]:
    """The tiles a proof reads, found by running it over placeholder hashes (a few dozen
    SHA-256, no tile data), so the real run can fetch them all in one query."""
    tiles: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        tile, _offset, _span = tile_for_node(level, index)
        tiles.add((int(tile.level), tile.index))
        return bytes(merkle.HASH_SIZE)

    proof(record)
    return tiles


def _run_proof(proof: Callable[[merkle.NodeReader], list[bytes]]) -> list[bytes]:
    """Run ``proof`` over the stored tiles: one query, full tiles' interiors from the cache."""
    wanted = _nodes_needed(proof)
    stored: dict[tuple[int, int], tuple[int, bytes]] = {}
    if wanted:
        # Raw SQL: building this OR of a few pairs through the ORM cost more than the query
        # and all the hashing together (bench/evidence.py).
        table = connection.ops.quote_name(LogTile._meta.db_table)
        index_column = connection.ops.quote_name("index")
        pairs = " OR ".join([f"(level = %s AND {index_column} = %s)"] * len(wanted))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT level, {index_column}, width, data FROM {table} WHERE {pairs}",  # noqa: S608
                [value for pair in sorted(wanted) for value in pair],
            )
            for level, index, width, data in cursor.fetchall():
                stored[(level, index)] = (width, bytes(data))

    def node(level: int, index: int) -> bytes:
        tile, offset, span = tile_for_node(level, index)
        width, data = stored.get((int(tile.level), tile.index), (0, b""))
        if width < offset + span:
            raise LookupError(f"tile {tile.path} is too narrow for node ({level}, {index})")
        height = level - merkle_height(tile)
        if width == TILE_WIDTH:
            return _interior(data)[height][offset >> height]
        hashes = [
            data[i : i + merkle.HASH_SIZE]
            for i in range(
                offset * merkle.HASH_SIZE, (offset + span) * merkle.HASH_SIZE, merkle.HASH_SIZE
            )
        ]
        return fold(hashes)

    return proof(node)


def tree_root(size: int) -> bytes:
    """The root hash of the first ``size`` entries, computed from the stored tiles alone."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return _run_proof(lambda node: [merkle.tree_hash(size, node)])[0]


def merkle_height(tile: Tile) -> int:
    """The tree level of a tile's first row of hashes."""
    return int(tile.level) * TILE_HEIGHT


def inclusion_proof(index: int, size: int) -> list[bytes]:
    if not 0 <= index < size:
        raise ProofRequestError("index must be at least 0 and below size")
    if size > log_size():
        raise ProofRequestError("size is past the log's size")
    return _run_proof(lambda node: merkle.inclusion_proof(index, size, node))


def consistency_proof(first: int, second: int) -> list[bytes]:
    if not 0 < first <= second:
        raise ProofRequestError("from must be at least 1 and at most to")
    if second > log_size():
        raise ProofRequestError("to is past the log's size")
    return _run_proof(lambda node: merkle.consistency_proof(first, second, node))


def trusted_witnesses() -> list[Witness]:
    return list(Witness.objects.filter(is_active=True).order_by("name"))


def checkpoint_note(checkpoint: Checkpoint) -> str:
    """The signed checkpoint with the cosignatures of the witnesses the court trusts."""
    lines = [
        c.line
        for c in checkpoint.cosignatures.filter(witness__is_active=True).order_by("witness__name")
    ]
    return checkpoint.note + "".join(lines)


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def checkpoint_for_receipt(leaf_index: int) -> Checkpoint | None:
    """The newest checkpoint that covers ``leaf_index`` and has the cosignatures the court's
    policy asks for (``ECOURT_LOG_WITNESS_QUORUM`` of its active witnesses)."""
    quorum = settings.ECOURT_LOG_WITNESS_QUORUM
    candidates = Checkpoint.objects.filter(size__gt=leaf_index)
    if quorum:
        # The join keeps only cosigned checkpoints (a few among one per batch), so this stays
        # cheap however many checkpoints the log has signed.
        candidates = (
            candidates.filter(cosignatures__witness__is_active=True)
            .annotate(n=Count("cosignatures"))
            .filter(n__gte=quorum)
        )
    return candidates.order_by("-size").first()


def _b64(values: list[bytes]) -> list[str]:
    return [base64.b64encode(v).decode() for v in values]


@dataclass(frozen=True)
class ReceiptPending:
    deposit: Deposit
    reason: str  # "sequencing" or "awaiting_witnesses"
    retry_after_seconds: int


def receipt_for(deposit: Deposit) -> dict[str, Any] | ReceiptPending:
    """The receipt anyone can verify offline, or why there is none yet."""
    period = max(1, settings.ECOURT_LOG_BATCH_PERIOD_MS // 1000 + 1)
    if deposit.leaf_index is None:
        return ReceiptPending(deposit, "sequencing", period)
    checkpoint = checkpoint_for_receipt(deposit.leaf_index)
    if checkpoint is None:
        return ReceiptPending(deposit, "awaiting_witnesses", 60)
    return {
        "deposit_no": deposit.deposit_no,
        "entry": deposit.entry_text,
        "leaf_index": deposit.leaf_index,
        "tree_size": checkpoint.size,
        "inclusion_proof": _b64(inclusion_proof(deposit.leaf_index, checkpoint.size)),
        "checkpoint": checkpoint_note(checkpoint),
        "log_key": str(log_verifier()),
    }


def proofs_b64(values: list[bytes]) -> list[str]:
    return _b64(values)


def witness_policy() -> dict[str, Any]:
    return {
        "origin": log_verifier().name,
        "log_key": str(log_verifier()),
        "quorum": settings.ECOURT_LOG_WITNESS_QUORUM,
        "witnesses": [
            {"name": w.name, "key": w.verifier_key, "description": w.description}
            for w in trusted_witnesses()
        ],
    }


def deposit_by_number(deposit_no: str) -> Deposit | None:
    return Deposit.objects.filter(deposit_no=deposit_no.strip().upper()).first()


def deposits_by_hash(sha256: str, *, limit: int | None = None) -> list[Deposit]:
    found = Deposit.objects.filter(sha256=sha256.strip().lower()).order_by("accepted_at", "pk")
    return list(found[:limit] if limit is not None else found)


# --- Evidence items ----------------------------------------------------------------------------


def application_visible(user: User, application_id: int) -> Application | None:
    """The application if ``user`` may see it or its case (parties, agents, the filer, the
    judge, filing clerks), else None."""
    application = case_selectors.application_for_user(user, application_id)
    if application is not None:
        return application
    case = Case.objects.filter(application_id=application_id).values_list("pk", flat=True).first()
    if case is not None and case_selectors.case_for_user(user, case) is not None:
        return Application.objects.select_related("case_type", "created_by").get(pk=application_id)
    return None


def acting_parties(user: User, application: Application) -> list[Party]:
    """The parties of ``application`` that ``user`` acts as or for; the filer acts for the
    plaintiffs of their own application."""
    parties = case_selectors.parties_acting_for(user, application=application)
    if application.created_by_id == user.pk:
        known = {p.pk for p in parties}
        parties += [
            p for p in application.parties.filter(side=PartySide.PLAINTIFF) if p.pk not in known
        ]
    return parties


def _visible_items(user: User, application: Application) -> QuerySet[EvidenceItem]:
    own = [p.pk for p in acting_parties(user, application)]
    return EvidenceItem.objects.filter(application=application).filter(
        Q(submitted_at__isnull=False) | Q(party_id__in=own)
    )


def items_for(user: User, application: Application) -> list[EvidenceItem]:
    """The evidence ``user`` may see on ``application`` (which they may see): their own
    parties' drafts and everyone's submitted items."""
    return list(
        _visible_items(user, application)
        .select_related("party", "blob", "deposit", "determination__judge")
        .prefetch_related("opinions__party")
        .order_by("party__side", "party__position", "party_id", "number")
    )


def item_for_user(user: User, pk: int) -> EvidenceItem | None:
    item = EvidenceItem.objects.filter(pk=pk).values_list("application_id", flat=True).first()
    if item is None:
        return None
    application = application_visible(user, item)
    if application is None:
        return None
    return (
        _visible_items(user, application)
        .select_related(
            "application",
            "party",
            "blob",
            "deposit",
            "claimed_deposit",
            "uploaded_by",
            "determination__judge",
        )
        .prefetch_related("opinions__party")
        .filter(pk=pk)
        .first()
    )


_UPLOAD_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,40}")


def upload_for_user(user: User, token: str) -> Upload | None:
    """``user``'s own upload with this token; anyone else's is None, as if it did not exist."""
    # Tokens are URL-safe base64; anything else (a NUL, which PostgreSQL refuses) names nothing.
    if not user.is_authenticated or not _UPLOAD_TOKEN.fullmatch(token):
        return None
    return Upload.objects.select_related("blob").filter(token=token, owner=user).first()
