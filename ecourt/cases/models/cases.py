"""Docketed cases, their numbers, docket, deadlines and the defendants' responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ecourt.cases.models.applications import Application, Party
from ecourt.cases.models.catalogue import CaseType


class CaseStatus(models.TextChoices):
    DOCKETED = "docketed", _("Docketed")
    COMPLAINT_SERVED = "complaint_served", _("Complaint being served")
    ANSWER_PERIOD = "answer_period", _("Answer period")
    EVIDENCE_EXCHANGE = "evidence_exchange", _("Evidence exchange")
    HEARING_SCHEDULED = "hearing_scheduled", _("Hearing scheduled")
    HEARD = "heard", _("Heard")
    DECIDED = "decided", _("Decided, appeal period running")
    EFFECTIVE = "effective", _("Decision in effect")
    APPEALED = "appealed", _("Appealed; file sent to the appellate court")
    CLOSED = "closed", _("Closed")


C = CaseStatus

#: The road of a first-instance case. Closing early (withdrawal, mediation settlement,
#: dismissal, transfer) is possible from every open status; see CLOSING_MODES.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    C.DOCKETED: frozenset({C.COMPLAINT_SERVED, C.CLOSED}),
    C.COMPLAINT_SERVED: frozenset({C.ANSWER_PERIOD, C.CLOSED}),
    C.ANSWER_PERIOD: frozenset({C.EVIDENCE_EXCHANGE, C.CLOSED}),
    C.EVIDENCE_EXCHANGE: frozenset({C.HEARING_SCHEDULED, C.CLOSED}),
    C.HEARING_SCHEDULED: frozenset({C.HEARD, C.EVIDENCE_EXCHANGE, C.CLOSED}),
    C.HEARD: frozenset({C.DECIDED, C.HEARING_SCHEDULED, C.CLOSED}),
    C.DECIDED: frozenset({C.EFFECTIVE, C.APPEALED}),
    C.APPEALED: frozenset(),
    C.EFFECTIVE: frozenset({C.CLOSED}),
    C.CLOSED: frozenset(),
}

OPEN_CASE_STATUSES = frozenset(set(CaseStatus.values) - {C.CLOSED, C.APPEALED})


class ClosingMode(models.TextChoices):
    JUDGMENT = "judgment", _("Judgment")
    RULING = "ruling", _("Ruling")
    MEDIATION = "mediation", _("Mediation settlement")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    DISMISSAL = "dismissal", _("Dismissal")
    TRANSFER = "transfer", _("Transfer to another court")


#: Which modes close a case from which statuses. A judgment or ruling on the merits closes it
#: once in effect; the others end it wherever it stands.
CLOSING_MODES: dict[str, frozenset[str]] = {
    ClosingMode.JUDGMENT: frozenset({C.EFFECTIVE}),
    ClosingMode.RULING: frozenset({C.EFFECTIVE}),
    ClosingMode.MEDIATION: frozenset(OPEN_CASE_STATUSES - {C.DECIDED, C.EFFECTIVE}),
    ClosingMode.WITHDRAWAL: frozenset(OPEN_CASE_STATUSES - {C.DECIDED, C.EFFECTIVE}),
    ClosingMode.DISMISSAL: frozenset(OPEN_CASE_STATUSES - {C.DECIDED, C.EFFECTIVE}),
    ClosingMode.TRANSFER: frozenset(OPEN_CASE_STATUSES - {C.DECIDED, C.EFFECTIVE}),
}


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary procedure")
    SIMPLIFIED = "simplified", _("Simplified procedure")


class CaseNumberSerial(models.Model):
    """The last serial given per (year, type code). Locked by the docketing transaction, so
    serials are gap-free: a rolled-back docketing rolls its increment back too."""

    year = models.PositiveSmallIntegerField()
    type_code = models.CharField(max_length=10)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "type_code"], name="unique_serial_counter")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.type_code}: {self.last_serial}"


class Case(models.Model):
    """A docketed case (立案), numbered like (2026)京0491民初123号."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    number = models.CharField(max_length=40, unique=True)
    year = models.PositiveSmallIntegerField()
    type_code = models.CharField(max_length=10)
    serial = models.PositiveIntegerField()
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=C.DOCKETED, db_index=True
    )
    procedure = models.CharField(
        max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY
    )
    title = models.CharField(max_length=300, help_text="Plaintiffs v defendants, as shown.")
    docketed_at = models.DateTimeField()
    docketed_on = models.DateField(db_index=True, help_text="Docketing date, court time zone.")
    docketed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_as_judge",
    )
    fee_amount = models.DecimalField(max_digits=14, decimal_places=2)
    decision_kind = models.CharField(max_length=10, choices=ClosingMode.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    closing_mode = models.CharField(max_length=12, choices=ClosingMode.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-docketed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "type_code", "serial"], name="unique_case_serial"
            )
        ]
        indexes = [
            # Case lists read the newest first: with this index the first page is read from the
            # index instead of sorting every case (PostgreSQL, 100,000 cases: 236 ms → 28 ms).
            models.Index(fields=["docketed_on", "id"], name="case_docketed_order"),
            # The statistics count cases closed in a period.
            models.Index(fields=["closed_at"], name="case_closed_at"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in (C.CLOSED, C.APPEALED)


class DocketEntry(models.Model):
    """One chronological entry of the docket (like a CM/ECF docket report line).

    The text is stored in both languages when it is written, so the record reads the same
    later whatever the templates become.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="docket")
    number = models.PositiveIntegerField(help_text="1, 2, 3… per case, gap-free.")
    code = models.CharField(max_length=60, help_text="Dotted kind, e.g. filing.docketed.")
    entered_at = models.DateTimeField()
    text_en = models.TextField()
    text_zh = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_text = models.TextField(
        blank=True, help_text="The filed document's text (answer, objection) when it has one."
    )

    class Meta:
        ordering = ["case", "number"]
        verbose_name_plural = _("docket entries")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_docket_number")
        ]

    def __str__(self) -> str:
        return f"{self.case} #{self.number}"

    @property
    def text(self) -> str:
        return self.text_zh if (get_language() or "").startswith("zh") else self.text_en


class CaseDeadline(models.Model):
    """A period running in an application or case, stored with its basis and start event."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="deadlines")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
        help_text="Whose period it is, when it belongs to one party (answer, appeal).",
    )
    code = models.CharField(max_length=40, help_text="Period code in ecourt.core.deadlines.")
    basis = models.CharField(max_length=100, help_text="Legal basis, e.g. CPL Art. 128.")
    start_event = models.CharField(max_length=100, help_text="What started it, e.g. docketing.")
    start_date = models.DateField()
    due_date = models.DateField(db_index=True)
    met_at = models.DateTimeField(
        null=True, blank=True, help_text="When what it asks for was done; empty while open."
    )
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="When it stopped mattering (e.g. a new period began)."
    )

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.code} due {self.due_date}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class ResponseKind(models.TextChoices):
    ANSWER = "answer", _("Answer (答辩状)")
    JURISDICTION_OBJECTION = "jurisdiction_objection", _("Objection to jurisdiction")


class CaseResponse(models.Model):
    """A defendant's answer or objection to jurisdiction. Filed once each; lands on the docket."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="responses")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=30, choices=ResponseKind.choices)
    text = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField()
    late = models.BooleanField(default=False, help_text="Filed after its period ended.")

    class Meta:
        ordering = ["filed_at"]
        constraints = [
            models.UniqueConstraint(fields=["party", "kind"], name="one_response_per_kind"),
            models.CheckConstraint(condition=~Q(text=""), name="response_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.party}"


class Appeal(models.Model):
    """A party's appeal against the decision, filed online within its own appeal period
    (CPL Art. 171). The case goes to the appellate court with its exported file."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField()
    reasons = models.TextField()
    requests = models.TextField(help_text="What the appellant asks the appellate court to do.")
    export_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the case-file export sent up."
    )

    class Meta:
        ordering = ["filed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="one_appeal_per_party")
        ]

    def __str__(self) -> str:
        return f"appeal of party {self.party_id} in case {self.case_id}"
