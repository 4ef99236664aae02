"""Writing the audit trail. Every service calls ``audit_record`` inside its transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ecourt.core import context
from ecourt.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def audit_record(
    *,
    code: str,
    actor: Any,
    target: models.Model | None = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``actor`` is a user, or None for the system.

    Never pass secrets (passwords, codes, full identity numbers) in ``old``/``new``: the trail is
    shown to staff.
    """
    ctx = context.current()
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        code=code,
        actor=actor if is_person else None,
        actor_repr=str(actor)[:200] if is_person else "system",
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        old_values=_jsonable(dict(old or {})),
        new_values=_jsonable(dict(new or {})),
        request_id=ctx.request_id,
        ip_hash=ctx.ip_hash,
    )
