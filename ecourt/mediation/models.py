"""Pre-filing mediation (诉前调解): mediators, diverted matters, the mediation room, settlement
agreements and the consents that move a matter on.

Everything a party said or signed is immutable: messages, proposals, answers and signatures
are only ever inserted. A changed agreement is a new version; the old one is marked superseded
and its signatures stay with it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MEDIATION_CENTRE = "centre", _("Mediation centre")
    PEOPLES_COMMITTEE = "committee", _("People's mediation committee")
    INDUSTRY = "industry", _("Industry or professional mediation organisation")
    OTHER = "other", _("Other organisation")


class MediationOrganisation(models.Model):
    """An organisation the court invites to mediate (特邀调解组织), e.g. a copyright mediation
    centre or a consumer-dispute committee."""

    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=OrganisationKind.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_zh"]
        constraints = [
            models.UniqueConstraint(fields=["name_zh"], name="unique_mediation_organisation")
        ]

    def __str__(self) -> str:
        return self.name_zh


class Mediator(models.Model):
    """A person registered to mediate (特邀调解员), with what they may take on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mediator_profile"
    )
    organisation = models.ForeignKey(
        MediationOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediators",
        help_text="Empty: an individual mediator invited by the court.",
    )
    specialties = models.JSONField(
        default=list, help_text="Case-type codes (stable across catalogue versions) taken on."
    )
    languages = models.JSONField(
        default=list, help_text="Language codes spoken; empty means no restriction."
    )
    capacity = models.PositiveSmallIntegerField(help_text="Open matters at most.")
    active = models.BooleanField(default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.user.display_name


class DiversionProposal(models.Model):
    """A filing clerk proposes mediation; the plaintiff's answer is recorded."""

    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="diversion_proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    note = models.TextField(blank=True, help_text="Why the clerk suggests mediation.")
    accepted = models.BooleanField(null=True, help_text="None: not answered yet.")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(
        null=True, blank=True, help_text="The application left filing review unanswered."
    )

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(accepted__isnull=True, lapsed_at__isnull=True),
                name="one_open_diversion_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk} for application {self.application_id}"


class MediationStatus(models.TextChoices):
    AWAITING_MEDIATOR = "awaiting_mediator", _("Waiting for a mediator")
    ASSIGNED = "assigned", _("Assigned, waiting for the mediator to accept")
    IN_PROGRESS = "in_progress", _("Mediation in progress")
    SETTLED = "settled", _("Settled")
    FAILED = "failed", _("Ended without settlement")
    WITHDRAWN = "withdrawn", _("Withdrawn")


M = MediationStatus

#: The only status changes a mediation may make (drawn in docs/mediation.md).
MEDIATION_TRANSITIONS: dict[str, frozenset[str]] = {
    M.AWAITING_MEDIATOR: frozenset({M.ASSIGNED, M.FAILED, M.WITHDRAWN}),
    M.ASSIGNED: frozenset({M.IN_PROGRESS, M.ASSIGNED, M.AWAITING_MEDIATOR, M.FAILED, M.WITHDRAWN}),
    M.IN_PROGRESS: frozenset({M.ASSIGNED, M.AWAITING_MEDIATOR, M.SETTLED, M.FAILED, M.WITHDRAWN}),
    M.SETTLED: frozenset(),
    M.FAILED: frozenset(),
    M.WITHDRAWN: frozenset(),
}

OPEN_MEDIATION_STATUSES = frozenset({M.AWAITING_MEDIATOR, M.ASSIGNED, M.IN_PROGRESS})
ENDED_MEDIATION_STATUSES = frozenset({M.SETTLED, M.FAILED, M.WITHDRAWN})


class DiversionRoute(models.TextChoices):
    PREFERENCE = "preference", _("The plaintiff asked for mediation when filing")
    PROPOSAL = "proposal", _("The plaintiff accepted the court's proposal")


class FailureReason(models.TextChoices):
    REFUSED = "refused", _("A party refused to continue")
    NO_AGREEMENT = "no_agreement", _("The mediator found no agreement possible")
    PERIOD_ENDED = "period_ended", _("The mediation period ended")


class Mediation(models.Model):
    """A diverted application in pre-filing mediation, numbered (2026)京0491民诉前调12号."""

    application = models.OneToOneField(
        "cases.Application", on_delete=models.PROTECT, related_name="mediation"
    )
    number = models.CharField(max_length=40, unique=True)
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=MediationStatus.choices, default=M.AWAITING_MEDIATOR, db_index=True
    )
    route = models.CharField(max_length=12, choices=DiversionRoute.choices)
    language = models.CharField(
        max_length=10, default="zh-hans", help_text="The plaintiff's language, for assignment."
    )
    diverted_at = models.DateTimeField()
    diverted_on = models.DateField(db_index=True, help_text="Court time zone.")
    mediator = models.ForeignKey(
        Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="mediations"
    )
    declined_by = models.JSONField(
        default=list, blank=True, help_text="Ids of mediators who declined this matter."
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    period_started_on = models.DateField(
        null=True, blank=True, help_text="First assignment; the period counts from it."
    )
    due_on = models.DateField(null=True, blank=True, db_index=True)
    extended = models.BooleanField(default=False)
    undisputed_facts = models.TextField(
        blank=True,
        help_text="Facts the mediator recorded as undisputed; carried over to filing review "
        "only when every party agreed to them.",
    )
    undisputed_facts_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=15, choices=FailureReason.choices, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, db_index=True)
    confirmation_case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmed_mediation",
        help_text="The 民特 case for judicial confirmation of the settlement.",
    )

    class Meta:
        ordering = ["-diverted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="unique_mediation_serial")
        ]
        # Every assignment counts each mediator's open matters: read from this index alone,
        # without visiting the rows (at scale 100, tens of thousands of open matters).
        indexes = [models.Index(fields=["status", "mediator"], name="mediation_open_load_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEDIATION_STATUSES


class MediationEvent(models.Model):
    """One line of the timeline every party sees (the mediation's docket)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="events")
    number = models.PositiveIntegerField()
    code = models.CharField(max_length=60)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text_en = models.TextField()
    text_zh = models.TextField()

    class Meta:
        ordering = ["mediation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mediation", "number"], name="unique_mediation_event")
        ]

    def __str__(self) -> str:
        return f"{self.mediation_id}#{self.number} {self.code}"


class MediationMessage(models.Model):
    """A message in the room. ``thread_party`` empty: the joint thread every party sees; set: the
    private (caucus) thread between the mediator and that party alone."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="messages")
    thread_party = models.ForeignKey(
        "cases.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_party = models.ForeignKey(
        "cases.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The party the author wrote for; empty when the mediator wrote.",
    )
    body = models.TextField()
    attachment = models.CharField(max_length=200, blank=True, help_text="Private storage name.")
    attachment_name = models.CharField(max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The earlier message this one corrects (messages are never edited).",
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.mediation_id}"


class MediationSession(models.Model):
    """An online session with a meeting link from the court's video provider."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="sessions")
    thread_party = models.ForeignKey(
        "cases.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: a joint session; set: a private session with that party.",
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    room = models.CharField(max_length=64, unique=True)
    meeting_url = models.URLField(max_length=500)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"session {self.room}"


class Proposal(models.Model):
    """Settlement terms the mediator puts to the parties."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="proposals")
    number = models.PositiveSmallIntegerField()
    terms = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["mediation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mediation", "number"], name="unique_proposal_number")
        ]

    def __str__(self) -> str:
        return f"proposal {self.number} in {self.mediation_id}"


