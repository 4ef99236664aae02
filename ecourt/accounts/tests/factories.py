"""Factories for accounts. Passwords are hashed once per run (argon2 is slow on purpose)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import factory
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from stdnum.cn import ric, uscc

from ecourt.accounts.models import (
    IdentityDocumentType,
    IdentityVerification,
    ReviewStatus,
    RoleGrant,
    User,
)
from ecourt.accounts.roles import Role

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = make_password(PASSWORD)


def valid_ric(birth: date = date(1990, 3, 7), serial: int = 12) -> str:
    body = f"110101{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def valid_uscc(body: str = "91110108MA01ABCDE") -> str:
    """A unified social credit code: 17 characters plus the computed check character."""
    return body + uscc.calc_check_digit(body)


def image_upload(name: str = "scan.png", *, image_format: str = "PNG") -> SimpleUploadedFile:
    """A small real picture, as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color=(200, 30, 30)).save(buffer, format=image_format)
    content_type = f"image/{image_format.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        # The hooks below create related rows; the user itself needs no second save.
        skip_postgeneration_save = True

    mobile = factory.Sequence(lambda n: f"+86139{n:08d}")
    display_name = factory.Faker("name")
    preferred_language = "en"
    password = _PASSWORD_HASH
    mobile_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or [Role.LITIGANT]:
            RoleGrant.objects.get_or_create(user=self, role=role)


class VerifiedUserFactory(UserFactory):
    identity_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def identity(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        IdentityVerification.objects.create(
            user=self,
            document_type=IdentityDocumentType.RESIDENT_ID,
            legal_name=self.display_name,
            document_number=valid_ric(serial=self.pk % 1000),
            birth_date=date(1990, 3, 7),
            status=ReviewStatus.VERIFIED,
            method="ric_check",
            reviewed_at=self.identity_verified_at,
        )
