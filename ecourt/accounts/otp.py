"""One-time codes sent by SMS or email: 6 digits, keyed hash only, 10-minute expiry,
5 attempts, a 60-second resend throttle and hourly limits per destination and per client.

Used for sign-up, contact changes and password reset now, and by later capabilities
whenever a person must confirm an act with a fresh code (signing a record, a settlement).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecourt.accounts.models import OneTimeCode, User
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError, RateLimited
from ecourt.core.services import message_queue


class CodeError(DomainError):
    pass


def _hash_code(*, destination: str, purpose: str, code: str) -> str:
    key = hashlib.sha256(("ecourt-otp:" + settings.SECRET_KEY).encode()).digest()
    message = f"{purpose}\x00{destination}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _message_text(code: str, minutes: int) -> str:
    court = get_court_profile()
    return _(
        "[%(court)s] Your verification code is %(code)s. It expires in %(minutes)d minutes. "
        "Court staff will never ask you for it."
    ) % {"court": court.name, "code": code, "minutes": minutes}


def _lock(key: str) -> None:
    """A transaction-scoped lock on ``key``. PostgreSQL: an advisory lock. SQLite needs none:
    its transactions start IMMEDIATE (settings), so writers already run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def otp_send(
    *,
    channel: str,
    destination: str,
    purpose: str,
    ip_hash: str,
    language: str,
    user: User | None = None,
) -> OneTimeCode:
    """Create a code and queue its message. Raises ``RateLimited`` with the wait in the message."""
    with transaction.atomic():
        # Serialise sends per destination and per client, or parallel requests would all pass
        # the counts below before any of them is written.
        _lock(f"otp:dest:{destination}")
        if ip_hash:
            _lock(f"otp:ip:{ip_hash}")
        now = timezone.now()
        hour_ago = now - timedelta(hours=1)
        recent = OneTimeCode.objects.filter(destination=destination, created_at__gte=hour_ago)
        last = recent.filter(purpose=purpose).order_by("-created_at").first()
        if last is not None:
            wait = settings.ECOURT_OTP_RESEND_SECONDS - int((now - last.created_at).total_seconds())
            if wait > 0:
                raise RateLimited(
                    ngettext(
                        "A code was just sent. You can ask for a new one in %(seconds)d second.",
                        "A code was just sent. You can ask for a new one in %(seconds)d seconds.",
                        wait,
                    )
                    % {"seconds": wait},
                    code="otp_resend_too_soon",
                )
        if recent.count() >= settings.ECOURT_OTP_PER_DESTINATION_PER_HOUR:
            raise RateLimited(
                _("Too many codes were sent to this address in the last hour. Try again later."),
                code="otp_destination_limit",
            )
        if (
            ip_hash
            and OneTimeCode.objects.filter(ip_hash=ip_hash, created_at__gte=hour_ago).count()
            >= settings.ECOURT_OTP_PER_IP_PER_HOUR
        ):
            raise RateLimited(
                _(
                    "Too many codes were requested from your network in the last hour. "
                    "Try again later."
                ),
                code="otp_ip_limit",
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        otp = OneTimeCode.objects.create(
            channel=channel,
            destination=destination,
            purpose=purpose,
            code_hash=_hash_code(destination=destination, purpose=purpose, code=code),
            user=user,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.ECOURT_OTP_TTL_SECONDS),
            ip_hash=ip_hash,
        )
        minutes = settings.ECOURT_OTP_TTL_SECONDS // 60
        with translation.override(language):
            body = _message_text(code, minutes)
            subject = _("Your verification code")
        message_queue(
            channel=channel,
            to=destination,
            subject=subject,
            body=body,
            purpose=f"otp.{purpose}",
            sensitive=True,
        )
    return otp


def otp_verify(*, destination: str, purpose: str, code: str) -> OneTimeCode:
    """Consume the newest live code for this destination and purpose, or raise ``CodeError``.

    A wrong guess is counted even though the call raises: the counter is committed before the
    error leaves this function.
    """
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(destination=destination, purpose=purpose, consumed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise CodeError(
                _("No code is waiting for this number. Ask for a new code."),
                code="otp_missing",
                field="code",
            )
        if otp.expires_at <= now:
            raise CodeError(
                _("This code has expired. Ask for a new code."), code="otp_expired", field="code"
            )
        if otp.attempts >= settings.ECOURT_OTP_MAX_ATTEMPTS:
            raise CodeError(
                _("Too many wrong codes. Ask for a new code."),
                code="otp_too_many_attempts",
                field="code",
            )
        expected = _hash_code(destination=destination, purpose=purpose, code=code)
        if len(code) == 6 and code.isdigit() and hmac.compare_digest(expected, otp.code_hash):
            otp.consumed_at = now
            otp.save(update_fields=["consumed_at"])
            return otp
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
        left = settings.ECOURT_OTP_MAX_ATTEMPTS - otp.attempts
    # Raised after the block so the attempt counter above is committed.
    if left <= 0:
        raise CodeError(
            _("Too many wrong codes. Ask for a new code."),
            code="otp_too_many_attempts",
            field="code",
        )
    raise CodeError(
        ngettext(
            "That code is not right. You have %(left)d more try.",
            "That code is not right. You have %(left)d more tries.",
            left,
        )
        % {"left": left},
        code="otp_wrong",
        field="code",
    )
