"""Demo people, one per role, with known passwords. Loaded by ``ecourt demo`` (DEBUG only)."""

from __future__ import annotations

import base64
import io
from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw
from stdnum.cn import ric, uscc

from ecourt.accounts.models import (
    Company,
    CompanyRepresentative,
    ConsentRecord,
    IdentityDocumentType,
    IdentityVerification,
    LawyerProfile,
    ReviewStatus,
    RoleGrant,
    User,
)
from ecourt.accounts.roles import STAFF_ROLES, Role
from ecourt.accounts.selectors import terms_current

DEMO_PASSWORD = "ecourt-demo-2026"
DEMO_MARK = "demo"

#: (role, mobile, display name, legal name, birth date)
PEOPLE = [
    (Role.LITIGANT, "+8613800000001", "Alice Zhang", "张爱丽", date(1990, 3, 7)),
    (Role.COMPANY_REPRESENTATIVE, "+8613800000002", "Bo Li (Beta Tech)", "李博", date(1985, 6, 1)),
    (Role.LAWYER, "+8613800000003", "Carol Chen", "陈卡罗", date(1982, 11, 20)),
    (Role.FILING_CLERK, "+8613800000004", "Clerk Deng", "邓书记", date(1992, 1, 15)),
    (Role.JUDGE, "+8613800000005", "Judge Wang", "王法官", date(1975, 9, 9)),
    (Role.JUDICIAL_ASSISTANT, "+8613800000006", "Assistant Liu", "刘助理", date(1994, 4, 4)),
    (Role.MEDIATOR, "+8613800000007", "Mediator Zhou", "周调解", date(1970, 7, 7)),
    (Role.ENFORCEMENT_OFFICER, "+8613800000008", "Officer Sun", "孙执行", date(1988, 8, 8)),
    (Role.SUPPORT_AGENT, "+8613800000009", "Support Qian", "钱客服", date(1996, 2, 2)),
    (Role.COURT_ADMIN, "+8613800000010", "Admin Zhao", "赵管理", date(1980, 5, 5)),
    (Role.DIVISION_HEAD, "+8613800000012", "Division Head Ma", "马庭长", date(1968, 12, 12)),
    (None, "+8613800000011", "Oscar Outsider", "欧外人", date(1999, 12, 12)),
]


def demo_ric(birth: date, serial: int) -> str:
    """A checksum-valid resident ID number (Beijing Dongcheng area code) for demo people."""
    body = f"110101{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def demo_uscc() -> str:
    body = "91110108MA01B7T2X"
    return body + uscc.calc_check_digit(body)


def totp_key_for(mobile: str) -> bytes:
    """A fixed per-person TOTP key, so demo staff can add it to an authenticator once."""
    return f"ecourt-demo-totp{mobile[-4:]}".encode()[:20].ljust(20, b"0")


def demo_image(text: str) -> ContentFile:
    """A small PNG standing in for a scanned document, so review pages show something."""
    image = Image.new("RGB", (480, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 471, 291), outline="black", width=3)
    draw.text((24, 24), f"DEMO - {text}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="demo.png")


def load() -> list[dict[str, str]]:
    now = timezone.now()
    terms = terms_current()
    rows = []
    for serial, (role, mobile, name, legal_name, birth) in enumerate(PEOPLE, start=1):
        user = User.objects.filter(mobile=mobile).first()
        if user is None:
            user = User.objects.create_user(
                mobile,
                DEMO_PASSWORD,
                display_name=name,
                preferred_language="zh-hans",
                mobile_verified_at=now,
            )
        if not user.identity_verified_at:
            IdentityVerification.objects.create(
                user=user,
                document_type=IdentityDocumentType.RESIDENT_ID,
                legal_name=legal_name,
                document_number=demo_ric(birth, serial * 2),
                birth_date=birth,
                status=ReviewStatus.VERIFIED,
                method=DEMO_MARK,
                reviewed_at=now,
            )
            user.identity_verified_at = now
            user.save(update_fields=["identity_verified_at"])
        RoleGrant.objects.get_or_create(user=user, role=Role.LITIGANT)
        if role is not None and role != Role.LITIGANT:
            RoleGrant.objects.get_or_create(user=user, role=role)
        if role == Role.COURT_ADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if (
            terms
            and not ConsentRecord.objects.filter(
                user=user, terms=terms, withdrawn_at__isnull=True
            ).exists()
        ):
            ConsentRecord.objects.create(user=user, terms=terms)
        if role == Role.COMPANY_REPRESENTATIVE:
            company, _created = Company.objects.get_or_create(
                uscc=demo_uscc(),
                defaults={
                    "name": "Beta Tech Co., Ltd. / 贝塔科技有限公司",
                    "legal_representative": "李博",
                    "created_by": user,
                    "status": ReviewStatus.VERIFIED,
                    "method": DEMO_MARK,
                    "reviewed_at": now,
                },
            )
            if not CompanyRepresentative.objects.filter(company=company, user=user).exists():
                CompanyRepresentative.objects.create(
                    company=company,
                    user=user,
                    position="Legal counsel",
                    authorisation_letter=demo_image("letter of authorisation"),
                    status=ReviewStatus.VERIFIED,
                    method=DEMO_MARK,
                    reviewed_at=now,
                )
        if role == Role.LAWYER and not LawyerProfile.objects.filter(user=user).exists():
            LawyerProfile.objects.create(
                user=user,
                licence_number="11101201810000003",
                law_firm="Demo Law Firm / 示范律师事务所",
                licence_image=demo_image("lawyer licence"),
                status=ReviewStatus.VERIFIED,
                method=DEMO_MARK,
                reviewed_at=now,
            )
        totp = ""
        if role in STAFF_ROLES:
            key = totp_key_for(mobile)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(
                    user=user, name="demo", confirmed=True, key=key.hex()
                )
            totp = base64.b32encode(device.bin_key).decode().rstrip("=")
        rows.append(
            {
                "role": str(role.label) if role else "outsider",
                "login": mobile[3:],
                "name": name,
                "password": DEMO_PASSWORD,
                "totp": totp,
            }
        )
    return rows
