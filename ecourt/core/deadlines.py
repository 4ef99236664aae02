"""Counting periods the law sets, in one place for every capability.

Civil Procedure Law (CPL; article numbers of the 2021 text, Art. 82 in the 2017 text; the
numbering after the 2023 amendment is unverified) Art. 85: a period counted in days,
months or years does not include the day it starts; when its last day falls on a statutory
holiday, the period ends on the first working day after it. The Supreme People's Court reads
"statutory holiday" to include weekends, and China's State Council moves working days around
public holidays each year (调休): a Saturday may be a working day, a Monday a day off. The
calendar below follows the State Council notices as published in the ``holidays`` package,
and a court can add days the package does not know yet (e.g. next year's notice) through
``CourtCalendar(extra_days_off=…, extra_working_days=…)``.

A month-counted period ends on the day of the last month with the same number as the start
day, or on that month's last day when it has no such day (CPL Art. 85; SPC Interpretation
Art. 125).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _china_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """China's days off and adjusted working days in ``year``. Cached for the process: building
    the package's calendar costs about 2 ms, and every stored deadline needs it."""
    cn = holidays.China(years=year)
    return frozenset(cn.keys()), frozenset(cn.weekend_workdays)


@dataclass(frozen=True)
class CourtCalendar:
    """Which days are working days at the court."""

    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        return _china_year(year)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        days_off, weekend_workdays = self._year(day.year)
        if day in days_off:
            return False
        if day in weekend_workdays:
            return True
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


DEFAULT_CALENDAR = CourtCalendar()


class Unit(StrEnum):
    DAYS = "days"
    MONTHS = "months"


@dataclass(frozen=True)
class PeriodRule:
    """A period the law sets: its length and where it comes from."""

    code: str
    length: int
    unit: Unit
    basis: str
    description: str


#: The periods of filing and trial (issue 3); later capabilities add theirs here.
PERIODS: dict[str, PeriodRule] = {
    rule.code: rule
    for rule in (
        PeriodRule(
            "filing_decision",
            7,
            Unit.DAYS,
            "CPL Art. 126",
            "Decide whether to docket a complaint, counted from its receipt",
        ),
        PeriodRule(
            "complaint_service",
            5,
            Unit.DAYS,
            "CPL Art. 128",
            "Serve a copy of the complaint on the defendant, counted from docketing",
        ),
        PeriodRule(
            "answer",
            15,
            Unit.DAYS,
            "CPL Art. 128",
            "File an answer, counted from service of the complaint",
        ),
        PeriodRule(
            "appeal_judgment",
            15,
            Unit.DAYS,
            "CPL Art. 171",
            "Appeal a first-instance judgment, counted from its service",
        ),
        PeriodRule(
            "appeal_ruling",
            10,
            Unit.DAYS,
            "CPL Art. 171",
            "Appeal a ruling, counted from its service",
        ),
        PeriodRule(
            "trial_ordinary",
            6,
            Unit.MONTHS,
            "CPL Art. 152",
            "Conclude a first-instance case under the ordinary procedure, from docketing",
        ),
        PeriodRule(
            "trial_simplified",
            3,
            Unit.MONTHS,
            "CPL Art. 164",
            "Conclude a case under the simplified procedure, from docketing",
        ),
    )
}


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def period_end(
    start: date,
    length: int,
    unit: Unit | str = Unit.DAYS,
    *,
    court_calendar: CourtCalendar = DEFAULT_CALENDAR,
) -> date:
    """The last day of a period that starts on ``start`` (which is not counted)."""
    if length < 1:
        raise ValueError("a period is at least one day or month long")
    unit = Unit(unit)
    last = start + timedelta(days=length) if unit == Unit.DAYS else _add_months(start, length)
    return court_calendar.next_working_day(last)


@dataclass(frozen=True)
class Deadline:
    rule: PeriodRule
    start: date
    due: date

    def days_left(self, today: date) -> int:
        """Whole days until the due date (0 on the day itself, negative when missed)."""
        return (self.due - today).days


def deadline(
    code: str, start: date, *, court_calendar: CourtCalendar = DEFAULT_CALENDAR
) -> Deadline:
    rule = PERIODS[code]
    return Deadline(
        rule=rule,
        start=start,
        due=period_end(start, rule.length, rule.unit, court_calendar=court_calendar),
    )


def calendar_with(
    *, days_off: Iterable[date] = (), working_days: Iterable[date] = ()
) -> CourtCalendar:
    return CourtCalendar(
        extra_days_off=frozenset(days_off), extra_working_days=frozenset(working_days)
    )
