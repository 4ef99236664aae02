"""Deposits, the sequencer, cosignatures and the registry, through the services: what they
refuse, that they are idempotent, and that every batch leaves a log whose tree, tiles and
checkpoints agree with a naive Merkle tree over its entries."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from itertools import pairwise
from typing import Any
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecourt.accounts.models import User
from ecourt.core.errors import DomainError
from ecourt.core.models import AuditEvent
from ecourt.evidence import models, selectors
from ecourt.evidence.keys import log_signer, log_verifier
from ecourt.evidence.models import (
    ENTRIES_LEVEL,
    Checkpoint,
    Cosignature,
    Deposit,
    InstitutionToken,
    LogHead,
    LogTile,
    Witness,
)
from ecourt.evidence.sequencer import sequence_once
from ecourt.evidence.services import log as log_services
from ecourt.evidence.services.log import (
    MAX_BATCH_RECORDS,
    HashRecord,
    LogRaced,
    checkpoint_cosign,
    deposit_for_user,
    deposits_create,
    log_integrate,
    log_integrate_all,
)
from ecourt.evidence.services.registry import (
    institution_for_token,
    institution_token_create,
    institution_token_revoke,
    token_hash,
    witness_add,
    witness_set_active,
)
from ecourt.evidence.tests.factories import (
    assert_checkpoint_signed,
    assert_consistent,
    assert_log_sound,
    cosigned,
    entries_in_leaf_order,
    institution,
    naive_root,
    records,
    sha256_of,
    witness_key,
)
from ecourt.evidence.tlog import merkle, note
from ecourt.evidence.tlog.entry import parse_entry
from ecourt.evidence.tlog.tiles import Tile, parse_entry_bundle

pytestmark = pytest.mark.django_db


def tiles_snapshot() -> dict[tuple[int, int], tuple[int, bytes]]:
    return {
        (t.level, t.index): (t.width, bytes(t.data))
        for t in LogTile.objects.order_by("level", "index")
    }


# --- deposits_create: what it refuses ------------------------------------------------------

GOOD = records(1, "good")[0]


@pytest.mark.parametrize(
    "bad",
    [
        replace(GOOD, sha256="not a hash"),
        replace(GOOD, sha256=GOOD.sha256[:-1]),
        replace(GOOD, sha256=GOOD.sha256.upper()),
        replace(GOOD, size=-1),
        replace(GOOD, media_type="text/plain; charset=utf-8"),
        replace(GOOD, media_type="Image/PNG"),
        replace(GOOD, media_type="png"),
        replace(GOOD, external_ref="x" * 201),
    ],
    ids=["garbage", "short", "uppercase", "negative", "params", "upper-type", "no-slash", "ref"],
)
def test_it_refuses_a_bad_record_and_saves_none_of_the_request(bad):
    inst, _secret = institution()
    batch = [*records(2, "ok"), bad]
    with pytest.raises(DomainError) as info:
        deposits_create(actor=None, institution=inst, records=batch)
    assert info.value.code == "invalid_record"
    assert "records[2]" in str(info.value.message)
    assert not Deposit.objects.exists()
    assert not AuditEvent.objects.filter(code="ecourt.evidence.deposited").exists()


def test_it_refuses_empty_and_oversized_requests_and_inactive_institutions():
    inst, _secret = institution()
    with pytest.raises(DomainError) as info:
        deposits_create(actor=None, institution=inst, records=[])
    assert info.value.code == "no_records"
    with pytest.raises(DomainError) as info:
        deposits_create(actor=None, institution=inst, records=records(MAX_BATCH_RECORDS + 1))
    assert info.value.code == "too_many_records"
    inst.is_active = False
    inst.save()
    with pytest.raises(DomainError) as info:
        deposits_create(actor=None, institution=inst, records=records(1))
    assert info.value.code == "institution_inactive"
    assert not Deposit.objects.exists()


def test_it_accepts_exactly_the_largest_batch():
    inst, _secret = institution()
    results = deposits_create(actor=None, institution=inst, records=records(MAX_BATCH_RECORDS))
    assert len(results) == MAX_BATCH_RECORDS and all(created for _d, created in results)
    assert Deposit.objects.count() == MAX_BATCH_RECORDS


def test_a_deposit_is_a_canonical_entry_without_personal_data():
    inst, _secret = institution("Notary Office of Haidian")
    [(deposit, created)] = deposits_create(actor=None, institution=inst, records=records(1, "x"))
    assert created and deposit.leaf_index is None
    entry = parse_entry(deposit.entry_text)
    assert entry.sha256 == deposit.sha256 and entry.size == deposit.size
    assert entry.depositor == inst.depositor_id and entry.depositor.startswith("i-")
    assert "Notary" not in deposit.entry_text
    assert entry.time == deposit.accepted_at and deposit.accepted_at.microsecond == 0
    assert deposit.deposit_no.startswith("ED-") and len(deposit.deposit_no) == 22


# --- deposits_create: idempotent by (depositor, sha256) ------------------------------------


def test_the_same_records_again_give_the_earlier_deposits():
    inst, _secret = institution()
    first = deposits_create(actor=None, institution=inst, records=records(3, "a"))
    again = deposits_create(
        actor=None, institution=inst, records=[*records(3, "a")[1:], *records(1, "b")]
    )
    assert [created for _d, created in again] == [False, False, True]
    assert [d.pk for d, _c in again[:2]] == [d.pk for d, _c in first[1:]]
    assert Deposit.objects.count() == 4


def test_the_same_hash_twice_in_one_request_is_one_deposit():
    inst, _secret = institution()
    record = records(1, "twice")[0]
    results = deposits_create(
        actor=None, institution=inst, records=[record, *records(1, "other"), record]
    )
    assert [created for _d, created in results] == [True, True, False]
    assert results[0][0] is results[2][0]
    assert results[2][0].pk is not None
    assert Deposit.objects.filter(sha256=record.sha256).count() == 1


def test_another_depositor_depositing_the_same_hash_gets_its_own_deposit():
    first, _s = institution("First")
    second, _s = institution("Second")
    [(a, _c)] = deposits_create(actor=None, institution=first, records=records(1))
    [(b, created)] = deposits_create(actor=None, institution=second, records=records(1))
    assert created and a.pk != b.pk and a.sha256 == b.sha256


def test_a_person_depositing_the_same_file_twice_gets_the_earlier_deposit(alice: User):
    digest = sha256_of("alice's photo")
    deposit, created = deposit_for_user(
        actor=alice, sha256=digest, size=10, media_type="image/jpeg"
    )
    again, created_again = deposit_for_user(
        actor=alice, sha256=digest, size=10, media_type="image/jpeg"
    )
    assert created and not created_again and again.pk == deposit.pk
    entry = parse_entry(deposit.entry_text)
    assert entry.depositor == alice.depositor_alias.depositor_id
    assert entry.depositor.startswith("p-")
    for personal in (alice.display_name, alice.mobile, str(alice.pk)):
        assert f"depositor {personal}\n" not in deposit.entry_text
    with pytest.raises(DomainError) as info:
        deposit_for_user(actor=alice, sha256="A" * 64, size=1, media_type="image/png")
    assert info.value.code == "invalid_record"


# --- log_integrate ---------------------------------------------------------------------------


def test_with_nothing_pending_it_writes_nothing():
    assert log_integrate() == 0
    assert not Checkpoint.objects.exists() and not LogTile.objects.exists()


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.integers(0, 300), st.integers(1, 400)), min_size=1, max_size=4))
def test_batches_of_any_size_give_the_naive_root_and_consistent_checkpoints(db, steps):
    """Each step deposits ``n`` records, then integrates them with batch limit ``limit``."""
    with transaction.atomic():
        inst, _secret = institution()
        for number, (n, limit) in enumerate(steps):
            if n:
                deposits_create(actor=None, institution=inst, records=records(n, number))
            size_before = LogHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0
            log_integrate_all(limit=limit)
            entries = entries_in_leaf_order()
            assert len(entries) == Deposit.objects.count()
            checkpoints = list(Checkpoint.objects.order_by("size"))
            if not entries:
                assert not checkpoints
                continue
            assert bytes(checkpoints[-1].root_hash) == naive_root(entries)
            sizes = [size_before] + [c.size for c in checkpoints if c.size > size_before]
            assert all(0 < b - a <= limit for a, b in pairwise(sizes))
            for older, newer in pairwise(checkpoints):
                assert_consistent(older, newer)
            for checkpoint in checkpoints:
                assert_checkpoint_signed(checkpoint)
        if Deposit.objects.exists():
            assert assert_log_sound() == Deposit.objects.count()
        transaction.set_rollback(True)


def test_each_batch_is_one_checkpoint_of_at_most_the_limit():
    inst, _secret = institution()
    deposits_create(actor=None, institution=inst, records=records(10))
    assert log_integrate(limit=4) == 4
    assert log_integrate(limit=4) == 4
    assert log_integrate(limit=4) == 2
    assert log_integrate(limit=4) == 0
    assert list(Checkpoint.objects.order_by("size").values_list("size", flat=True)) == [4, 8, 10]
    # The oldest deposits come first.
    by_pk = list(Deposit.objects.order_by("pk").values_list("leaf_index", flat=True))
    assert by_pk == list(range(10))
    assert assert_log_sound() == 10


def test_full_tiles_never_change_and_partial_tiles_only_grow():
    inst, _secret = institution()
    deposits_create(actor=None, institution=inst, records=records(300, "first"))
    log_integrate_all(limit=170)
    before = tiles_snapshot()
    full = {k: v for k, v in before.items() if v[0] == 256}
    # Level 0 tile 0 and entry bundle 0 are full; level 0 tile 1 (44 wide) and level 1 tile 0
    # (1 wide) are partial.
    assert set(full) == {(0, 0), (ENTRIES_LEVEL, 0)}
    assert before[(0, 1)][0] == 44 and before[(1, 0)][0] == 1
    for n in (1, 50, 211, 300):
        deposits_create(actor=None, institution=inst, records=records(n, f"more{n}"))
        log_integrate_all(limit=97)
        after = tiles_snapshot()
        for key, (width, data) in full.items():
            assert after[key] == (width, data), f"full tile {key} changed"
        for key, (width, data) in before.items():
            assert after[key][0] >= width and after[key][1].startswith(data), key
        full = {k: v for k, v in after.items() if v[0] == 256}
        before = after
    assert assert_log_sound() == 862


def test_tile_data_serves_prefixes_of_the_stored_tiles():
    inst, _secret = institution()
    deposits_create(actor=None, institution=inst, records=records(20))
    log_integrate_all()
    stored = bytes(LogTile.objects.get(level=0, index=0).data)
    assert selectors.tile_data(Tile(0, 0, 20)) == stored
    assert selectors.tile_data(Tile(0, 0, 3)) == stored[: 3 * 32]
    assert selectors.tile_data(Tile(0, 0, 21)) is None
    assert selectors.tile_data(Tile(0, 0)) is None
    assert selectors.tile_data(Tile(0, 1, 1)) is None
    bundle = selectors.tile_data(Tile("entries", 0, 2))
    assert bundle is not None
    assert parse_entry_bundle(bundle) == entries_in_leaf_order()[:2]


# --- LogRaced: a second sequencer moved the log first ----------------------------------------


def test_a_batch_built_on_a_stale_head_is_rolled_back_whole():
    inst, _secret = institution()
    deposits_create(actor=None, institution=inst, records=records(10, "early"))
    log_integrate_all()
    deposits_create(actor=None, institution=inst, records=records(5, "late"))
    real_head = log_services._head

    def racing_head() -> LogHead:
        # This sequencer reads the head; then another one commits a batch on top of it.
        head = real_head()
        LogHead.objects.filter(pk=1).update(size=F("size") + 1)
        return head

    tiles, head = tiles_snapshot(), LogHead.objects.get(pk=1)
    checkpoints = Checkpoint.objects.count()
    with mock.patch.object(log_services, "_head", racing_head), pytest.raises(LogRaced):
        log_integrate()
    assert Checkpoint.objects.count() == checkpoints
    assert Deposit.objects.filter(leaf_index__isnull=True).count() == 5
    assert tiles_snapshot() == tiles
    now = LogHead.objects.get(pk=1)
    assert (now.size, bytes(now.root_hash)) == (10, bytes(head.root_hash))
    # The next round integrates them normally.
    assert log_integrate() == 5
    assert assert_log_sound() == 15


def test_a_head_object_behind_the_stored_size_loses_the_race():
    inst, _secret = institution()
    deposits_create(actor=None, institution=inst, records=records(7, "a"))
    log_integrate_all()
    deposits_create(actor=None, institution=inst, records=records(3, "b"))
    stale = LogHead(pk=1, size=4, root_hash=b"")
    tiles = tiles_snapshot()
    with mock.patch.object(log_services, "_head", return_value=stale), pytest.raises(LogRaced):
        log_integrate()
    assert tiles_snapshot() == tiles
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [7]
    assert Deposit.objects.filter(leaf_index__isnull=True).count() == 3
    # The worker's loop treats a lost race as "nothing done" and goes on.
    with mock.patch.object(log_services, "_head", return_value=stale):
        assert sequence_once() == 0
    assert sequence_once() == 3
    assert assert_log_sound() == 10


# --- checkpoint_cosign -------------------------------------------------------------------------


@pytest.fixture
def checkpoint(db: None) -> Checkpoint:
    inst, _secret = institution()
    deposits_create(actor=None, institution=inst, records=records(5))
    log_integrate_all()
    return Checkpoint.objects.get()


def test_it_keeps_a_valid_cosignature_by_a_trusted_witness_once(checkpoint, admin):
    key, witness = witness_key("w1.example", actor=admin)
    posted = cosigned(checkpoint.note, "w1.example", key, when=1_770_000_123)
    [cosignature] = checkpoint_cosign(signed_note=posted)
    assert cosignature.witness == witness and cosignature.checkpoint == checkpoint
    assert cosignature.timestamp == 1_770_000_123
    assert posted.endswith(cosignature.line)
    # Posting it again changes nothing.
    [again] = checkpoint_cosign(signed_note=posted)
    assert again.pk == cosignature.pk
    assert Cosignature.objects.count() == 1
    assert AuditEvent.objects.filter(code="ecourt.evidence.cosigned").count() == 1
    # The public note now carries it and still verifies.
    public = selectors.checkpoint_note(checkpoint)
    assert public == checkpoint.note + cosignature.line
    verifier = note.parse_verifier(witness.verifier_key)
    assert note.cosigned_by(public, [verifier]) == {"w1.example": 1_770_000_123}


def test_it_ignores_untrusted_and_inactive_witnesses(checkpoint, admin):
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(DomainError) as info:
        checkpoint_cosign(signed_note=cosigned(checkpoint.note, "stranger.example", stranger))
    assert info.value.code == "no_trusted_cosignature"
    # Only the log's own signature: no cosignature at all.
    with pytest.raises(DomainError) as info:
        checkpoint_cosign(signed_note=checkpoint.note)
    assert info.value.code == "no_trusted_cosignature"
    key, witness = witness_key("retired.example", actor=admin)
    witness_set_active(actor=admin, witness=witness, active=False)
    with pytest.raises(DomainError) as info:
        checkpoint_cosign(signed_note=cosigned(checkpoint.note, "retired.example", key))
    assert info.value.code == "no_trusted_cosignature"
    # A different key under a trusted witness's name is someone else.
    _key, _trusted = witness_key("trusted.example", actor=admin)
    with pytest.raises(DomainError) as info:
        checkpoint_cosign(signed_note=cosigned(checkpoint.note, "trusted.example", stranger))
    assert info.value.code == "no_trusted_cosignature"
    assert not Cosignature.objects.exists()


def test_it_refuses_what_the_log_did_not_sign(checkpoint, admin):
    key, _witness = witness_key("w1.example", actor=admin)
    origin = log_verifier().name
    body = note.Checkpoint(origin, checkpoint.size, bytes(checkpoint.root_hash)).body
    forged = note.sign_note(body, origin, Ed25519PrivateKey.generate())
    for text in (cosigned(forged, "w1.example", key), "garbage", "", body):
        with pytest.raises(DomainError) as info:
            checkpoint_cosign(signed_note=text)
        assert info.value.code == "bad_checkpoint", text
    assert not Cosignature.objects.exists()


def test_it_refuses_a_checkpoint_this_log_never_stored(checkpoint, admin):
    key, _witness = witness_key("w1.example", actor=admin)
    origin, log_key = log_signer()
    for size, root in (
        (checkpoint.size + 1, bytes(checkpoint.root_hash)),  # a size never reached
        (checkpoint.size, hashlib.sha256(b"another tree").digest()),  # same size, other root
    ):
        signed = note.sign_note(note.Checkpoint(origin, size, root).body, origin, log_key)
        with pytest.raises(DomainError) as info:
            checkpoint_cosign(signed_note=cosigned(signed, "w1.example", key))
        assert info.value.code == "unknown_checkpoint"
    assert not Cosignature.objects.exists()


def test_a_bad_signature_under_a_trusted_name_is_refused(checkpoint, admin):
    key, _witness = witness_key("w1.example", actor=admin)
    body, _sigs = note.split_note(checkpoint.note)
    # Right name and key ID, but the signature is over another checkpoint.
    other = note.Checkpoint(log_verifier().name, 99, b"\x01" * 32).body
    wrong = note.cosign(other, "w1.example", key, 1_770_000_000)
    with pytest.raises(DomainError) as info:
        checkpoint_cosign(signed_note=checkpoint.note + wrong.line)
    assert info.value.code == "bad_cosignature"
    # The right signature with its time changed.
    good = note.cosign(body, "w1.example", key, 1_770_000_000)
    tampered = note.NoteSignature(
        good.name, good.key_id, (1_770_000_001).to_bytes(8, "big") + good.signature[8:]
    )
    with pytest.raises(DomainError) as info:
        checkpoint_cosign(signed_note=checkpoint.note + tampered.line)
    assert info.value.code == "bad_cosignature"
    assert not Cosignature.objects.exists()


def test_two_trusted_witnesses_in_one_note(checkpoint, admin):
    key1, _w1 = witness_key("w1.example", actor=admin)
    key2, _w2 = witness_key("w2.example", actor=admin)
    posted = cosigned(cosigned(checkpoint.note, "w1.example", key1), "w2.example", key2)
    accepted = checkpoint_cosign(signed_note=posted)
    assert sorted(c.witness.name for c in accepted) == ["w1.example", "w2.example"]
    assert checkpoint.cosignatures.count() == 2


# --- The registry --------------------------------------------------------------------------


def test_witness_add_refuses_log_keys_malformed_keys_and_taken_names(admin):
    log_type = note.verifier_for("w.example", Ed25519PrivateKey.generate(), note.ED25519)
    good = note.verifier_for("w.example", Ed25519PrivateKey.generate(), note.COSIGNATURE_V1)
    bad_id = str(good).replace("+" + good.key_id.hex() + "+", "+00000000+")
    for key in (str(log_type), "w.example+abc+xyz", "", bad_id, str(good)[:-4]):
        with pytest.raises(DomainError) as info:
            witness_add(actor=admin, verifier_key=key)
        assert info.value.code == "bad_witness_key", key
    witness = witness_add(actor=admin, verifier_key=f"  {good}\n", description=" Notary ")
    assert witness.name == "w.example" and witness.verifier_key == str(good)
    assert witness.description == "Notary"
    again = note.verifier_for("w.example", Ed25519PrivateKey.generate(), note.COSIGNATURE_V1)
    with pytest.raises(DomainError) as info:
        witness_add(actor=admin, verifier_key=str(again))
    assert info.value.code == "witness_exists"
    assert Witness.objects.count() == 1


def test_witness_policy_lists_only_active_witnesses(admin):
    _k, first = witness_key("a.example", actor=admin)
    witness_key("b.example", actor=admin)
    witness_set_active(actor=admin, witness=first, active=False)
    policy = selectors.witness_policy()
    assert [w["name"] for w in policy["witnesses"]] == ["b.example"]
    assert policy["log_key"] == str(log_verifier())
    witness_set_active(actor=admin, witness=first, active=True)
    assert [w["name"] for w in selectors.witness_policy()["witnesses"]] == [
        "a.example",
        "b.example",
    ]


def test_a_token_is_shown_once_and_only_its_hash_is_kept(admin):
    inst, _s = institution("Forensic Centre")
    row, secret = institution_token_create(actor=admin, institution=inst)
    assert secret.startswith("ect_") and len(secret) > 40
    assert row.token_sha256 == hashlib.sha256(secret.encode()).hexdigest() == token_hash(secret)
    assert row.prefix == secret[:10]
    stored: list[Any] = list(InstitutionToken.objects.values_list())
    assert not any(secret in str(value) for values in stored for value in values)
    events = AuditEvent.objects.filter(code="ecourt.evidence.token_created")
    assert events.exists()
    assert not any(secret in str(e.new_values) + str(e.old_values) for e in events)
    assert institution_for_token(secret) == inst
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_revoked_or_foreign_token_authenticates_nothing(admin):
    inst, secret = institution()
    other_row, other_secret = institution_token_create(actor=admin, institution=inst)
    assert institution_for_token(secret) == inst
    institution_token_revoke(actor=admin, token=InstitutionToken.objects.get(prefix=secret[:10]))
    assert institution_for_token(secret) is None
    assert institution_for_token(other_secret) == inst  # only that token was revoked
    # Revoking twice is harmless.
    institution_token_revoke(actor=admin, token=other_row)
    institution_token_revoke(actor=admin, token=other_row)
    assert institution_for_token(other_secret) is None
    assert AuditEvent.objects.filter(code="ecourt.evidence.token_revoked").count() == 2
    for guess in ("", "ect_", secret[:-1], secret.removeprefix("ect_"), "ect_" + "x" * 200):
        assert institution_for_token(guess) is None


def test_a_deactivated_institution_cannot_deposit_or_get_tokens(admin):
    inst, secret = institution()
    inst.is_active = False
    inst.save()
    assert institution_for_token(secret) is None
    with pytest.raises(DomainError) as info:
        institution_token_create(actor=admin, institution=inst)
    assert info.value.code == "institution_inactive"
    with pytest.raises(DomainError) as info:
        institution_token_create(actor=admin, institution_name="No Such Body")
    assert info.value.code == "no_institution"


def test_a_leaf_proof_from_the_selectors_verifies_against_a_checkpoint(checkpoint):
    entries = entries_in_leaf_order()
    for index in range(len(entries)):
        merkle.verify_inclusion(
            merkle.leaf_hash(entries[index]),
            index,
            checkpoint.size,
            selectors.inclusion_proof(index, checkpoint.size),
            bytes(checkpoint.root_hash),
        )
    with pytest.raises(selectors.ProofRequestError):
        selectors.inclusion_proof(0, checkpoint.size + 1)
    with pytest.raises(selectors.ProofRequestError):
        selectors.consistency_proof(0, checkpoint.size)


def test_sequence_once_on_a_fresh_database_creates_the_head(db):
    LogHead.objects.all().delete()
    inst, _secret = institution()
    deposits_create(actor=None, institution=inst, records=[HashRecord(sha256_of("x"), 0, "a/b")])
    assert sequence_once() == 1
    assert LogHead.objects.get(pk=1).size == 1
    assert assert_log_sound() == 1


def test_proofs_over_full_tiles_stay_right_when_the_database_holds_another_log(db):
    """Full tiles' interior hashes are cached by the tiles' content, never by their position:
    a database rebuilt with other entries (a restore, a test) is never answered from the
    cache of the old one."""
    inst, _token = institution()
    deposits_create(actor=None, institution=inst, records=records(600, "first log"))
    log_integrate_all(limit=600)
    first_root = bytes(LogHead.objects.get(pk=1).root_hash)
    selectors.inclusion_proof(5, 600)  # warms the cache with the first log's full tiles

    Deposit.objects.all().delete()
    LogTile.objects.all().delete()
    Checkpoint.objects.all().delete()
    LogHead.objects.all().delete()
    deposits_create(actor=None, institution=inst, records=records(600, "second log"))
    log_integrate_all(limit=600)
    root = bytes(LogHead.objects.get(pk=1).root_hash)
    assert root != first_root
    entries = entries_in_leaf_order()
    for index in (0, 5, 255, 256, 511, 512, 599):
        merkle.verify_inclusion(
            merkle.leaf_hash(entries[index]),
            index,
            600,
            selectors.inclusion_proof(index, 600),
            root,
        )
    assert selectors.tree_root(600) == root == naive_root(entries)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.integers(1, 700), extra=st.integers(0, 700))
def test_tile_proofs_equal_proofs_from_the_leaves(db, first, extra):
    """Proofs read from tiles (full ones through the interior cache, partial ones folded)
    equal proofs computed from the leaves, across tile boundaries."""
    Deposit.objects.all().delete()
    LogTile.objects.all().delete()
    Checkpoint.objects.all().delete()
    LogHead.objects.all().delete()
    inst = models.Institution.objects.first() or institution()[0]
    deposits_create(
        actor=None, institution=inst, records=records(first + extra, f"p{first}-{extra}")
    )
    log_integrate_all(limit=max(1, first))
    entries = entries_in_leaf_order()
    leaves = merkle.reader_from_leaves([merkle.leaf_hash(e) for e in entries])
    second = first + extra
    for index in {0, first - 1, second - 1, (first * 7) % second}:
        assert selectors.inclusion_proof(index, second) == merkle.inclusion_proof(
            index, second, leaves
        )
    assert selectors.consistency_proof(first, second) == merkle.consistency_proof(
        first, second, leaves
    )
