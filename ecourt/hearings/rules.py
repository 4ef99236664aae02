"""Statutory and court rules for scheduling hearings, as data and pure functions (no models).

- Overlap: a hearing holds its judge, clerk, courtroom and the parties' agents over the
  half-open interval ``[starts_at, ends_at)``; one ending at 10:00 does not clash with one
  starting at 10:00.
- Notice: CPL Art. 139 (2021 text; Art. 136 in the 2017 text; the number after the 2023
  amendment is [unverified]): the court notifies the parties and other participants of the
  hearing three days before it. The platform refuses a start less than three days away.
- Calendar: a hearing on a weekend or a statutory holiday (China's calendar in
  ``ecourt.core.deadlines``, plus the court's own table) is allowed but warned about.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ecourt.core.deadlines import CourtCalendar

#: CPL Art. 139 (2021 text; [unverified] after the 2023 amendment): "人民法院审理民事案件，
#: 应当在开庭三日前通知当事人和其他诉讼参与人". The summons must go out at least this long
#: before the hearing starts.
MIN_NOTICE = timedelta(days=3)

#: A hearing's length in minutes: court practice, not statute (the court's scheduling
#: table works in slots of at least 10 minutes and at most one working day).
MIN_MINUTES = 10
MAX_MINUTES = 480

#: Warning codes stored on Hearing.warnings.
WEEKEND = "weekend"
HOLIDAY = "holiday"


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether ``[a_start, a_end)`` and ``[b_start, b_end)`` share an instant. Empty
    intervals (end <= start) overlap nothing."""
    if a_end <= a_start or b_end <= b_start:
        return False
    return a_start < b_end and b_start < a_end


def ends_at(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def length_ok(minutes: int) -> bool:
    return MIN_MINUTES <= minutes <= MAX_MINUTES


def notice_ok(start: datetime, now: datetime) -> bool:
    """Whether a hearing at ``start`` leaves the statutory notice (MIN_NOTICE) from ``now``."""
    return start - now >= MIN_NOTICE


def calendar_warnings(start: datetime, court_calendar: CourtCalendar) -> list[str]:
    """Warning codes for a hearing starting at ``start`` (aware, read in court time by the
    caller: pass ``timezone.localtime(start)``): WEEKEND on a Saturday or Sunday that is not
    an adjusted working day, HOLIDAY on a statutory holiday or a day the court marked off."""
    day = start.date()
    if court_calendar.is_working_day(day):
        return []
    codes: list[str] = []
    if day.weekday() >= 5:
        codes.append(WEEKEND)
    # The package's holidays plus the court's own days off; a plain weekday that is not a
    # working day is a holiday too (a moved day off, 调休).
    days_off, _workdays = court_calendar._year(day.year)
    if day in days_off or day in court_calendar.extra_days_off or day.weekday() < 5:
        codes.append(HOLIDAY)
    return codes
