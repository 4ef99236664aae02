"""Template helpers that keep identity data masked unless the viewer may see it whole."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from ecourt.accounts import rules
from ecourt.accounts.roles import IDENTITY_REVIEWER_ROLES

register = template.Library()


@register.filter
def mask_mobile(value: str) -> str:
    return rules.mask_mobile(value or "")


@register.filter
def mask_name(value: str) -> str:
    return rules.mask_name(value or "")


@register.filter
def mask_id(value: str) -> str:
    return rules.mask_identifier(value or "")


def may_see_identity(viewer: Any, owner_id: int) -> bool:
    """The owner and TOTP-verified identity reviewers see identity numbers in full."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk == owner_id:
        return True
    return bool(viewer.has_role(*IDENTITY_REVIEWER_ROLES) and viewer.is_verified())


@register.simple_tag(takes_context=True)
def identity_number(context: dict[str, Any], identity: Any) -> str:
    viewer = context.get("user")
    if identity is None:
        return ""
    if may_see_identity(viewer, identity.user_id):
        return str(identity.document_number)
    return rules.mask_identifier(identity.document_number)


@register.simple_tag
def sms_outbox_enabled() -> bool:
    return bool(settings.ECOURT_SMS_OUTBOX_PAGE and settings.ECOURT_SMS_BACKEND == "file")


@register.simple_tag(takes_context=True)
def identity_name(context: dict[str, Any], identity: Any) -> str:
    """The legal name, masked like the number for viewers who may not see identity data."""
    if identity is None:
        return ""
    if may_see_identity(context.get("user"), identity.user_id):
        return str(identity.legal_name)
    return rules.mask_name(identity.legal_name)
