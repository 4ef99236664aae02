"""Documents the court issues in a case. Issued documents never change: a correction is a new
document (a ruling that corrects). The text is kept with its SHA-256, which is deposited in
the evidence log when the document is issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentKind(models.TextChoices):
    COMPLAINT_COPY = "complaint_copy", _("Copy of the complaint")
    ACCEPTANCE_NOTICE = "acceptance_notice", _("Notice of acceptance")
    SUMMONS = "summons", _("Summons")
    EVIDENCE_NOTICE = "evidence_notice", _("Notice on evidence")
    MEDIATION_NOTICE = "mediation_notice", _("Mediation notice")
    RULING = "ruling", pgettext_lazy("document kind", "Ruling")
    JUDGMENT = "judgment", pgettext_lazy("document kind", "Judgment")
    MEDIATION_STATEMENT = "mediation_statement", _("Mediation statement")
    OTHER = "other", _("Other court document")


class CourtDocument(models.Model):
    """One document issued in a case, with one delivery per recipient."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(help_text="The document's text as issued.")
    sha256 = models.CharField(
        max_length=64,
        help_text="SHA-256 of what was issued: the signed PDF when there is one, else the body.",
    )
    pdf = models.ForeignKey(
        "evidence.Blob",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="court_documents",
        help_text="The signed PDF as issued (stored by its hash).",
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The document this ruling corrects.",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(db_index=True)
    deposit = models.ForeignKey(
        "evidence.Deposit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The deposit of the body's hash in the evidence log.",
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8"))


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class DecisionDraft(models.Model):
    """A judgment or ruling the judge is writing: the template fills in the parties, claims,
    procedure, evidence determinations and fees; the judge writes the reasoning and the
    decision and says who bears the fee. Issuing renders, signs and serves it, once."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="drafts")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    language = models.CharField(max_length=10, default="zh-hans")
    reasoning = models.TextField(blank=True)
    decision = models.TextField(blank=True)
    fee_defendants = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Part of the court fee the defendants bear; the plaintiffs bear the rest.",
    )
    corrects = models.ForeignKey(
        CourtDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=8, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    document = models.OneToOneField(
        CourtDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} draft {self.pk} in case {self.case_id}"
