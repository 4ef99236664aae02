"""The mediation rules: assignment by specialty and load (Hypothesis over random pools), the
period over holidays, and the single extension."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ecourt.core.deadlines import calendar_with
from ecourt.mediation.rules import (
    MediatorLoad,
    extension_allowed,
    mediation_due,
    mediator_eligible,
    mediator_pick,
)

TYPES = ["online_copyright_infringement", "online_shopping_contract", "domain_name"]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def pools(draw: st.DrawFn) -> list[MediatorLoad]:
    size = draw(st.integers(min_value=0, max_value=12))
    pool = []
    for mediator_id in draw(
        st.lists(st.integers(1, 1000), min_size=size, max_size=size, unique=True)
    ):
        capacity = draw(st.integers(0, 6))
        pool.append(
            MediatorLoad(
                mediator_id=mediator_id,
                specialties=frozenset(draw(st.lists(st.sampled_from(TYPES), max_size=3))),
                capacity=capacity,
                open_matters=draw(st.integers(0, 7)),
                last_assigned_at=draw(
                    st.none() | st.integers(0, 100).map(lambda h: EPOCH + timedelta(hours=h))
                ),
                languages=frozenset(draw(st.lists(st.sampled_from(["zh", "en"]), max_size=2))),
                active=draw(st.booleans()),
            )
        )
    return pool


@given(pool=pools(), case_type=st.sampled_from(TYPES), declined=st.sets(st.integers(1, 1000)))
def test_the_pick_is_eligible_and_nobody_eligible_is_less_loaded(pool, case_type, declined):
    picked = mediator_pick(pool, case_type=case_type, declined=declined)
    eligible = [m for m in pool if mediator_eligible(m, case_type=case_type, declined=declined)]
    if not eligible:
        assert picked is None
        return
    chosen = next(m for m in pool if m.mediator_id == picked)
    assert chosen in eligible
    assert chosen.mediator_id not in declined
    assert case_type in chosen.specialties and chosen.open_matters < chosen.capacity
    assert all(chosen.load <= other.load for other in eligible)
    for other in eligible:
        if other.load == chosen.load and other.last_assigned_at != chosen.last_assigned_at:
            # Ties on load go to the longest idle; never assigned is the idlest.
            assert chosen.last_assigned_at is None or (
                other.last_assigned_at is not None
                and chosen.last_assigned_at < other.last_assigned_at
            )


@given(pool=pools(), case_type=st.sampled_from(TYPES), seed=st.randoms())
def test_the_pick_does_not_depend_on_the_order_of_the_pool(pool, case_type, seed):
    shuffled = list(pool)
    seed.shuffle(shuffled)
    assert mediator_pick(pool, case_type=case_type) == mediator_pick(shuffled, case_type=case_type)


def test_it_prefers_the_share_of_capacity_over_the_count():
    part_time = MediatorLoad(1, frozenset(TYPES), capacity=4, open_matters=1)  # 25 %
    full_time = MediatorLoad(2, frozenset(TYPES), capacity=20, open_matters=2)  # 10 %
    assert mediator_pick([part_time, full_time], case_type=TYPES[0]) == 2


def test_it_asks_nobody_twice_and_waits_for_a_clerk_when_nobody_is_left():
    only = MediatorLoad(7, frozenset(TYPES), capacity=5, open_matters=0)
    assert mediator_pick([only], case_type=TYPES[0]) == 7
    assert mediator_pick([only], case_type=TYPES[0], declined=[7]) is None


def test_it_honours_the_language_asked_for():
    zh = MediatorLoad(1, frozenset(TYPES), capacity=5, open_matters=0, languages=frozenset({"zh"}))
    en = MediatorLoad(2, frozenset(TYPES), capacity=5, open_matters=3, languages=frozenset({"en"}))
    assert mediator_pick([zh, en], case_type=TYPES[0], language="en") == 2
    assert mediator_pick([zh, en], case_type=TYPES[0]) == 1


def test_the_period_is_thirty_days_and_ends_on_a_working_day():
    # Assigned Monday 7 September 2026: day 30 is Wednesday 7 October, inside the National
    # Day holiday (1–7 October 2026); the period ends on Thursday 8 October.
    assert mediation_due(date(2026, 9, 7)) == date(2026, 10, 8)
    assert mediation_due(date(2026, 3, 2)) == date(2026, 4, 1)
    closed = calendar_with(days_off=[date(2026, 4, 1)])
    assert mediation_due(date(2026, 3, 2), court_calendar=closed) == date(2026, 4, 2)
    assert mediation_due(date(2026, 3, 2), days=15) == date(2026, 3, 17)


def test_the_period_is_extended_once_and_only_with_everyone():
    assert extension_allowed(already_extended=False, parties=[1, 2], consenting=[2, 1, 3])
    assert not extension_allowed(already_extended=False, parties=[1, 2], consenting=[1])
    assert not extension_allowed(already_extended=True, parties=[1, 2], consenting=[1, 2])
    assert not extension_allowed(already_extended=False, parties=[], consenting=[])
