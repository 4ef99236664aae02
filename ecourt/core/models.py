"""Models every capability shares: the append-only audit trail."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One change made by a person or by the system. Rows are never updated or deleted.

    The database enforces this too (triggers in migration 0002), so a bug or a stray shell
    session cannot rewrite history.
    """

    code = models.CharField(
        max_length=100,
        db_index=True,
        help_text="Dotted event code, e.g. ecourt.accounts.role.granted.",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the change; empty for the system (worker, scheduled jobs).",
    )
    actor_repr = models.CharField(
        max_length=200, blank=True, help_text="The actor as shown at the time."
    )
    target_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Kind of object changed.",
    )
    target_id = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Primary key of the object changed."
    )
    target_repr = models.CharField(
        max_length=200, blank=True, help_text="The object as shown at the time."
    )
    old_values = models.JSONField(default=dict, blank=True, help_text="Values before the change.")
    new_values = models.JSONField(default=dict, blank=True, help_text="Values after the change.")
    request_id = models.CharField(
        max_length=64, blank=True, help_text="Request that caused the change, for log correlation."
    )
    ip_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Keyed hash of the client IP; the raw address is never stored.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.code} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")


class OutboundMessage(models.Model):
    """A text message or email to a person: a durable row first, sent by the worker.

    Messages marked ``sensitive`` (one-time codes) have their body blanked once sent, so codes
    never stay readable in the database.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(max_length=5, choices=Channel.choices)
    to = models.CharField(max_length=254, help_text="E.164 mobile number or email address.")
    subject = models.CharField(max_length=200, blank=True, help_text="Email only.")
    body = models.TextField(help_text="Text to send; blanked after sending when sensitive.")
    purpose = models.CharField(max_length=50, help_text="Why it is sent, e.g. otp.register.")
    sensitive = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took it for sending."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a failed send is tried again; empty when final."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")

    def __str__(self) -> str:
        return f"{self.channel} {self.pk} to {self.to} ({self.status})"


class CalendarDay(models.Model):
    """A day the court's calendar treats differently from the ``holidays`` package: a new
    year's State Council notice not yet in the package, or a court closure. Added by a court
    administrator; period counting (ecourt.core.deadlines) reads the table."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off (statutory holiday or closure)")
        WORKING_DAY = "working_day", _("Working day (e.g. an adjusted Saturday)")

    day = models.DateField(unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.CharField(max_length=200, help_text="Which notice or decision says so.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