class ProposalAnswer(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    COUNTER = "counter", _("Counter-propose")


class ProposalResponse(models.Model):
    """A party's answer to a proposal: once, never changed."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="responses")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=ProposalAnswer.choices)
    counter_terms = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "party"], name="one_answer_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.answer} by party {self.party_id}"


class SettlementAgreement(models.Model):
    """A version of the settlement agreement (调解协议), rendered from the court's template.
    Parties sign the SHA-256 of ``text``; a new version supersedes this one."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveSmallIntegerField()
    terms = models.TextField(help_text="The agreed terms as the mediator wrote them.")
    text = models.TextField(help_text="The full agreement as shown and signed.")
    text_sha256 = models.CharField(max_length=64)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="Every party has signed; the agreement is in effect."
    )

    class Meta:
        ordering = ["mediation", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["mediation", "version"], name="unique_agreement_version"
            )
        ]

    def __str__(self) -> str:
        return f"agreement v{self.version} of {self.mediation_id}"


class AgreementSignature(models.Model):
    """A party's signature: who confirmed, when, how, and the hash of the exact text signed."""

    agreement = models.ForeignKey(
        SettlementAgreement, on_delete=models.PROTECT, related_name="signatures"
    )
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    method = models.CharField(max_length=30, help_text="e.g. sms_code: a one-time code by SMS.")
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="one_signature_per_party")
        ]

    def __str__(self) -> str:
        return f"signature of party {self.party_id} on {self.agreement_id}"


class ConsentKind(models.TextChoices):
    EXTENSION = "extension", _("Extend the mediation period")
    FACTS = "facts", _("Carry the undisputed facts over to the case")
    CONFIRMATION = "confirmation", _("Apply for judicial confirmation")


class MediationConsent(models.Model):
    """A party's recorded consent to a step that needs every party."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=15, choices=ConsentKind.choices)
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField()
    subject_sha256 = models.CharField(
        max_length=64, blank=True, help_text="For facts: the hash of the text agreed to."
    )

    class Meta:
        ordering = ["given_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mediation", "kind", "party", "subject_sha256"],
                name="one_consent_per_party",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} consent of party {self.party_id}"
