"""Electronic delivery: the addresses a party confirmed, one delivery per document and
recipient, every channel attempt, what happened to it, and the proof of service.

A ``Delivery`` row is the unit of work of the worker (an outbox): it is written in the same
transaction as the document it delivers, claimed atomically, and every provider call is
preceded by a committed ``DeliveryAttempt``. Whether and when a delivery counts as served is
decided by ``ecourt.delivery.rules`` from its recorded events, never by the channel status.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("Platform inbox")
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")
    INSTITUTION = "institution", _("Institution API inbox")


#: Channels the worker pushes to a provider. The inbox is written when the document is
#: issued; an institution pulls its deliveries over the API.
PUSH_CHANNELS = frozenset({Channel.SMS, Channel.EMAIL})


class AddressConfirmation(models.Model):
    """A party's electronic-service address confirmation (送达地址确认书) for one case.
    Versioned: a new confirmation supersedes the last one and applies to documents issued
    after it; deliveries keep the version that was in force when they were issued."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, related_name="address_confirmations"
    )
    version = models.PositiveSmallIntegerField()
    mobile = models.CharField(max_length=20, blank=True, help_text="E.164; empty: no SMS.")
    email = models.EmailField(blank=True, help_text="Empty: no email.")
    institution_inbox = models.BooleanField(
        default=False, help_text="The company pulls its deliveries over the API."
    )
    consents_to_decisions = models.BooleanField(
        help_text="Agrees to electronic service of judgments, rulings and mediation statements."
    )
    undertaking = models.BooleanField(
        help_text="Undertook to keep these addresses reachable and to tell the court of changes."
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["party", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["party", "version"], name="one_confirmation_version"),
            models.UniqueConstraint(
                fields=["party"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_confirmation",
            ),
            models.CheckConstraint(condition=Q(undertaking=True), name="confirmation_undertaken"),
        ]

    def __str__(self) -> str:
        return f"{self.party} v{self.version}"

    @property
    def channels(self) -> list[str]:
        found = [Channel.INBOX.value]
        if self.mobile:
            found.append(Channel.SMS.value)
        if self.email:
            found.append(Channel.EMAIL.value)
        if self.institution_inbox:
            found.append(Channel.INSTITUTION.value)
        return found


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered to the recipient's system")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    OFFLINE = "offline", _("Offline service")


S = DeliveryStatus

#: Moves a delivery's status may make (drawn in docs/delivery.md). Served is not a status:
#: it is ``served_at`` + ``served_rule``, set by the rules whatever the channel status.
DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    S.QUEUED: frozenset({S.SENDING, S.FAILED, S.OFFLINE, S.READ}),
    S.SENDING: frozenset({S.SENT, S.DELIVERED, S.QUEUED, S.FAILED, S.READ}),
    S.SENT: frozenset({S.DELIVERED, S.READ, S.FAILED, S.OFFLINE}),
    S.DELIVERED: frozenset({S.READ, S.OFFLINE}),
    S.READ: frozenset(),
    S.FAILED: frozenset({S.QUEUED, S.OFFLINE, S.READ}),
    S.OFFLINE: frozenset({S.QUEUED, S.READ}),
}


class FailureReason(models.TextChoices):
    NO_ADDRESS = "no_address", _("No address to reach the recipient")
    SMS_REJECTED = "sms_rejected", _("Text message rejected")
    EMAIL_BOUNCED = "email_bounced", _("Email bounced")
    ATTEMPTS_EXHAUSTED = "attempts_exhausted", _("No channel accepted it after every retry")
    ALL_REJECTED = "all_rejected", _("Every channel refused it")
    NEEDS_CONSENT = "needs_consent", _("No consent to electronic service of decisions")
    STAFF_OFFLINE = "staff_offline", _("Switched to offline service by staff")
    PAPER_REQUESTED = "paper_requested", _("The recipient asked for a paper copy")


