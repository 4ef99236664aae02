"""Lawsuit applications and what they hold: parties, agents, claims, the evidence list, fees.

An application is a draft its author fills step by step; submitting it starts the court's
filing review. The parties, claims and evidence of an application become the case's when it is
docketed (the same rows, linked to the case), so nothing is copied and nothing can diverge.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecourt.cases.models.catalogue import CaseType


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    UNDER_REVIEW = "under_review", _("Under review")
    CORRECTIONS_REQUESTED = "corrections_requested", _("Corrections requested")
    DOCKETED = "docketed", _("Docketed")
    REFUSED = "refused", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DIVERTED = "diverted", _("In pre-filing mediation")
    SETTLED = "settled", _("Settled in mediation")


S = ApplicationStatus

#: The only status changes an application may make (services enforce it; drawn in
#: docs/filing.md). DIVERTED and SETTLED are the mediation capability's (docs/mediation.md).
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN, S.DIVERTED}),
    S.UNDER_REVIEW: frozenset(
        {S.CORRECTIONS_REQUESTED, S.DOCKETED, S.REFUSED, S.WITHDRAWN, S.DIVERTED}
    ),
    S.CORRECTIONS_REQUESTED: frozenset({S.UNDER_REVIEW, S.REFUSED, S.WITHDRAWN}),
    S.DIVERTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN, S.SETTLED}),
    S.SETTLED: frozenset(),
    S.DOCKETED: frozenset(),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

#: Statuses in which the applicant may still edit the application.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.CORRECTIONS_REQUESTED})
#: Statuses in which the applicant pays the fee or asks for relief: after submission, before
#: the filing decision.
PAYABLE_STATUSES = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.CORRECTIONS_REQUESTED})
#: Statuses a filing clerk works on.
OPEN_REVIEW_STATUSES = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.CORRECTIONS_REQUESTED})


class FilingCapacity(models.TextChoices):
    SELF = "self", _("For myself")
    COMPANY = "company", _("For a company I represent")
    CLIENT = "client", _("As a lawyer for a client")


class Application(models.Model):
    """A lawsuit application (起诉申请), from first draft to the filing decision."""

    status = models.CharField(
        max_length=30, choices=ApplicationStatus.choices, default=S.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="The person who files: the plaintiff, its representative, or its lawyer.",
    )
    capacity = models.CharField(
        max_length=10, choices=FilingCapacity.choices, default=FilingCapacity.SELF
    )
    client_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="Idempotency key an API client sent when creating the draft.",
    )
    case_type = models.ForeignKey(
        CaseType, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    step = models.CharField(
        max_length=20, default="case_type", help_text="The wizard step to resume at."
    )
    facts_and_reasons = models.TextField(blank=True)
    delivery_mobile = models.CharField(max_length=20, blank=True)
    delivery_email = models.EmailField(blank=True)
    delivery_postal_address = models.CharField(max_length=300, blank=True)
    electronic_service_consent = models.BooleanField(
        default=False,
        help_text="Consents to electronic service of judgments and rulings (Online "
        "Litigation Rules 2021, Art. 29).",
    )
    delivery_confirmed_at = models.DateTimeField(null=True, blank=True)
    adr_preference = models.BooleanField(
        default=False, help_text="The plaintiff asks to try online mediation before docketing."
    )
    simplified_procedure_requested = models.BooleanField(default=False)
    fee_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Acceptance fee, yuan."
    )
    fee_basis = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="First submission; decides the catalogue version."
    )
    submitted_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date (court time zone) of the first submission: the day the statistics "
        "count the application on. Set once, with submitted_at.",
    )
    received_on = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Date (court time zone) the court received the complete application: "
        "submission, or the last resubmission after corrections. The 7-day decision "
        "period counts from it.",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrections = models.JSONField(
        default=list, blank=True, help_text="What the clerk asked to fix, one item per entry."
    )
    corrections_due = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The statistics count applications by day of first submission over a date range
            # and group them by day or case type: this index answers all three without
            # reading the table.
            models.Index(fields=["submitted_on", "case_type"], name="application_submitted"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "client_key"],
                condition=~Q(client_key=""),
                name="unique_application_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"application {self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class PartySide(models.TextChoices):
    PLAINTIFF = "plaintiff", _("Plaintiff")
    DEFENDANT = "defendant", _("Defendant")
    THIRD_PARTY = "third_party", _("Third party")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    COMPANY = "company", _("Company or organisation")


class Party(models.Model):
    """A party to an application and, once docketed, to its case."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="parties")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="parties"
    )
    side = models.CharField(max_length=15, choices=PartySide.choices)
    kind = models.CharField(max_length=10, choices=PartyKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200, help_text="Legal name of the person or company.")
    id_number = models.CharField(
        max_length=40,
        blank=True,
        help_text="Resident ID number of a person or USCC of a company; shown masked.",
    )
    legal_representative = models.CharField(max_length=100, blank=True)
    mobile = models.CharField(max_length=20, blank=True, help_text="E.164.")
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_roles",
        help_text="The verified account that acts as (or for) this party, when linked.",
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    association_code_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the case association code."
    )
    association_code_expires_at = models.DateTimeField(null=True, blank=True)
    association_attempts = models.PositiveSmallIntegerField(default=0)
    complaint_served_on = models.DateField(null=True, blank=True)
    complaint_service_method = models.CharField(max_length=100, blank=True)
    online_litigation = models.BooleanField(
        null=True, help_text="Consent to litigate online in this case; None: not answered yet."
    )
    online_litigation_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["side", "position", "pk"]
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


