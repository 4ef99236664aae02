"""Scheduling rules: half-open overlap (checked against a brute-force minute grid), weekend
and holiday warnings from China's calendar, the length bounds and the statutory notice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ecourt.core.deadlines import DEFAULT_CALENDAR, calendar_with
from ecourt.hearings import rules

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = datetime(2026, 9, 14, 9, 0, tzinfo=SHANGHAI)
minute = st.integers(min_value=0, max_value=180)


def at(m: int) -> datetime:
    return BASE + timedelta(minutes=m)


@given(minute, minute, minute, minute)
def test_overlaps_agrees_with_a_minute_grid(a0: int, a1: int, b0: int, b1: int) -> None:
    grid = set(range(a0, a1)) & set(range(b0, b1))
    assert rules.overlaps(at(a0), at(a1), at(b0), at(b1)) is bool(grid)


@given(minute, minute, minute, minute)
def test_overlaps_is_symmetric(a0: int, a1: int, b0: int, b1: int) -> None:
    assert rules.overlaps(at(a0), at(a1), at(b0), at(b1)) == rules.overlaps(
        at(b0), at(b1), at(a0), at(a1)
    )


def test_back_to_back_hearings_do_not_overlap() -> None:
    assert not rules.overlaps(at(0), at(60), at(60), at(120))
    assert rules.overlaps(at(0), at(61), at(60), at(120))


def test_a_saturday_is_a_weekend() -> None:
    saturday = datetime(2026, 9, 26, 9, 30, tzinfo=SHANGHAI)
    assert rules.calendar_warnings(saturday, DEFAULT_CALENDAR) == [rules.WEEKEND]


def test_national_day_is_a_holiday() -> None:
    national_day = datetime(2026, 10, 1, 9, 30, tzinfo=SHANGHAI)  # a Thursday
    assert rules.calendar_warnings(national_day, DEFAULT_CALENDAR) == [rules.HOLIDAY]


def test_a_working_weekday_warns_nothing_and_the_court_table_counts() -> None:
    tuesday = datetime(2026, 9, 22, 9, 30, tzinfo=SHANGHAI)
    assert rules.calendar_warnings(tuesday, DEFAULT_CALENDAR) == []
    closed = calendar_with(days_off=[date(2026, 9, 22)])
    assert rules.calendar_warnings(tuesday, closed) == [rules.HOLIDAY]
    opened = calendar_with(working_days=[date(2026, 9, 26)])
    assert rules.calendar_warnings(datetime(2026, 9, 26, 9, tzinfo=SHANGHAI), opened) == []


def test_the_length_is_bounded() -> None:
    assert not rules.length_ok(rules.MIN_MINUTES - 1)
    assert rules.length_ok(rules.MIN_MINUTES)
    assert rules.length_ok(rules.MAX_MINUTES)
    assert not rules.length_ok(rules.MAX_MINUTES + 1)

    assert timedelta(days=3) == rules.MIN_NOTICE
    assert rules.MIN_NOTICE / timedelta(days=1) == 3
    assert rules.notice_ok(BASE + timedelta(days=3), BASE)
    assert not rules.notice_ok(BASE + timedelta(days=3) - timedelta(minutes=1), BASE)
