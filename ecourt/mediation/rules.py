"""Rules of pre-filing mediation as pure functions (no Django): who gets a diverted matter,
how long mediation lasts, and when it may be extended.

- Assignment (issue 4): an available mediator whose specialties cover the case type; least
  loaded first — open matters as a share of the mediator's capacity, so a part-time mediator
  with 2 of 4 is as loaded as a full-time one with 10 of 20 — then the longest idle (never
  assigned counts as idlest), then the lowest id so the choice is deterministic. A mediator
  who declined the matter is not asked again.
- Period: 30 days from assignment by default (a court may configure it), counted like every
  period under CPL Art. 85 (``ecourt.core.deadlines``): the assignment day is not counted, and
  a period ending on a day off ends on the next working day. The 30 days follow the SPC
  Provisions on Specially Invited Mediation (《最高人民法院关于人民法院特邀调解的规定》, 2016)
  for mediation entrusted before filing [article number unverified].
- Extension: once, with every party's consent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from ecourt.core.deadlines import DEFAULT_CALENDAR, CourtCalendar, Unit, period_end

DEFAULT_PERIOD_DAYS = 30


@dataclass(frozen=True)
class MediatorLoad:
    """What assignment needs to know about one mediator."""

    mediator_id: int
    specialties: frozenset[str]
    capacity: int
    open_matters: int
    last_assigned_at: datetime | None = None
    languages: frozenset[str] = field(default_factory=frozenset)
    active: bool = True

    @property
    def load(self) -> Fraction:
        return Fraction(self.open_matters, self.capacity) if self.capacity > 0 else Fraction(1)


def mediator_eligible(
    mediator: MediatorLoad,
    *,
    case_type: str,
    language: str | None = None,
    declined: Iterable[int] = (),
) -> bool:
    """Active, covers the case type, has room, speaks the language asked for, and has not
    declined this matter."""
    return (
        mediator.active
        and case_type in mediator.specialties
        and mediator.open_matters < mediator.capacity
        and (language is None or not mediator.languages or language in mediator.languages)
        and mediator.mediator_id not in set(declined)
    )


def _idle_key(mediator: MediatorLoad) -> tuple[int, float]:
    # Never assigned sorts first; then the earliest last assignment.
    if mediator.last_assigned_at is None:
        return (0, 0.0)
    return (1, mediator.last_assigned_at.timestamp())


def mediator_pick(
    pool: Sequence[MediatorLoad],
    *,
    case_type: str,
    language: str | None = None,
    declined: Iterable[int] = (),
) -> int | None:
    """The id of the mediator who gets the matter, or None when nobody is available (the
    matter then waits for a clerk to assign it by hand)."""
    declined = frozenset(declined)
    candidates = [
        m
        for m in pool
        if mediator_eligible(m, case_type=case_type, language=language, declined=declined)
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda m: (m.load, _idle_key(m), m.mediator_id))
    return best.mediator_id


def mediation_due(
    assigned_on: date,
    *,
    days: int = DEFAULT_PERIOD_DAYS,
    court_calendar: CourtCalendar = DEFAULT_CALENDAR,
) -> date:
    """The last day of the mediation period that starts with assignment on ``assigned_on``."""
    return period_end(assigned_on, days, Unit.DAYS, court_calendar=court_calendar)


def extension_allowed(
    *, already_extended: bool, parties: Iterable[int], consenting: Iterable[int]
) -> bool:
    """The period may be extended once, and only when every party has consented."""
    parties = frozenset(parties)
    return not already_extended and bool(parties) and parties <= frozenset(consenting)
