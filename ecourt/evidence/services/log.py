"""Deposits and the sequencer.

A deposit is acknowledged when its row commits (``deposits_create``). The sequencer
(``log_integrate``, run by the worker every ``ECOURT_LOG_BATCH_PERIOD_MS``) takes the oldest
pending deposits, works out the tiles with ``tlog.builder.append``, and in one transaction
writes the tiles, gives each deposit its leaf index, stores the signed checkpoint and advances
``LogHead`` with a compare-and-swap on its size. A process killed at any point leaves either
the whole batch or none of it; a second sequencer that raced it rolls back.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.evidence.keys import log_signer
from ecourt.evidence.models import (
    ENTRIES_LEVEL,
    Checkpoint,
    Cosignature,
    Deposit,
    DepositorAlias,
    Institution,
    LogHead,
    LogTile,
    Witness,
)
from ecourt.evidence.tlog import builder, note
from ecourt.evidence.tlog.entry import Entry, EntryError

logger = logging.getLogger(__name__)

#: Crockford's base32 without I, L, O, U: deposit numbers are read aloud and typed.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_BATCH_RECORDS = 10_000


class LogRaced(Exception):
    """Another sequencer advanced the log first; this batch was rolled back."""


@dataclass(frozen=True)
class HashRecord:
    sha256: str
    size: int
    media_type: str
    external_ref: str = ""


def deposit_number() -> str:
    """ED-XXXX-XXXX-XXXX-XXXX: 80 random bits, so a number says nothing about volume."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "ED-" + "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def _now_second() -> datetime:
    return timezone.now().astimezone(UTC).replace(microsecond=0)


def _depositor_for_user(user: User) -> str:
    alias = DepositorAlias.objects.filter(user=user).first()
    if alias is None:
        alias, _created = DepositorAlias.objects.get_or_create(
            user=user, defaults={"depositor_id": "p-" + secrets.token_hex(8)}
        )
    return alias.depositor_id


#: The largest size a database column holds (a signed 64-bit integer).
MAX_SIZE = 2**63 - 1


def _entry(record: HashRecord, depositor: str, when: datetime, index: int) -> Entry:
    where = f"records[{index}]" if index >= 0 else "file"
    if record.size > MAX_SIZE:
        raise DomainError(
            _("%(where)s: size is at most %(n)s bytes.") % {"where": where, "n": MAX_SIZE},
            code="invalid_record",
            field=where,
        )
    try:
        return Entry(
            sha256=record.sha256,
            size=record.size,
            media_type=record.media_type,
            depositor=depositor,
            time=when,
        )
    except EntryError as exc:
        raise DomainError(
            _("%(where)s: %(problem)s") % {"where": where, "problem": exc},
            code="invalid_record",
            field=where,
        ) from None


def deposits_create(
    *, actor: User | None, institution: Institution, records: Sequence[HashRecord]
) -> list[tuple[Deposit, bool]]:
    """Deposit hash records for an institution: (deposit, created) per record, in order. A
    record the institution deposited before returns the earlier deposit (idempotent by
    depositor and SHA-256). Every record is checked before anything is saved."""
    if not records:
        raise DomainError(_("Send at least one record."), code="no_records")
    if len(records) > MAX_BATCH_RECORDS:
        raise DomainError(
            _("Send at most %(n)s records at a time.") % {"n": f"{MAX_BATCH_RECORDS:,}"},
            code="too_many_records",
        )
    if not institution.is_active:
        raise DomainError(_("This institution may not deposit."), code="institution_inactive")
    when = _now_second()
    entries = [_entry(r, institution.depositor_id, when, i) for i, r in enumerate(records)]
    for i, record in enumerate(records):
        if len(record.external_ref) > 200:
            raise DomainError(
                _("records[%(i)s]: external_ref is at most 200 characters.") % {"i": i},
                code="invalid_record",
            )
    with transaction.atomic():
        wanted = {e.sha256 for e in entries}
        existing = {
            d.sha256: d
            for d in Deposit.objects.filter(
                depositor_id=institution.depositor_id, sha256__in=wanted
            )
        }
        results: list[tuple[Deposit, bool]] = []
        fresh: dict[str, Deposit] = {}
        for record, entry in zip(records, entries, strict=True):
            if entry.sha256 in existing:
                results.append((existing[entry.sha256], False))
                continue
            if entry.sha256 in fresh:  # the same hash twice in one request
                results.append((fresh[entry.sha256], False))
                continue
            deposit = Deposit(
                deposit_no=deposit_number(),
                depositor_id=institution.depositor_id,
                institution=institution,
                sha256=entry.sha256,
                size=entry.size,
                media_type=entry.media_type,
                external_ref=record.external_ref,
                accepted_at=when,
                entry_text=entry.text,
            )
            fresh[entry.sha256] = deposit
            results.append((deposit, True))
        Deposit.objects.bulk_create(fresh.values(), batch_size=1000)
        audit_record(
            code="ecourt.evidence.deposited",
            actor=actor,
            target=institution,
            new={"records": len(records), "new_deposits": len(fresh)},
        )
    return results


