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

from ecourt.cases.models import EvidenceForm

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
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell it apart."
    )
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

    def __str__(self) -> str:
        return self.depositor_id


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

    def __str__(self) -> str:
        return f"{self.institution_id}:{self.key}"


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

    def __str__(self) -> str:
        return f"tile {self.level}/{self.index} ({self.width})"


class LogHead(models.Model):
    """The single row that says how far the log goes. The sequencer advances it only with
    ``UPDATE … WHERE size = <the size it started from>``; a second sequencer's update finds
    no row and its whole batch rolls back, so the log can never fork."""

    size = models.BigIntegerField(default=0)
    root_hash = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"log head at {self.size}"


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
        _("verifier key"),
        max_length=300,
        unique=True,
        help_text="<name>+<key ID>+<key>, type 0x04.",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    """A witness's cosignature/v1 on one checkpoint (the signature line as it goes out)."""

    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.CASCADE, related_name="cosignatures"
    )
    timestamp = models.BigIntegerField(help_text="The witness's time, POSIX seconds.")
    line = models.CharField(max_length=400)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["witness", "checkpoint"], name="evidence_cosign_once")
        ]

    def __str__(self) -> str:
        return f"{self.witness_id} on {self.checkpoint_id}"


# --- Evidence files and items ------------------------------------------------------------------


class Blob(models.Model):
    """A file stored once by its content: ``storage_name`` is derived from ``sha256``."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=127, help_text="From the content, never the name.")
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class UploadStatus(models.TextChoices):
    OPEN = "open", _("Receiving")
    COMPLETE = "complete", _("Complete")
    USED = "used", _("Used")
    FAILED = "failed", _("Failed")


class Upload(models.Model):
    """A resumable upload: chunks arrive in order (``received`` bytes so far) into a private
    partial file; each chunk is checked against the SHA-256 the client sends with it. Once
    complete it becomes a Blob; an evidence item then uses it exactly once."""

    token = models.CharField(max_length=40, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200, help_text="Sanitised; for display only.")
    size = models.BigIntegerField(help_text="Declared size in bytes.")
    received = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.OPEN
    )
    error = models.CharField(max_length=300, blank=True)
    blob = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"upload {self.filename}"


class QuarantinedFile(models.Model):
    """A file the virus scanner flagged: kept apart for staff, never served, never evidence."""

    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    filename = models.CharField(max_length=200)
    signature = models.CharField(max_length=200, help_text="What the scanner found.")
    storage_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"quarantined {self.sha256[:12]}"


class EvidenceKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")


class DepositCheck(models.TextChoices):
    """The automatic check of an institutional deposit number given with an item's file."""

    NONE = "", _("No deposit number given")
    MATCH = "match", _("Matches the deposit")
    HASH_MISMATCH = "hash_mismatch", _("The file's SHA-256 differs from the deposit's")
    SIZE_MISMATCH = "size_mismatch", _("The file's size differs from the deposit's")
    NOT_FOUND = "not_found", _("No deposit has this number")


class EvidenceItem(models.Model):
    """One item on a party's evidence list for an application and, once docketed, its case.

    Visible to the party's side while a draft; to everyone on the case once submitted."""

    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="evidence_items"
    )
    party = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, related_name="evidence_items"
    )
    number = models.PositiveIntegerField(help_text="Position on the party's list, from 1.")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    purpose = models.TextField(_("what it is meant to prove"))
    form = models.CharField(_("form"), max_length=20, choices=EvidenceForm.choices)
    kind = models.CharField(_("original or copy"), max_length=10, choices=EvidenceKind.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    filename = models.CharField(max_length=200, help_text="Sanitised original name.")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="items")
    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="items")
    claimed_deposit_no = models.CharField(max_length=32, blank=True)
    deposit_check = models.CharField(
        max_length=20, choices=DepositCheck.choices, default=DepositCheck.NONE, blank=True
    )
    claimed_deposit = models.ForeignKey(
        Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["party__position", "party_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["party", "number"], name="evidence_item_number_once")
        ]

    def __str__(self) -> str:
        return self.title


class Stance(models.TextChoices):
    ADMIT = "admit", _("Admit")
    DISPUTE = "dispute", _("Dispute")


class EvidenceOpinion(models.Model):
    """An opposing party's opinion on an item (质证意见): authenticity, legality, relevance."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="opinions")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    authenticity = models.CharField(max_length=10, choices=Stance.choices)
    legality = models.CharField(max_length=10, choices=Stance.choices)
    relevance = models.CharField(max_length=10, choices=Stance.choices)
    reasons = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "party"], name="evidence_opinion_once")
        ]

    def __str__(self) -> str:
        return f"opinion on {self.item_id} by {self.party_id}"


class Finding(models.TextChoices):
    ESTABLISHED = "established", _("Established")
    NOT_ESTABLISHED = "not_established", _("Not established")


class EvidenceDetermination(models.Model):
    """The judge's determination on an item (认证): each of the three qualities, and whether
    the item is admitted to decide the facts."""

    item = models.OneToOneField(
        EvidenceItem, on_delete=models.PROTECT, related_name="determination"
    )
    authenticity = models.CharField(max_length=20, choices=Finding.choices)
    legality = models.CharField(max_length=20, choices=Finding.choices)
    relevance = models.CharField(max_length=20, choices=Finding.choices)
    admitted = models.BooleanField()
    reasons = models.TextField()
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"determination of {self.item_id}"
