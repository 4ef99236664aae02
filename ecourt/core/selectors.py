"""Reads shared by all capabilities: searching the audit trail."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from ecourt.core.deadlines import CourtCalendar, calendar_with
from ecourt.core.models import AuditEvent


def audit_events_search(
    *,
    actor: str = "",
    code: str = "",
    target_type: str = "",
    target_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "target_type")
    actor = actor.replace("\x00", "").strip()
    if actor:
        condition = Q(actor_repr__icontains=actor)
        if re.fullmatch(r"[0-9]{1,18}", actor):  # str.isdigit() also says yes to "²"
            condition |= Q(actor_id=int(actor))
        events = events.filter(condition)
    prefix = code.replace("\x00", "").strip()
    if prefix:
        if connection.vendor == "sqlite":
            # SQLite's LIKE (case-insensitive, with ESCAPE) cannot use the index on code; a range
            # can, and codes are ASCII so byte order is the order here.
            events = events.filter(code__gte=prefix, code__lt=prefix + "\uffff")
        else:
            # Elsewhere the column's collation may not order by code point; LIKE is exact.
            events = events.filter(code__startswith=prefix)
    if target_type:
        app_label, _dot, model = target_type.partition(".")
        events = events.filter(target_type__app_label=app_label, target_type__model=model)
    target_id = target_id.replace("\x00", "").strip()
    if target_id:
        events = events.filter(target_id=target_id)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
        events = events.filter(created_at__lt=end)
    return events.order_by("-created_at", "-id")


def court_calendar() -> CourtCalendar:
    """The court's working-day calendar: China's holidays plus the administrator's table."""
    from ecourt.core.models import CalendarDay

    rows = list(CalendarDay.objects.values_list("day", "kind"))
    return calendar_with(
        days_off=[day for day, kind in rows if kind == CalendarDay.Kind.DAY_OFF],
        working_days=[day for day, kind in rows if kind == CalendarDay.Kind.WORKING_DAY],
    )


def court_today() -> date:
    """Today's date in the court's time zone (the date the law counts from)."""
    return timezone.localdate()