def deposit_for_user(
    *, actor: User, sha256: str, size: int, media_type: str
) -> tuple[Deposit, bool]:
    """Deposit the hash of a file a person uploaded (called inside the upload's transaction).
    The same person depositing the same content again gets the earlier deposit."""
    depositor = _depositor_for_user(actor)
    existing = Deposit.objects.filter(depositor_id=depositor, sha256=sha256).first()
    if existing is not None:
        return existing, False
    when = _now_second()
    entry = _entry(HashRecord(sha256, size, media_type), depositor, when, -1)
    try:
        with transaction.atomic():
            deposit = Deposit.objects.create(
                deposit_no=deposit_number(),
                depositor_id=depositor,
                user=actor,
                sha256=sha256,
                size=size,
                media_type=media_type,
                accepted_at=when,
                entry_text=entry.text,
            )
    except IntegrityError:  # the same person, the same file, at the same moment
        return Deposit.objects.get(depositor_id=depositor, sha256=sha256), False
    return deposit, True


#: The depositor id of the court itself (documents it issues, proofs of service).
COURT_DEPOSITOR = "court"


def deposit_for_court(*, sha256: str, size: int, media_type: str) -> Deposit:
    """Deposit the hash of something the court produced (an issued document, a proof of
    service), in the caller's transaction. The same content deposited again returns the
    earlier deposit."""
    existing = Deposit.objects.filter(depositor_id=COURT_DEPOSITOR, sha256=sha256).first()
    if existing is not None:
        return existing
    when = _now_second()
    entry = _entry(HashRecord(sha256, size, media_type), COURT_DEPOSITOR, when, -1)
    try:
        with transaction.atomic():
            return Deposit.objects.create(
                deposit_no=deposit_number(),
                depositor_id=COURT_DEPOSITOR,
                sha256=sha256,
                size=size,
                media_type=media_type,
                accepted_at=when,
                entry_text=entry.text,
            )
    except IntegrityError:  # the same content at the same moment from another transaction
        return Deposit.objects.get(depositor_id=COURT_DEPOSITOR, sha256=sha256)


# --- The sequencer -----------------------------------------------------------------------------


def _head() -> LogHead:
    head = LogHead.objects.filter(pk=1).first()
    if head is None:
        head, _created = LogHead.objects.get_or_create(pk=1, defaults={"size": 0, "root_hash": b""})
    return head


def _tile_reader() -> builder.TileReader:
    def read(level: int, index: int) -> bytes:
        row = (
            LogTile.objects.filter(level=level, index=index).values_list("data", flat=True).first()
        )
        return bytes(row) if row is not None else b""

    return read


def _bundle_reader() -> builder.BundleReader:
    read = _tile_reader()
    return lambda index: read(ENTRIES_LEVEL, index)


