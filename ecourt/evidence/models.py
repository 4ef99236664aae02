"""The evidence log in the database, and who may deposit in it.

The log is stored in the C2SP tlog-tiles layout: ``LogTile`` rows hold hash tiles (level
0..63) and entry bundles (level ``ENTRIES_LEVEL``), one row per tile, a partial tile replaced
by a wider one as the tree grows and never changed once full. ``LogHead`` is the single row
the sequencer advances with a compare-and-swap on its size; ``Checkpoint`` keeps every signed
tree head (witnesses and consistency proofs need old ones), ``Cosignature`` what witnesses
signed. A ``Deposit`` is the durable row a depositor is acknowledged with: it is accepted when
the row commits and integrated once a checkpoint covers its ``leaf_index``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: The ``level`` of entry bundles in LogTile (hash tiles use 0..63).
ENTRIES_LEVEL = -1


class Institution(models.Model):
    """A body that deposits hashes over the API: a copyright-monitoring platform, a notary
    office, a forensic centre, a large platform."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    depositor_id = models.CharField(
        max_length=40, unique=True, help_text="The opaque id written into log entries."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class InstitutionToken(models.Model):
    """An API token: only its SHA-256 is stored; the token is shown once, when created."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="tokens")
    token_sha256 = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell it apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.institution} {self.prefix}…"


class DepositorAlias(models.Model):
    """The opaque depositor id of a person: log entries never carry personal data."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="depositor_alias"
    )
    depositor_id = models.CharField(max_length=40, unique=True)


class Deposit(models.Model):
    """One hash deposited in the log. Accepted when this row commits; integrated when a
    checkpoint covers ``leaf_index``."""

    deposit_no = models.CharField(max_length=32, unique=True)
    depositor_id = models.CharField(max_length=40)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="deposits"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=127)
    external_ref = models.CharField(max_length=200, blank=True)
    accepted_at = models.DateTimeField(help_text="The entry's time (second precision, UTC).")
    entry_text = models.TextField(help_text="The canonical ecourt-evidence/v1 entry.")
    leaf_index = models.BigIntegerField(null=True, blank=True, unique=True)
    integrated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["depositor_id", "sha256"], name="evidence_deposit_once_per_depositor"
            )
        ]
        indexes = [
            models.Index(fields=["sha256"], name="evidence_deposit_sha256"),
            # The sequencer's queue: the oldest deposits without a leaf.
            models.Index(
                fields=["id"],
                name="evidence_deposit_pending",
                condition=models.Q(leaf_index__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.deposit_no


class IdempotencyRecord(models.Model):
    """The answer given to an institution's POST with an ``Idempotency-Key``: the same key
    with the same body gets the same answer; with another body, a 409."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_sha256 = models.CharField(max_length=64)
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "key"], name="evidence_idempotency_once")
        ]


class LogTile(models.Model):
    """A C2SP tile (``level`` 0..63) or entry bundle (``level`` = -1), the widest so far."""

    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    width = models.SmallIntegerField(help_text="Hashes (or entries) in the tile, 1..256.")
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="evidence_tile_once")
        ]


class LogHead(models.Model):
    """The single row that says how far the log goes. The sequencer advances it only with
    ``UPDATE … WHERE size = <the size it started from>``; a second sequencer's update finds
    no row and its whole batch rolls back, so the log can never fork."""

    size = models.BigIntegerField(default=0)
    root_hash = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)


class Checkpoint(models.Model):
    """A signed tree head (C2SP tlog-checkpoint in a signed note), one per size."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField()
    note = models.TextField(help_text="The checkpoint body and the log's signature line.")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Witness(models.Model):
    """A witness the court trusts: a notary office, a forensic centre, another court."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    verifier_key = models.CharField(
        _("verifier key"), max_length=300, unique=True, help_text="<name>+<key ID>+<key>, type 0x04."
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    """A witness's cosignature/v1 on one checkpoint (the signature line as it goes out)."""

    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="cosignatures")
    timestamp = models.BigIntegerField(help_text="The witness's time, POSIX seconds.")
    line = models.CharField(max_length=400)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["witness", "checkpoint"], name="evidence_cosign_once")
        ]
