"""When a document counts as served, and how long to wait before trying again.

Pure functions over recorded facts, so the table in docs/delivery.md and the tests read the
same rules. Every rule carries its basis.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

#: Kinds of document that go electronically only with the recipient's consent
#: (CPL Art. 90: judgments, rulings and mediation statements).
CONSENT_KINDS = frozenset({"judgment", "ruling", "mediation_statement"})


@dataclass(frozen=True)
class ServiceRule:
    code: str
    confirmed: bool
    event: str  # reached / read / acted
    basis: str
    summary: str


RULES: tuple[ServiceRule, ...] = (
    ServiceRule(
        "confirmed.reached",
        True,
        "reached",
        "CPL (2023) Art. 90; SPC Online Litigation Rules (2021) Art. 29",
        "Sent to an address the recipient confirmed: served when it reached that system.",
    ),
    ServiceRule(
        "confirmed.read",
        True,
        "read",
        "SPC Online Litigation Rules (2021) Art. 31",
        "Sent to a confirmed address and read before any system report: served when read.",
    ),
    ServiceRule(
        "unconfirmed.read",
        False,
        "read",
        "SPC Online Litigation Rules (2021) Art. 31",
        "Sent to an address the recipient did not confirm: served when the recipient read it.",
    ),
    ServiceRule(
        "unconfirmed.acted",
        False,
        "acted",
        "SPC Online Litigation Rules (2021) Art. 31",
        "Sent to an address the recipient did not confirm: served when the recipient acted on "
        "it (replied or filed in the case).",
    ),
    ServiceRule(
        "confirmed.acted",
        True,
        "acted",
        "SPC Online Litigation Rules (2021) Art. 31",
        "Acted on before any system report: served when the recipient acted.",
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}
#: Served on paper, outside the platform, with a scanned proof (CPL Arts. 87–95).
OFFLINE_RULE = ServiceRule(
    "offline.proof",
    False,
    "offline",
    "CPL (2023) Arts. 87–95",
    "Served offline (in person, by post or another lawful way); the date is on the scanned "
    "proof of service.",
)
RULES_BY_CODE[OFFLINE_RULE.code] = OFFLINE_RULE


@dataclass(frozen=True)
class ServiceEvent:
    """A fact about a delivery: ``kind`` is reached / read / acted; ``channel`` where."""

    kind: str
    at: datetime
    channel: str = ""


def served(*, confirmed: bool, events: Iterable[ServiceEvent]) -> tuple[datetime, str] | None:
    """The served time and rule code for a delivery, or None while it is not served.

    To a confirmed address the earliest of reached / read / acted counts (whichever came
    first); to an address the recipient did not confirm only reading or acting counts: a
    message that reached a phone number someone else typed proves nothing.
    """
    best: tuple[datetime, str] | None = None
    for event in events:
        for rule in RULES:
            matches = rule.confirmed == confirmed and rule.event == event.kind
            if matches and (best is None or event.at < best[0]):
                best = (event.at, rule.code)
    return best


#: A document sent to an address nobody confirmed and still unread after this long goes into
#: the staff's failed-service queue: it is not served, and may never be unless someone acts.
UNREAD_AFTER = timedelta(days=7)


def needs_consent(document_kind: str) -> bool:
    return document_kind in CONSENT_KINDS


# --- Retries ---------------------------------------------------------------------------------

#: Dispatch rounds before a delivery fails into the failed-service queue.
MAX_ROUNDS = 6
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=2)


def backoff(rounds_done: int, *, rng: random.Random | None = None) -> timedelta:
    """Wait before round ``rounds_done + 1``: base·2^(n-1), capped, with "equal jitter" (half
    fixed, half random) so retries of many deliveries after an outage spread out, yet no
    retry comes sooner than half its step."""
    # The exponent is capped first: 2^16 minutes is far past the cap, and a huge power of two
    # would overflow timedelta.
    step = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(max(rounds_done - 1, 0), 16)))
    half = step / 2
    return half + half * (rng or random).random()


# --- Quiet hours -----------------------------------------------------------------------------


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """``"22:00-08:00"`` → (22:00, 08:00); empty → None. Raises ValueError when malformed."""
    text = text.strip()
    if not text:
        return None
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"quiet hours must look like 22:00-08:00, not {text!r}")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def quiet_until(local_now: datetime, window: tuple[time, time] | None) -> datetime | None:
    """When the quiet window that ``local_now`` (court time) falls in ends, or None when it
    is not quiet. Windows may cross midnight (22:00–08:00)."""
    if window is None:
        return None
    start, end = window
    if start == end:
        return None
    now_t = local_now.timetz().replace(tzinfo=None)
    if start < end:
        inside = start <= now_t < end
        end_day = local_now.date()
    else:
        inside = now_t >= start or now_t < end
        end_day = local_now.date() + timedelta(days=1) if now_t >= start else local_now.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=local_now.tzinfo)
