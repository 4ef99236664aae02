"""The court's case-type catalogue: which disputes it hears, versioned by effective date.

SPC Provisions on Several Issues Concerning the Trial of Cases by Internet Courts (2018), Art. 2
lists what an internet court hears. A court administrator publishes a new version to change the
list; a version is never edited once published, so an application is always checked against
the list in force on the day it was submitted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ecourt.cases.rules.case_numbers import CaseTypeCode
from ecourt.cases.rules.fees import FeeCategory


class ProcedureFamily(models.TextChoices):
    CIVIL = "civil", _("Civil")
    ADMINISTRATIVE = "administrative", _("Administrative")


class CatalogueVersion(models.Model):
    """One published list of case types, in force from ``effective_from`` until the next."""

    effective_from = models.DateField(
        unique=True, help_text="First day (court time zone) on which this list applies."
    )
    basis = models.CharField(
        max_length=300, help_text="The instrument that sets this list, e.g. SPC Provisions Art. 2."
    )
    note = models.TextField(blank=True, help_text="What changed against the previous version.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the list shipped with ecourt.",
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"catalogue from {self.effective_from:%Y-%m-%d}"


class CaseType(models.Model):
    """A kind of dispute in one catalogue version: heard here (``accepted``) or, for disputes
    people often bring by mistake, refused with the competent ordinary court named."""

    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, related_name="case_types"
    )
    code = models.SlugField(
        max_length=60, help_text="Stable code, the same in every version, e.g. online_shopping."
    )
    position = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200)
    hint_en = models.CharField(max_length=300, blank=True, help_text="An example in plain words.")
    hint_zh = models.CharField(max_length=300, blank=True)
    accepted = models.BooleanField(
        default=True, help_text="False: not heard here; the refusal names the competent court."
    )
    procedure_family = models.CharField(
        max_length=20, choices=ProcedureFamily.choices, default=ProcedureFamily.CIVIL
    )
    fee_category = models.CharField(
        max_length=30, choices=[(c.value, c.value) for c in FeeCategory], blank=True
    )
    number_type = models.CharField(
        max_length=10,
        choices=[(c.value, c.value) for c in CaseTypeCode],
        blank=True,
        help_text="Case-number type code given on docketing: 民初 or 行初.",
    )
    competent_court_en = models.CharField(
        max_length=300, blank=True, help_text="For refused types: where to go instead."
    )
    competent_court_zh = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["version", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_case_type_code"),
            models.CheckConstraint(
                condition=models.Q(accepted=False)
                | (~models.Q(fee_category="") & ~models.Q(number_type="")),
                name="accepted_case_type_has_fee_and_number_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def hint(self) -> str:
        return self.hint_zh if (get_language() or "").startswith("zh") else self.hint_en

    @property
    def competent_court(self) -> str:
        zh = (get_language() or "").startswith("zh")
        return self.competent_court_zh if zh else self.competent_court_en
