"""People, their roles, and what they proved about themselves.

State changes happen only in ``services.py``; this module holds data and small derived
properties. Identity numbers are stored in full (the court must be able to check them) and
shown masked everywhere except to their owner and authorised staff (see ``rules.mask_*`` and
the ``identity_number`` template tag).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ecourt.accounts.roles import STAFF_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, mobile: str, password: str | None = None, **extra: Any) -> User:
        if not mobile:
            raise ValueError("A mobile number is required.")
        email = extra.pop("email", None)
        user = self.model(mobile=mobile, email=(email or None) and email.lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an ecourt account. Signs in with a mobile number or an email address."""

    mobile = models.CharField(
        _("mobile number"),
        max_length=20,
        unique=True,
        help_text="Mobile number in E.164 form (+8613800138000), verified by a one-time code.",
    )
    email = models.EmailField(
        _("email address"),
        unique=True,
        null=True,
        blank=True,
        help_text="Optional; stored lower-case, verified by a one-time code.",
    )
    display_name = models.CharField(
        _("display name"), max_length=100, help_text="How the person is addressed on screen."
    )
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text="Language of pages, messages and notifications.",
    )
    mobile_verified_at = models.DateTimeField(null=True, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When real-name verification succeeded; set only by the identity services.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May open the read-only Django admin (court administrators)."
    )
    date_joined = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="Registration; the statistics count by it."
    )

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.display_name} (#{self.pk})"

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_court_staff(self) -> bool:
        return bool(self.role_set & STAFF_ROLES)

    @property
    def is_identity_verified(self) -> bool:
        return self.identity_verified_at is not None


class RoleGrant(models.Model):
    """One role held by one person. Granting and revoking are audited."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=40, choices=Role.choices)
    granted_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the role followed from the person's own registration.",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_grant")]
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.user} – {self.role}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


#: The only changes a review status may make (enforced in services; drawn in
#: docs/architecture.md).
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.PENDING: frozenset({ReviewStatus.VERIFIED, ReviewStatus.REJECTED}),
    ReviewStatus.VERIFIED: frozenset(),
    ReviewStatus.REJECTED: frozenset(),
}


class ReviewedSubmission(models.Model):
    """Fields shared by everything a person submits for staff review."""

    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True
    )
    method = models.CharField(
        max_length=30,
        blank=True,
        help_text="How the decision was reached: automatic check or staff review.",
    )
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(
        blank=True, help_text="Shown to the applicant; required when rejecting."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


def _private_upload_path(instance: models.Model, filename: str) -> str:
    # Uploaded identity documents never keep the person's file name.
    from ecourt.core.uploads import private_upload_name

    return private_upload_name(str(instance._meta.model_name), filename)


class IdentityDocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card (PRC)")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = (
        "hk_macao_permit",
        _("Mainland travel permit for Hong Kong and Macao residents"),
    )
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")


class IdentityVerification(ReviewedSubmission):
    """A person's real-name verification attempt (SPC Online Litigation Rules 2021, Art. 7)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_verifications")
    document_type = models.CharField(max_length=20, choices=IdentityDocumentType.choices)
    legal_name = models.CharField(max_length=100, help_text="Name exactly as on the document.")
    document_number = models.CharField(max_length=40, help_text="Normalised document number.")
    birth_date = models.DateField(null=True, blank=True)
    document_image = models.ImageField(
        upload_to=_private_upload_path,
        blank=True,
        help_text="Photo or scan of the document; required except for resident identity cards.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                condition=Q(status="verified"),
                name="unique_verified_identity_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} – {self.user}"


class Company(ReviewedSubmission):
    """A company or other organisation that litigates through its representatives."""

    name = models.CharField(max_length=200)
    uscc = models.CharField(
        max_length=18, unique=True, help_text="Unified social credit code (GB 32100-2015)."
    )
    legal_representative = models.CharField(max_length=100, help_text="法定代表人 as registered.")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class CompanyRepresentative(ReviewedSubmission):
    """A person authorised by a company's letter to act for it."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="representatives")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="company_links")
    company_name = models.CharField(
        max_length=200,
        default="",
        help_text="The company's name as this applicant gave it; the company record takes it "
        "when staff approve the first representative.",
    )
    legal_representative = models.CharField(
        max_length=100, default="", help_text="The legal representative as this applicant gave it."
    )
    position = models.CharField(max_length=100, blank=True)
    authorisation_letter = models.ImageField(upload_to=_private_upload_path)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user"],
                condition=~Q(status="rejected"),
                name="unique_open_company_representative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.company}"


class LawyerProfile(ReviewedSubmission):
    """A lawyer's licence, checked by court staff before the lawyer may act as an agent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lawyer_profiles")
    licence_number = models.CharField(
        max_length=17, help_text="17-digit practising licence number."
    )
    law_firm = models.CharField(max_length=200)
    licence_image = models.ImageField(upload_to=_private_upload_path)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_number"],
                condition=~Q(status="rejected"),
                name="unique_open_lawyer_licence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.law_firm})"


class TermsVersion(models.Model):
    """A version of the terms of online litigation. Published versions are never edited."""

    version = models.CharField(max_length=20, unique=True)
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    body_en = models.TextField()
    body_zh = models.TextField()
    effective_from = models.DateTimeField()

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.version


class ConsentRecord(models.Model):
    """A person's acceptance of one terms version, and its withdrawal if any."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="consents")
    accepted_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        # "This person's consent to these terms" is read on every filing step and account
        # page. Without a two-column index SQLite answers it through the terms index, which
        # holds everyone's consent to the current terms: a scan that grows with the court.
        indexes = [models.Index(fields=["user", "terms"], name="consent_user_terms_idx")]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.terms}"


class OneTimeCode(models.Model):
    """A 6-digit code sent to a mobile number or email address. Only its keyed hash is stored."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")

    channel = models.CharField(max_length=5, choices=Channel.choices)
    destination = models.CharField(max_length=254, db_index=True)
    purpose = models.CharField(max_length=40)
    code_hash = models.CharField(max_length=64)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.destination}"


class LoginEvent(models.Model):
    """A sign-in attempt, shown to the person on their profile page."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="login_events"
    )
    succeeded = models.BooleanField()
    method = models.CharField(
        max_length=30,
        help_text="password, totp, paused (right password refused during a per-account pause), "
        "password_reset, unlock.",
    )
    ip_hash = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"login {'ok' if self.succeeded else 'failed'} {self.created_at:%Y-%m-%d %H:%M}"
