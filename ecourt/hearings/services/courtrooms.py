"""The court administrator's courtrooms: virtual rooms that hearings are scheduled in, each
with its own video-conference link template (or the court's). Only Role.COURT_ADMIN.

A courtroom is never deleted (hearings point at it); it is deactivated instead, which takes it
off the scheduling form. Deactivating one that still has hearings to come is refused: move or
cancel them first, so no summons names a room that no longer opens."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.text import clean_text
from ecourt.hearings.models import BUSY_STATUSES, Courtroom, Hearing

NAME_MAX = Courtroom._meta.get_field("name").max_length or 100
URL_MAX = Courtroom._meta.get_field("meeting_url_template").max_length or 300
CODE_MIN, CODE_MAX = 2, 40
#: Lower-case letters, digits, hyphens and underscores (a slug, as typed in room names).
CODE_RE = re.compile(r"^[a-z0-9_-]+\Z")
ROOM = "{room}"


def require_court_admin(actor: User) -> None:
    """Courtrooms are managed by the court administrator alone."""
    if not (actor.is_authenticated and actor.has_role(Role.COURT_ADMIN)):
        raise PermissionDenied(
            _("Only a court administrator may manage courtrooms."), code="not_court_admin"
        )


def _clean_name(name: str, *, exclude: int | None = None) -> str:
    name = clean_text(name, field="name", max_length=NAME_MAX)
    taken = Courtroom.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise DomainError(
            _("A courtroom of this name exists already."), code="name_taken", field="name"
        )
    return name


def _clean_code(code: str) -> str:
    code = clean_text(code, field="code", max_length=CODE_MAX).lower()
    if len(code) < CODE_MIN or not CODE_RE.match(code):
        raise DomainError(
            _(
                "The code is %(min)d to %(max)d characters: lower-case letters, digits, "
                "hyphens and underscores, e.g. online-2."
            )
            % {"min": CODE_MIN, "max": CODE_MAX},
            code="code_invalid",
            field="code",
        )
    if Courtroom.objects.filter(code__iexact=code).exists():
        raise DomainError(
            _("A courtroom with this code exists already."), code="code_taken", field="code"
        )
    return code


def _clean_url_template(template: str) -> str:
    """Empty (the court's ``ECOURT_MEETING_URL_TEMPLATE``) or an http(s) URL with {room}."""
    field = "meeting_url_template"
    template = clean_text(template, field=field, max_length=URL_MAX, required=False)
    if not template:
        return ""
    message = _(
        "Enter an http:// or https:// address containing {room} where the meeting room's "
        "name goes, e.g. https://meet.example.cn/{room}, or leave it empty to use the "
        "court's."
    )
    if ROOM not in template or " " in template:
        raise DomainError(message, code="meeting_url_invalid", field=field)
    try:
        URLValidator(schemes=["http", "https"])(template.replace(ROOM, "room"))
    except ValidationError:
        raise DomainError(message, code="meeting_url_invalid", field=field) from None
    return template


def _values(room: Courtroom) -> dict[str, object]:
    return {
        "name": room.name,
        "code": room.code,
        "meeting_url_template": room.meeting_url_template,
        "is_active": room.is_active,
    }


def courtroom_create(
    *, actor: User, name: str, code: str, meeting_url_template: str = ""
) -> Courtroom:
    """A new active courtroom. ``code`` cannot change afterwards."""
    require_court_admin(actor)
    name = _clean_name(name)
    code = _clean_code(code)
    template = _clean_url_template(meeting_url_template)
    try:
        with transaction.atomic():
            room = Courtroom.objects.create(
                name=name, code=code, meeting_url_template=template, is_active=True
            )
            audit_record(
                code="ecourt.hearings.courtroom.created",
                actor=actor,
                target=room,
                new=_values(room),
            )
    except IntegrityError:
        # Someone else took the name or code between the check and the insert.
        _clean_name(name)
        _clean_code(code)
        raise
    return room


def courtroom_update(
    *,
    actor: User,
    courtroom_id: int,
    name: str,
    meeting_url_template: str,
    is_active: bool,
) -> Courtroom:
    """Rename a courtroom, change its meeting link, or (de)activate it.

    Deactivation is refused while hearings in it are scheduled or running and not yet over."""
    require_court_admin(actor)
    name = clean_text(name, field="name", max_length=NAME_MAX)
    template = _clean_url_template(meeting_url_template)
    try:
        with transaction.atomic():
            room = Courtroom.objects.select_for_update().filter(pk=courtroom_id).first()
            if room is None:
                raise DomainError(_("No such courtroom."), code="not_found")
            if name != room.name:
                _clean_name(name, exclude=room.pk)
            if room.is_active and not is_active:
                _refuse_if_booked(room)
            old = _values(room)
            room.name, room.meeting_url_template, room.is_active = name, template, is_active
            new = _values(room)
            changed = [field for field in new if new[field] != old[field]]
            if not changed:
                return room
            room.save(update_fields=changed)
            audit_record(
                code="ecourt.hearings.courtroom.updated",
                actor=actor,
                target=room,
                old={field: old[field] for field in changed},
                new={field: new[field] for field in changed},
            )
    except IntegrityError:
        _clean_name(name, exclude=courtroom_id)
        raise
    return room


def _refuse_if_booked(room: Courtroom) -> None:
    booked = Hearing.objects.filter(
        courtroom=room, status__in=BUSY_STATUSES, ends_at__gt=timezone.now()
    ).count()
    if booked:
        raise DomainError(
            ngettext(
                "%(count)d hearing to come is scheduled in this courtroom. Move or cancel it "
                "before deactivating the courtroom.",
                "%(count)d hearings to come are scheduled in this courtroom. Move or cancel "
                "them before deactivating the courtroom.",
                booked,
            )
            % {"count": booked},
            code="courtroom_in_use",
            field="is_active",
        )
