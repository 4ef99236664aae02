"""Trial: scheduled online hearings with their participants, the live court record and its
signatures, requests to reschedule, and asynchronous trial in rounds (Online Litigation
Rules 2021, Art. 20). See docs/trial.md for the rule behind each field."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Courtroom(models.Model):
    """A virtual courtroom: a name, and where its video conference happens."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(max_length=40, unique=True, help_text="Used in the meeting room name.")
    meeting_url_template = models.CharField(
        max_length=300,
        blank=True,
        help_text="An http(s) URL with {room}; empty: the court's ECOURT_MEETING_URL_TEMPLATE.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    ENDED = "ended", pgettext_lazy("hearing", "Ended")
    CANCELLED = "cancelled", pgettext_lazy("hearing", "Cancelled")


#: Statuses that hold the judge, clerk, courtroom and agents (double-booking checks).
BUSY_STATUSES = (HearingStatus.SCHEDULED, HearingStatus.IN_PROGRESS)


class Hearing(models.Model):
    """One online hearing of a case, in a virtual courtroom, over ``[starts_at, ends_at)``."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="hearings")
    courtroom = models.ForeignKey(Courtroom, on_delete=models.PROTECT, related_name="hearings")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="hearings_as_clerk",
        help_text="The clerk (书记员) who keeps the record.",
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=12, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    room = models.CharField(max_length=64, unique=True, help_text="Meeting room name (random).")
    warnings = models.JSONField(
        default=list, blank=True, help_text="Weekend / holiday warnings shown when scheduled."
    )
    summons = models.ForeignKey(
        "documents.CourtDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="hearing_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class ParticipantRole(models.TextChoices):
    JUDGE = "judge", _("Judge")
    CLERK = "clerk", _("Clerk")
    PARTY = "party", _("Party")
    AGENT = "agent", _("Agent")


class HearingParticipant(models.Model):
    """Who takes part: the judge, the clerk, each party (its linked account, if any) and each
    agent. A party that did not consent to online litigation attends offline."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=8, choices=ParticipantRole.choices)
    party = models.ForeignKey(
        "cases.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, help_text="As shown in the record.")
    offline = models.BooleanField(
        default=False, help_text="Attends in person: no consent to online litigation."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="Identity re-checked with a fresh code at the start."
    )
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "user"],
                condition=Q(user__isnull=False),
                name="hearing_participant_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class RescheduleStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the judge")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class RescheduleRequest(models.Model):
    """A party asks to move a hearing, with reasons; the judge grants (and moves it) or
    refuses."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="reschedules")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    reasons = models.TextField()
    status = models.CharField(
        max_length=8, choices=RescheduleStatus.choices, default=RescheduleStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    old_starts_at = models.DateTimeField(null=True, blank=True)
    new_starts_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "party"],
                condition=Q(status="pending"),
                name="one_pending_reschedule_per_party",
            )
        ]

    def __str__(self) -> str:
        return f"reschedule request {self.pk} ({self.status})"


class AsyncTrialStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", pgettext_lazy("async trial", "Closed")


class AsyncConsent(models.Model):
    """A party's recorded answer to asynchronous trial in a case. Every party must consent
    before the judge may open one; a refusal blocks it."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    consent = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "party"], name="async_consent_once")]

    def __str__(self) -> str:
        return f"party {self.party_id}: {'yes' if self.consent else 'no'}"


class AsyncTrial(models.Model):
    """Asynchronous trial: the judge posts issues and questions in rounds, each party answers
    within the round's window."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="async_trials")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=8, choices=AsyncTrialStatus.choices, default=AsyncTrialStatus.OPEN
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="open"), name="one_open_async_trial"
            )
        ]

    def __str__(self) -> str:
        return f"asynchronous trial {self.pk} in case {self.case_id}"


class AsyncRound(models.Model):
    trial = models.ForeignKey(AsyncTrial, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    questions = models.TextField()
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="End of the answer window.")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "number"], name="async_round_number")
        ]

    def __str__(self) -> str:
        return f"round {self.number} of trial {self.trial_id}"


class AsyncAnswer(models.Model):
    round = models.ForeignKey(AsyncRound, on_delete=models.CASCADE, related_name="answers")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    answered_at = models.DateTimeField()
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "party"], name="async_answer_once")]

    def __str__(self) -> str:
        return f"answer of party {self.party_id} in round {self.round_id}"


class CourtRecord(models.Model):
    """The court record (笔录) of a hearing, typed live by the clerk, or of an asynchronous
    trial, assembled from its rounds. Closing freezes the text and hashes it; participants
    sign that hash; a closed record never changes (a correction is a supplementary record)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="records")
    hearing = models.OneToOneField(
        Hearing, null=True, blank=True, on_delete=models.PROTECT, related_name="record"
    )
    async_trial = models.OneToOneField(
        AsyncTrial, null=True, blank=True, on_delete=models.PROTECT, related_name="record"
    )
    supplements = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supplementary"
    )
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Raised on every save.")
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the closed text, UTF-8.")
    deposit = models.ForeignKey(
        "evidence.Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="Every online participant has signed."
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"record {self.pk} in case {self.case_id}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class RecordSignature(models.Model):
    """A participant's signature on a closed record: a fresh one-time code, against the hash
    of the exact text."""

    record = models.ForeignKey(CourtRecord, on_delete=models.PROTECT, related_name="signatures")
    participant = models.ForeignKey(
        HearingParticipant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "cases.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="record_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} on record {self.record_id}"
