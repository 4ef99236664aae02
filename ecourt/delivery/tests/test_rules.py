"""The served-time rules as a table, the consent rule, the retry backoff and quiet hours.

Pure functions: no database. The table below is the one in docs/delivery.md read as data.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecourt.delivery import rules
from ecourt.delivery.rules import ServiceEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
CHANNELS = ("inbox", "sms", "email", "institution")

#: (confirmed, event) → rule code, or None: not served.
EXPECTED = {
    (True, "reached"): "confirmed.reached",
    (True, "read"): "confirmed.read",
    (True, "acted"): "confirmed.acted",
    (True, "none"): None,
    (False, "reached"): None,  # a number someone else typed proves nothing
    (False, "read"): "unconfirmed.read",
    (False, "acted"): "unconfirmed.acted",
    (False, "none"): None,
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("confirmed", "event"), list(EXPECTED))
def test_the_served_rule_table(confirmed, event, channel):
    events = [] if event == "none" else [ServiceEvent(event, T0, channel)]
    verdict = rules.served(confirmed=confirmed, events=events)
    expected = EXPECTED[(confirmed, event)]
    if expected is None:
        assert verdict is None
    else:
        assert verdict == (T0, expected)
        assert rules.RULES_BY_CODE[expected].basis  # every rule carries its basis


@pytest.mark.parametrize(
    ("confirmed", "events", "expected"),
    [
        # The read came before any system report: it wins, with its own rule.
        (True, [("reached", 30), ("read", 5), ("acted", 60)], (5, "confirmed.read")),
        (True, [("acted", 20), ("reached", 10)], (10, "confirmed.reached")),
        (True, [("reached", 40), ("reached", 15)], (15, "confirmed.reached")),
        (False, [("reached", 1), ("acted", 50), ("read", 70)], (50, "unconfirmed.acted")),
        (False, [("read", 70), ("read", 45)], (45, "unconfirmed.read")),
        (False, [("reached", 1), ("reached", 2)], None),
    ],
)
def test_the_earliest_counting_event_wins(confirmed, events, expected):
    found = rules.served(
        confirmed=confirmed,
        events=[ServiceEvent(kind, T0 + timedelta(minutes=m), "sms") for kind, m in events],
    )
    if expected is None:
        assert found is None
    else:
        minutes, code = expected
        assert found == (T0 + timedelta(minutes=minutes), code)


@given(
    confirmed=st.booleans(),
    events=st.lists(
        st.tuples(st.sampled_from(["reached", "read", "acted"]), st.integers(0, 10_000)),
        max_size=8,
    ),
)
def test_the_served_time_is_the_earliest_event_that_counts(confirmed, events):
    found = rules.served(
        confirmed=confirmed,
        events=[ServiceEvent(kind, T0 + timedelta(minutes=m)) for kind, m in events],
    )
    counting = [m for kind, m in events if confirmed or kind != "reached"]
    if not counting:
        assert found is None
    else:
        assert found is not None
        assert found[0] == T0 + timedelta(minutes=min(counting))


@pytest.mark.parametrize(
    ("kind", "needs"),
    [
        ("judgment", True),
        ("ruling", True),
        ("mediation_statement", True),
        ("summons", False),
        ("complaint_copy", False),
        ("acceptance_notice", False),
        ("evidence_notice", False),
        ("other", False),
    ],
)
def test_decisions_need_consent(kind, needs):
    assert rules.needs_consent(kind) is needs


# --- Backoff ----------------------------------------------------------------------------------


def step(rounds_done: int) -> timedelta:
    doublings = min(max(rounds_done - 1, 0), 20)  # 2**20 minutes is far past the cap
    return min(rules.BACKOFF_CAP, rules.BACKOFF_BASE * 2**doublings)


def test_backoff_steps_double_up_to_the_cap():
    steps = [step(n) for n in range(1, 12)]
    assert steps[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert steps == sorted(steps)
    assert steps[-1] == rules.BACKOFF_CAP == timedelta(hours=2)


@pytest.mark.parametrize("rounds_done", [0, 1, 2, 3, 6, 7, 8, 20])
def test_each_wait_lies_between_half_its_step_and_its_step(rounds_done):
    rng = random.Random(rounds_done)
    for _ in range(200):
        wait = rules.backoff(rounds_done, rng=rng)
        assert step(rounds_done) / 2 <= wait <= step(rounds_done)


def test_a_seeded_generator_gives_the_same_waits():
    first = [rules.backoff(n, rng=random.Random(7)) for n in range(1, 10)]
    again = [rules.backoff(n, rng=random.Random(7)) for n in range(1, 10)]
    assert first == again


@given(rounds=st.integers(0, 30), seed=st.integers(0, 2**32))
def test_backoff_is_bounded_and_never_shrinks_past_the_step_before(rounds, seed):
    rng = random.Random(seed)
    wait = rules.backoff(rounds, rng=rng)
    assert step(rounds) / 2 <= wait <= step(rounds) <= rules.BACKOFF_CAP
    # Monotone in the bounds: the shortest wait of the next round is never shorter than the
    # shortest of this one, and the longest never longer than the cap.
    assert step(rounds + 1) / 2 >= step(rounds) / 2
    assert rules.backoff(rounds + 1, rng=rng) >= step(rounds) / 2


def test_backoff_stays_capped_for_any_round():
    assert rules.backoff(100, rng=random.Random(1)) <= rules.BACKOFF_CAP


# --- Quiet hours ------------------------------------------------------------------------------


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


NIGHT = (time(22, 0), time(8, 0))
LUNCH = (time(12, 0), time(14, 0))


@pytest.mark.parametrize(
    ("now", "window", "until"),
    [
        (at(1, 22, 0), NIGHT, at(2, 8)),  # 22:00 exactly is quiet
        (at(1, 23, 30), NIGHT, at(2, 8)),
        (at(2, 0, 0), NIGHT, at(2, 8)),
        (at(2, 7, 59), NIGHT, at(2, 8)),
        (at(2, 8, 0), NIGHT, None),  # 08:00 exactly is not
        (at(1, 21, 59), NIGHT, None),
        (at(1, 12, 0), NIGHT, None),
        (at(1, 12, 0), LUNCH, at(1, 14)),
        (at(1, 13, 59), LUNCH, at(1, 14)),
        (at(1, 14, 0), LUNCH, None),
        (at(1, 11, 59), LUNCH, None),
        (at(1, 23, 0), LUNCH, None),
        (at(1, 23, 0), (time(9), time(9)), None),  # an empty window
        (at(1, 23, 0), None, None),
    ],
)
def test_quiet_until(now, window, until):
    assert rules.quiet_until(now, window) == until


@pytest.mark.parametrize(
    ("text", "window"),
    [("22:00-08:00", NIGHT), (" 12:00 - 14:00 ", LUNCH), ("", None), ("  ", None)],
)
def test_quiet_hours_are_parsed(text, window):
    assert rules.parse_quiet_hours(text) == window


@pytest.mark.parametrize("text", ["22:00", "late-early", "25:00-08:00"])
def test_malformed_quiet_hours_are_refused(text):
    with pytest.raises(ValueError):
        rules.parse_quiet_hours(text)