class AgentKind(models.TextChoices):
    LAWYER = "lawyer", _("Lawyer")
    CITIZEN = "citizen", _("Close relative, employee or citizen recommended by a community")


class AuthorityScope(models.TextChoices):
    GENERAL = "general", _("General authority")
    SPECIAL = "special", _("Special authority (may admit, waive, settle, counterclaim, appeal)")


def _power_of_attorney_path(instance: models.Model, filename: str) -> str:
    from ecourt.core.uploads import private_upload_name

    return private_upload_name("power_of_attorney", filename)


class Agent(models.Model):
    """A person a party appointed to act for it (CPL Arts. 61–62), with a power of attorney."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="agents")
    kind = models.CharField(max_length=10, choices=AgentKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="The agent's account; a lawyer's must hold an approved licence.",
    )
    scope = models.CharField(max_length=10, choices=AuthorityScope.choices)
    power_of_attorney = models.FileField(
        upload_to=_power_of_attorney_path, help_text="Signed power of attorney (授权委托书)."
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appointed_at"]
        constraints = [
            models.UniqueConstraint(fields=["party", "user"], name="unique_agent_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.party}"


class Claim(models.Model):
    """One claim (诉讼请求) of the plaintiff, with the amount when it asks for money."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class EvidenceForm(models.TextChoices):
    DOCUMENT = "document", pgettext_lazy("evidence form", "Document")
    PICTURE = "picture", _("Picture")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    ELECTRONIC_DATA = "electronic_data", _("Electronic data")
    WEB_PAGE = "web_page", _("Web page capture")
    OTHER = "other", _("Other")


class EvidenceListing(models.Model):
    """An item on the plaintiff's evidence list; files arrive with the evidence capability."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evidence_list"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    form = models.CharField(max_length=20, choices=EvidenceForm.choices)
    description = models.TextField(blank=True)
    purpose = models.TextField(help_text="What the item is meant to prove.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class FeeRelief(models.TextChoices):
    DEFERRAL = "deferral", _("Deferral (缓交)")
    REDUCTION = "reduction", _("Reduction (减交)")
    WAIVER = "waiver", _("Waiver (免交)")


class ReliefStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class FeeReliefRequest(models.Model):
    """An applicant's request to defer, reduce or waive the fee (Measures 2007, Arts. 44–51)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="fee_relief_requests"
    )
    kind = models.CharField(max_length=10, choices=FeeRelief.choices)
    reasons = models.TextField()
    status = models.CharField(
        max_length=10, choices=ReliefStatus.choices, default=ReliefStatus.PENDING
    )
    reduced_fee = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="For a reduction."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="pending"),
                name="one_pending_fee_relief_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.application}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Payment(models.Model):
    """One attempt to pay an application's acceptance fee through a payment provider."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=30)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(
        max_length=40, unique=True, help_text="What the payer quotes: transfer reference."
    )
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    provider_record = models.CharField(
        max_length=200, blank=True, help_text="Bank statement line or provider transaction id."
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="pending"),
                name="one_pending_payment",
            )
        ]

    def __str__(self) -> str:
        return self.reference
