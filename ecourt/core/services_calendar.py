"""Writes of the court calendar: days the ``holidays`` package does not know yet.

Period counting (``ecourt.core.deadlines`` through ``selectors.court_calendar``) reads the
table at once, so a day added here moves every deadline computed afterwards; deadlines already
stored keep their due date.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import CalendarDay
from ecourt.core.text import clean_text


def calendar_day_add(*, actor: User, day: date, kind: str, note: str) -> CalendarDay:
    """A court administrator records a day off (holiday, closure) or an adjusted working day,
    with the notice that says so. One row per day: a second entry for a day is refused."""
    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(
            _("Only a court administrator may change the court calendar."), code="not_admin"
        )
    if kind not in CalendarDay.Kind.values:
        raise DomainError(
            _("Choose a day off or a working day."), code="kind_invalid", field="kind"
        )
    note = clean_text(note, field="note", max_length=200, required=False)
    if not note:
        raise DomainError(
            _("Name the notice or decision that sets this day."),
            code="note_missing",
            field="note",
        )
    duplicate = DomainError(
        _("%(day)s is already in the court calendar.") % {"day": day.isoformat()},
        code="day_exists",
        field="day",
    )
    try:
        with transaction.atomic():
            if CalendarDay.objects.select_for_update().filter(day=day).exists():
                raise duplicate
            entry = CalendarDay.objects.create(day=day, kind=kind, note=note, added_by=actor)
            audit_record(
                code="ecourt.core.calendar_day.added",
                actor=actor,
                target=entry,
                new={"day": day, "kind": kind, "note": note},
            )
    except IntegrityError:
        # Two administrators added the same day at once; the other one's row stands.
        raise duplicate from None
    return entry