def log_integrate(*, limit: int | None = None) -> int:
    """Integrate up to ``limit`` pending deposits (``ECOURT_LOG_BATCH_SIZE``) under one new
    signed checkpoint. Returns how many; 0 when nothing was pending. Raises LogRaced when
    another sequencer advanced the log meanwhile (nothing of this batch is kept)."""
    limit = limit or settings.ECOURT_LOG_BATCH_SIZE
    origin, key = log_signer()
    with transaction.atomic():
        head = _head()
        pending = list(
            Deposit.objects.filter(leaf_index__isnull=True)
            .order_by("pk")
            .only("pk", "entry_text")[:limit]
        )
        if not pending:
            return 0
        appended = builder.append(
            head.size,
            _tile_reader(),
            _bundle_reader(),
            [d.entry_text.encode() for d in pending],
        )
        now = timezone.now()
        # The compare-and-swap, as the batch's first write: only from the size this batch was
        # built on. On PostgreSQL a racing sequencer waits here on the row and then finds
        # nothing to update; on SQLite writers are serialised anyway.
        swapped = LogHead.objects.filter(pk=1, size=head.size).update(
            size=appended.size, root_hash=appended.root_hash, updated_at=now
        )
        if swapped != 1:
            raise LogRaced(f"the log moved past size {head.size} while this batch was built")
        for write in appended.writes:
            level = ENTRIES_LEVEL if write.tile.level == "entries" else int(write.tile.level)
            updated = LogTile.objects.filter(level=level, index=write.tile.index).update(
                width=write.tile.width, data=write.data
            )
            if not updated:
                LogTile.objects.create(
                    level=level, index=write.tile.index, width=write.tile.width, data=write.data
                )
        # One parameterised UPDATE per row through executemany: bulk_update's CASE WHEN
        # expressions cost 96% of a batch in Python (bench/evidence.py), the SQL itself little.
        table = connection.ops.quote_name(Deposit._meta.db_table)
        stamp = connection.ops.adapt_datetimefield_value(now)
        leaves = [(d.pk, head.size + i) for i, d in enumerate(pending)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One statement for the whole batch (executemany is a round trip per row).
                cursor.execute(
                    f"UPDATE {table} AS d SET leaf_index = v.leaf, integrated_at = %s "  # noqa: S608
                    "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, leaf) "
                    "WHERE d.id = v.id AND d.leaf_index IS NULL",
                    [stamp, [pk for pk, _leaf in leaves], [leaf for _pk, leaf in leaves]],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET leaf_index = %s, integrated_at = %s "  # noqa: S608
                    "WHERE id = %s AND leaf_index IS NULL",
                    [(leaf, stamp, pk) for pk, leaf in leaves],
                )
        body = note.Checkpoint(origin, appended.size, appended.root_hash).body
        Checkpoint.objects.create(
            size=appended.size,
            root_hash=appended.root_hash,
            note=note.sign_note(body, origin, key),
            created_at=now,
        )
    return len(pending)


def log_integrate_all(*, limit: int | None = None) -> int:
    """Integrate until nothing is pending (tests, demo data, the server command)."""
    total = 0
    while n := log_integrate(limit=limit):
        total += n
    return total


# --- Cosignatures ------------------------------------------------------------------------------


def checkpoint_cosign(*, signed_note: str) -> list[Cosignature]:
    """Store the cosignatures a witness posts: the checkpoint's note with its cosignature
    line(s). Only lines by trusted witnesses over a checkpoint this log signed count."""
    from ecourt.evidence.keys import log_verifier

    try:
        body = note.verify_note(signed_note, log_verifier())
        checkpoint = note.parse_checkpoint(body)
        _text, signatures = note.split_note(signed_note)
    except note.NoteError as exc:
        raise DomainError(
            _("This is not a checkpoint signed by this log: %(problem)s") % {"problem": exc},
            code="bad_checkpoint",
        ) from None
    stored = Checkpoint.objects.filter(size=checkpoint.size).first()
    if stored is None or bytes(stored.root_hash) != checkpoint.root_hash:
        raise DomainError(_("This log has no such checkpoint."), code="unknown_checkpoint")
    accepted: list[Cosignature] = []
    # All or nothing: a note with one good and one bad cosignature stores neither.
    with transaction.atomic():
        for witness in Witness.objects.filter(is_active=True).order_by("pk"):
            verifier = note.parse_verifier(witness.verifier_key)
            lines = [
                s for s in signatures if s.name == verifier.name and s.key_id == verifier.key_id
            ]
            if not lines:
                continue
            timestamp, good = None, None
            problem = ""
            for signature in lines:  # a bad line next to a good one counts for nothing
                try:
                    timestamp, good = note.verify_cosignature(body, signature, verifier), signature
                    break
                except note.NoteError as exc:
                    problem = str(exc)
            if good is None or timestamp is None:
                raise DomainError(
                    _("The cosignature of %(name)s does not verify: %(problem)s")
                    % {"name": witness.name, "problem": problem},
                    code="bad_cosignature",
                )
            cosignature, created = Cosignature.objects.get_or_create(
                witness=witness,
                checkpoint=stored,
                defaults={"timestamp": timestamp, "line": good.line},
            )
            if created:
                audit_record(
                    code="ecourt.evidence.cosigned",
                    actor=None,
                    target=stored,
                    new={"witness": witness.name, "size": stored.size, "time": timestamp},
                )
            accepted.append(cosignature)
    if not accepted:
        raise DomainError(
            _("The note carries no cosignature by a witness this court trusts."),
            code="no_trusted_cosignature",
        )
    return accepted
