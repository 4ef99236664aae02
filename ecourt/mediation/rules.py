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

import hashlib
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


#: How long after the agreement takes effect the parties may jointly apply for judicial
#: confirmation: CPL (2023) Art. 205, "自调解协议生效之日起三十日内".
CONFIRMATION_WINDOW_DAYS = 30


def confirmation_window_end(
    agreement_effective_on: date, *, court_calendar: CourtCalendar = DEFAULT_CALENDAR
) -> date:
    """The last day the parties may jointly apply for judicial confirmation."""
    return period_end(
        agreement_effective_on, CONFIRMATION_WINDOW_DAYS, Unit.DAYS, court_calendar=court_calendar
    )


def text_sha256(text: str) -> str:
    """The hash a party signs or agrees to: SHA-256 of the exact UTF-8 text, LF line ends."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AgreementParty:
    side_zh: str  # 申请人 / 被申请人 …
    name: str


def agreement_text(
    *,
    court_name_zh: str,
    number: str,
    parties: Sequence[AgreementParty],
    mediator_name: str,
    organisation_name: str,
    dispute_zh: str,
    terms: str,
    drafted_on: date,
) -> str:
    """The settlement agreement (调解协议书) from the court's template, in Chinese, the
    language of the record. The terms are the mediator's text, line ends normalised."""
    lines = ["调解协议书", "", f"{court_name_zh} {number}", ""]
    lines += [f"{p.side_zh}：{p.name}" for p in parties]
    mediator = f"{organisation_name} 调解员 {mediator_name}" if organisation_name else mediator_name
    lines += [
        "",
        f"上列当事人因{dispute_zh.removesuffix('纠纷')}纠纷，经{court_name_zh}委派，由{mediator}主持诉前调解，"
        "各方当事人自愿达成如下协议：",
        "",
    ]
    body = terms.replace("\r\n", "\n").strip().split("\n")
    lines += [line.rstrip() for line in body]
    lines += [
        "",
        "本协议自各方当事人签署之日起生效。各方当事人可以自本协议生效之日起三十日内，"
        "共同向人民法院申请司法确认。",
        "",
        f"拟定日期：{drafted_on.year}年{drafted_on.month}月{drafted_on.day}日",
    ]
    return "\n".join(lines) + "\n"
