from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import django_auth

from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import Role
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError
from ecourt.core.forms import AuditSearchForm
from ecourt.core.selectors import audit_events_search

router = Router(tags=["court"])


class CourtOut(Schema):
    name_en: str
    name_zh: str
    code: str
    time_zone: str


@router.get("/court", response=CourtOut, auth=None, summary="The court this platform serves")
def court(request: HttpRequest) -> CourtOut:
    profile = get_court_profile()
    return CourtOut(
        name_en=profile.name_en,
        name_zh=profile.name_zh,
        code=profile.code,
        time_zone=str(profile.time_zone),
    )


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    code: str
    actor_id: int | None
    actor_repr: str
    target_type: str | None
    target_id: str
    target_repr: str
    old_values: dict[str, Any]
    new_values: dict[str, Any]
    request_id: str


class AuditPageOut(Schema):
    count: int
    events: list[AuditEventOut]


@router.get(
    "/audit-events",
    response=AuditPageOut,
    auth=django_auth,
    tags=["staff"],
    summary="Search the audit trail (court administrators); newest first",
)
def audit_events(
    request: HttpRequest,
    actor: str = "",
    code: str = "",
    target_type: str = "",
    target_id: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> AuditPageOut:
    require_roles(request.user, Role.COURT_ADMIN)
    form = AuditSearchForm(
        {
            "actor": actor,
            "code": code,
            "target_type": target_type,
            "target_id": target_id,
            "since": since,
            "until": until,
        }
    )
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise DomainError(" ".join(str(e) for e in errors), code="invalid_filter", field=field)
    events = audit_events_search(**form.cleaned_data)
    return AuditPageOut(
        count=events.count(),
        events=[
            AuditEventOut(
                id=event.pk,
                created_at=event.created_at,
                code=event.code,
                actor_id=event.actor_id,
                actor_repr=event.actor_repr,
                target_type=(
                    f"{event.target_type.app_label}.{event.target_type.model}"
                    if event.target_type
                    else None
                ),
                target_id=event.target_id,
                target_repr=event.target_repr,
                old_values=event.old_values,
                new_values=event.new_values,
                request_id=event.request_id,
            )
            for event in events[offset : offset + limit]
        ],
    )
