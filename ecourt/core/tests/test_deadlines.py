"""Periods counted the way the Civil Procedure Law counts them (Art. 85), with China's holiday
calendar and its adjusted working days."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecourt.core.deadlines import (
    PERIODS,
    CourtCalendar,
    calendar_with,
    deadline,
    period_end,
)

CAL = CourtCalendar()


def test_it_does_not_count_the_starting_day():
    # Served on Tuesday 2026-03-10: 15 days end on Wednesday 2026-03-25.
    assert period_end(date(2026, 3, 10), 15) == date(2026, 3, 25)


def test_it_moves_an_end_on_a_weekend_to_monday():
    # 2026-03-13 + 15 days = Saturday 2026-03-28 → Monday 2026-03-30.
    assert period_end(date(2026, 3, 13), 15) == date(2026, 3, 30)


def test_it_moves_an_end_in_the_spring_festival_past_the_whole_holiday():
    # 2026-02-01 + 15 = 2026-02-16 (New Year's Eve); off until Monday 23rd: due Tuesday 24th.
    assert period_end(date(2026, 2, 1), 15) == date(2026, 2, 24)


def test_it_counts_an_adjusted_working_saturday_as_a_working_day():
    # Saturday 2026-02-14 is a working day in exchange for the Spring Festival.
    assert CAL.is_working_day(date(2026, 2, 14))
    assert period_end(date(2026, 2, 9), 5) == date(2026, 2, 14)


def test_it_moves_an_end_in_the_national_day_holiday_to_the_first_working_day():
    end = period_end(date(2026, 9, 26), 5)  # 2026-10-01
    assert end > date(2026, 10, 1)
    assert CAL.is_working_day(end)
    assert all(not CAL.is_working_day(date(2026, 10, d)) for d in range(1, end.day))


def test_it_counts_months_to_the_same_day_or_the_month_end():
    assert period_end(date(2026, 3, 16), 6, "months") == date(2026, 9, 16)
    # 31 August + 6 months: February has no 31st → its last day, a Sunday in 2027 → Monday.
    assert period_end(date(2026, 8, 31), 6, "months") == date(2027, 3, 1)


def test_it_lets_a_court_add_days_the_holiday_package_does_not_know_yet():
    court = calendar_with(days_off=[date(2026, 3, 25)], working_days=[date(2026, 3, 28)])
    assert period_end(date(2026, 3, 10), 15, court_calendar=court) == date(2026, 3, 26)
    assert period_end(date(2026, 3, 13), 15, court_calendar=court) == date(2026, 3, 28)


def test_it_knows_the_periods_of_filing_and_trial_with_their_basis():
    answer = deadline("answer", date(2026, 3, 10))
    assert answer.due == date(2026, 3, 25)
    assert answer.rule.basis == "CPL Art. 128"
    assert answer.days_left(date(2026, 3, 20)) == 5
    assert answer.days_left(date(2026, 3, 26)) == -1
    assert {
        "filing_decision",
        "complaint_service",
        "answer",
        "appeal_judgment",
        "appeal_ruling",
        "trial_ordinary",
        "trial_simplified",
    } <= set(PERIODS)


def test_it_refuses_an_empty_period():
    with pytest.raises(ValueError):
        period_end(date(2026, 3, 10), 0)


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 30)),
    st.integers(min_value=1, max_value=60),
)
def test_it_always_ends_on_a_working_day_no_earlier_than_the_plain_count(start, days):
    end = period_end(start, days)
    assert CAL.is_working_day(end)
    assert (end - start).days >= days
    # Only days off lie between the plain count and the end.
    plain = start.toordinal() + days
    assert all(not CAL.is_working_day(date.fromordinal(d)) for d in range(plain, end.toordinal()))