class Delivery(models.Model):
    """A document (or a notice) on its way to one recipient.

    Legal service (``legal``) carries a document to a party; a notice (``legal=False``) is a
    reminder or status message to a person and is never service. ``plan`` is a snapshot of
    the channels and addresses at issue, so a later change of address applies only to later
    documents: ``[{"channel": "sms", "address": "+86…", "confirmed": true}, …]``.
    """

    document = models.ForeignKey(
        "documents.CourtDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    party = models.ForeignKey(
        "cases.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        help_text="The recipient's account when known (a linked party, or a notice's person).",
    )
    legal = models.BooleanField(default=True, help_text="Service of a document, not a notice.")
    purpose = models.CharField(max_length=50, blank=True, help_text="A notice's kind.")
    subject_en = models.CharField(max_length=300)
    subject_zh = models.CharField(max_length=300)
    notice_en = models.TextField(blank=True, help_text="A notice's text.")
    notice_zh = models.TextField(blank=True)
    confirmation = models.ForeignKey(
        AddressConfirmation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The address confirmation in force when the document was issued.",
    )
    plan = models.JSONField(default=list)
    via_institution = models.BooleanField(
        default=False, help_text="The plan includes the company's API inbox (pull and ack)."
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=S.QUEUED, db_index=True
    )
    failure_reason = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Dispatch rounds tried.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    acked_at = models.DateTimeField(null=True, blank=True, help_text="Institution API ack.")
    served_at = models.DateTimeField(null=True, blank=True, db_index=True)
    served_rule = models.CharField(max_length=40, blank=True)
    served_channel = models.CharField(
        max_length=12, blank=True, help_text="The channel that served it (empty for offline)."
    )
    paper_requested_at = models.DateTimeField(null=True, blank=True)
    paper_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff sent the requested paper copy."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="delivery_due",
            ),
            models.Index(fields=["user", "read_at"], name="delivery_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_en} → {self.party or self.user}"

    @property
    def subject(self) -> str:
        return self.subject_zh if (get_language() or "").startswith("zh") else self.subject_en

    @property
    def notice(self) -> str:
        return self.notice_zh if (get_language() or "").startswith("zh") else self.notice_en

    @property
    def is_served(self) -> bool:
        return self.served_at is not None


class AttemptOutcome(models.TextChoices):
    STARTED = "started", pgettext_lazy("delivery attempt", "Started")
    ACCEPTED = "accepted", pgettext_lazy("delivery attempt", "Accepted")
    REJECTED = "rejected", pgettext_lazy("delivery attempt", "Rejected")
    ERROR = "error", _("Passing error")
    INTERRUPTED = "interrupted", _("Interrupted")
    DEFERRED = "deferred", _("Deferred (quiet hours)")


class DeliveryAttempt(models.Model):
    """One try on one channel. Written and committed before the provider is called, so a
    worker killed mid-send leaves a STARTED attempt that the sweeper marks interrupted."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    address = models.CharField(max_length=254, blank=True)
    round = models.PositiveSmallIntegerField(help_text="The dispatch round, 1, 2, 3…")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.STARTED
    )
    provider_id = models.CharField(max_length=100, blank=True)
    message = models.CharField(
        max_length=500, blank=True, help_text="The provider's or mail server's answer, verbatim."
    )

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.channel} {self.outcome}"


class EventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    INBOX = "inbox", _("Written to the platform inbox")
    SENT = "sent", _("Accepted by the provider")
    REACHED = "reached", _("Reached the recipient's system")
    READ = "read", _("Read by the recipient")
    ACTED = "acted", _("The recipient acted in the case")
    ACKED = "acked", _("Acknowledged by the institution's system")
    FAILED = "failed", _("Failed")
    RETRIED = "retried", _("Retried by staff")
    REDIRECTED = "redirected", _("Sent to another channel or address")
    OFFLINE = "offline", _("Switched to offline service")
    PAPER = "paper", _("Paper copy requested")
    PAPER_SENT = "paper_sent", _("Paper copy sent")
    SERVED = "served", _("Served")
    SERVED_CHANGED = "served_changed", _("Served time changed")


class DeliveryEvent(models.Model):
    """What happened to a delivery, with the evidence for it (append-only)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.kind}"


class ProofOfService(models.Model):
    """送达回证: the canonical record of how and when a delivery was served. Its SHA-256 is
    deposited in the evidence log. A change of served time supersedes it with a new proof."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="proofs")
    text = models.TextField(help_text="Canonical JSON, the bytes that were hashed.")
    sha256 = models.CharField(max_length=64)
    deposit = models.ForeignKey(
        "evidence.Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scan = models.ForeignKey(
        "evidence.Blob",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_proofs",
        help_text="The scanned paper proof for offline service.",
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("proofs of service")

    def __str__(self) -> str:
        return f"proof {self.sha256[:12]} for delivery {self.delivery_id}"


class NotificationPreference(models.Model):
    """How a person wants notices (not legal service) to reach them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms = models.BooleanField(default=True, help_text="Notices by text message.")
    email = models.BooleanField(default=False, help_text="Notices by email too.")
    quiet_start = models.TimeField(null=True, blank=True, help_text="Court time.")
    quiet_end = models.TimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"preferences of {self.user}"


class InboxToken(models.Model):
    """A company's API token for pulling its deliveries (``Authorization: Bearer eci_…``).
    Only the SHA-256 is kept; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_tokens"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"
