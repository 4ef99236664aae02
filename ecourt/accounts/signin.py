"""Writes for signing in: the login history and staff TOTP enrolment."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.models import LoginEvent, User
from ecourt.core import context
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError


def login_record(*, user: User | None, succeeded: bool, method: str, user_agent: str) -> None:
    LoginEvent.objects.create(
        user=user,
        succeeded=succeeded,
        method=method,
        ip_hash=context.current().ip_hash,
        user_agent=user_agent[:300],
    )


def totp_device_start(*, actor: User) -> TOTPDevice:
    """Create (or reuse) the person's unconfirmed authenticator device for enrolment."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
    return device


def totp_device_confirm(*, actor: User, device_id: int, token: str) -> TOTPDevice:
    """Confirm enrolment with a first code from the authenticator app."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device_id, user=actor)
        if device.confirmed:
            return device
        if not device.verify_token(token.strip()):
            raise DomainError(
                _("That code is not right. Check the time on your phone and try the newest code."),
                code="totp_wrong",
                field="token",
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator per person: an older confirmed device stops working.
        TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
        audit_record(code="ecourt.accounts.totp.enrolled", actor=actor, target=actor)
    return device


def totp_device_reset(*, actor: User, user_id: int) -> int:
    """A court administrator removes a person's authenticator (lost phone); they enrol again."""
    from ecourt.accounts.roles import Role
    from ecourt.core.errors import PermissionDenied

    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(
            _("Only a court administrator may reset authenticators."), code="not_admin"
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        deleted, _count = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            code="ecourt.accounts.totp.reset",
            actor=actor,
            target=user,
            new={"devices_removed": deleted},
        )
    return int(deleted)
