"""Pure rules of filing: when an application is complete, when the fee is settled, and who
may not be on both sides. Services call them with plain data; tests call them directly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PartyFacts:
    side: str  # plaintiff / defendant / third_party
    name: str
    id_number: str
    mobile: str
    email: str


def same_party(a: PartyFacts, b: PartyFacts) -> bool:
    """Two entries name the same person or company: the same identity number, or the same
    name with the same mobile number."""
    if a.id_number and b.id_number:
        return a.id_number.upper() == b.id_number.upper()
    name_a, name_b = a.name.strip().casefold(), b.name.strip().casefold()
    return bool(name_a) and name_a == name_b and bool(a.mobile) and a.mobile == b.mobile


@dataclass(frozen=True)
class ApplicationFacts:
    case_type_accepted: bool | None  # None: no case type chosen
    needs_amount: bool  # property cases: the fee depends on the amount claimed
    parties: Sequence[PartyFacts]
    claims: int
    claims_with_amount: int
    facts_length: int
    delivery_confirmed: bool
    lawyer_is_agent_of_every_plaintiff: bool | None  # None: not filed by a lawyer


#: The wizard step that fixes each gap, in wizard order.
STEP_OF_GAP = {
    "case_type": "case_type",
    "plaintiff": "plaintiffs",
    "lawyer_not_agent": "agents",
    "defendant": "defendants",
    "defendant_contact": "defendants",
    "claims": "claims",
    "amount": "claims",
    "facts": "facts",
    "delivery": "delivery",
}

MIN_FACTS_LENGTH = 20


def application_gaps(facts: ApplicationFacts) -> list[str]:
    """What is still missing before the application can be submitted (empty when complete)."""
    gaps: list[str] = []
    if not facts.case_type_accepted:
        gaps.append("case_type")
    plaintiffs = [p for p in facts.parties if p.side == "plaintiff"]
    defendants = [p for p in facts.parties if p.side == "defendant"]
    if not plaintiffs:
        gaps.append("plaintiff")
    if facts.lawyer_is_agent_of_every_plaintiff is False:
        gaps.append("lawyer_not_agent")
    if not defendants:
        gaps.append("defendant")
    elif any(not (d.mobile or d.email) for d in defendants):
        gaps.append("defendant_contact")
    if facts.claims == 0:
        gaps.append("claims")
    elif facts.needs_amount and facts.claims_with_amount == 0:
        gaps.append("amount")
    if facts.facts_length < MIN_FACTS_LENGTH:
        gaps.append("facts")
    if not facts.delivery_confirmed:
        gaps.append("delivery")
    return gaps


@dataclass(frozen=True)
class FeeStanding:
    settled: bool
    how: str  # "no_fee", "paid", "deferred", "waived", "reduced_paid", "unpaid"
    outstanding: Decimal


def fee_standing(
    *, fee: Decimal, paid: Decimal, relief: str | None, reduced_fee: Decimal | None = None
) -> FeeStanding:
    """Whether the acceptance fee allows docketing (Measures 2007, Arts. 20, 22, 44–51): paid
    in full, or deferred or waived by decision, or reduced and the reduced amount paid."""
    if fee <= 0:
        return FeeStanding(True, "no_fee", Decimal(0))
    if relief == "waiver":
        return FeeStanding(True, "waived", Decimal(0))
    if relief == "deferral":
        return FeeStanding(True, "deferred", max(fee - paid, Decimal(0)))
    due = reduced_fee if relief == "reduction" and reduced_fee is not None else fee
    if paid >= due:
        return FeeStanding(True, "reduced_paid" if due != fee else "paid", Decimal(0))
    return FeeStanding(False, "unpaid", due - paid)
