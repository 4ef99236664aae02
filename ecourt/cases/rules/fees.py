"""Case acceptance fees under the Measures on the Payment of Litigation Costs (State Council,
2007, 《诉讼费用交纳办法》), exact to the fen.

- Art. 13(1): property cases, by the amount claimed, in cumulative bands (table below).
- Art. 13(2): personality-rights cases 100–500 yuan per case (the court configures the amount);
  where damages are claimed, nothing more up to 50,000, 1% of the part from 50,000 to 100,000,
  0.5% of the part above 100,000.
- Art. 13(3): other non-property civil cases 50–100 yuan per case (configured).
- Art. 13(4): intellectual-property cases without an amount 500–1,000 yuan per case (configured);
  with an amount, the property scale.
- Art. 13(5): administrative cases: trademark, patent and maritime 100 yuan; others 50 yuan.
- Arts. 15–16: settled by mediation, withdrawn, or tried under the simplified procedure: half.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

FEN = Decimal("0.01")
#: One trillion yuan: more than any claim, and far inside Decimal's default precision.
MAX_AMOUNT = Decimal("1000000000000")


class FeeCategory(StrEnum):
    PROPERTY = "property"
    PERSONALITY_RIGHTS = "personality_rights"
    INTELLECTUAL_PROPERTY = "intellectual_property"
    OTHER_NON_PROPERTY = "other_non_property"
    ADMINISTRATIVE = "administrative"
    ADMINISTRATIVE_IP = "administrative_ip"  # trademark, patent (and maritime) administrative cases
    NO_FEE = "no_fee"  # public-interest actions brought by a procuratorate


class FeeRuleError(ValueError):
    """The amount claimed cannot be used to compute a fee; ``code`` says why."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Band:
    lower: Decimal  # exclusive, except the first band
    upper: Decimal | None  # inclusive; None: no upper limit
    rate: Decimal
    constant: Decimal  # fee = rate × amount + constant inside the band


#: Art. 13(1), written as rate × amount + constant per band, which equals the cumulative sum.
PROPERTY_BANDS: tuple[Band, ...] = (
    Band(Decimal(0), Decimal(10_000), Decimal(0), Decimal(50)),
    Band(Decimal(10_000), Decimal(100_000), Decimal("0.025"), Decimal(-200)),
    Band(Decimal(100_000), Decimal(200_000), Decimal("0.02"), Decimal(300)),
    Band(Decimal(200_000), Decimal(500_000), Decimal("0.015"), Decimal(1_300)),
    Band(Decimal(500_000), Decimal(1_000_000), Decimal("0.01"), Decimal(3_800)),
    Band(Decimal(1_000_000), Decimal(2_000_000), Decimal("0.009"), Decimal(4_800)),
    Band(Decimal(2_000_000), Decimal(5_000_000), Decimal("0.008"), Decimal(6_800)),
    Band(Decimal(5_000_000), Decimal(10_000_000), Decimal("0.007"), Decimal(11_800)),
    Band(Decimal(10_000_000), Decimal(20_000_000), Decimal("0.006"), Decimal(21_800)),
    Band(Decimal(20_000_000), None, Decimal("0.005"), Decimal(41_800)),
)


@dataclass(frozen=True)
class FeeSchedule:
    """The amounts the law leaves to the court within a range (Art. 13(2)–(4))."""

    personality_rights_per_case: Decimal = Decimal(300)
    ip_without_amount_per_case: Decimal = Decimal(800)
    other_non_property_per_case: Decimal = Decimal(75)

    def __post_init__(self) -> None:
        ranges = (
            (self.personality_rights_per_case, 100, 500, "personality_rights_per_case"),
            (self.ip_without_amount_per_case, 500, 1_000, "ip_without_amount_per_case"),
            (self.other_non_property_per_case, 50, 100, "other_non_property_per_case"),
        )
        for value, low, high, name in ranges:
            if not Decimal(low) <= value <= Decimal(high):
                raise ValueError(f"{name}={value} is outside the statutory {low}–{high} yuan")


@dataclass(frozen=True)
class FeeEstimate:
    fee: Decimal
    full_fee: Decimal  # before halving
    halved: bool
    basis: str  # the rule applied, e.g. "Art. 13(1): 100,000–200,000: 2% × amount + 300"


def parse_amount(raw: str | Decimal | int) -> Decimal:
    """An amount claimed in yuan: positive, at most two decimals."""
    try:
        amount = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise FeeRuleError("The amount is not a number.", code="amount_invalid") from exc
    if not amount.is_finite():
        raise FeeRuleError("The amount is not a number.", code="amount_invalid")
    if amount <= 0:
        raise FeeRuleError("The amount must be more than zero.", code="amount_not_positive")
    if amount >= MAX_AMOUNT:
        raise FeeRuleError("The amount is too large.", code="amount_too_large")
    if amount != amount.quantize(FEN):
        raise FeeRuleError(
            "The amount has more than two decimal places.", code="amount_too_precise"
        )
    return amount


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def half_fee(fee: Decimal) -> Decimal:
    """Arts. 15–16: half an acceptance fee, to the fen (half up)."""
    return _fen(fee / 2)


def _band_label(band: Band) -> str:
    upper = f"{band.upper:,.0f}" if band.upper is not None else "∞"
    if band.rate == 0:
        return f"up to {upper}: {band.constant:,.0f} per case"
    sign = "+" if band.constant >= 0 else "−"
    return (
        f"{band.lower:,.0f}–{upper}: {(band.rate * 100).normalize():f}% × amount "
        f"{sign} {abs(band.constant):,.0f}"
    )


def property_fee(amount: Decimal) -> tuple[Decimal, str]:
    """Art. 13(1): the fee for an amount claimed, and the band used."""
    amount = parse_amount(amount)
    for band in PROPERTY_BANDS:
        if band.upper is None or amount <= band.upper:
            return _fen(band.rate * amount + band.constant), "Art. 13(1): " + _band_label(band)
    raise AssertionError("the last band has no upper limit")


def acceptance_fee(
    category: FeeCategory | str,
    amount: Decimal | None = None,
    *,
    schedule: FeeSchedule | None = None,
    halved: bool = False,
) -> FeeEstimate:
    """The case acceptance fee for a case of ``category``; ``amount`` is the amount claimed
    (property and IP cases) or the damages claimed (personality-rights cases), if any.
    ``halved`` for mediation settlement, withdrawal or the simplified procedure (Arts. 15–16)."""
    schedule = schedule or FeeSchedule()
    category = FeeCategory(category)
    if category == FeeCategory.PROPERTY:
        if amount is None:
            raise FeeRuleError("A property case needs the amount claimed.", code="amount_missing")
        full, basis = property_fee(amount)
    elif category == FeeCategory.INTELLECTUAL_PROPERTY:
        if amount is None:
            full = schedule.ip_without_amount_per_case
            basis = "Art. 13(4): IP case without an amount, per case"
        else:
            full, basis = property_fee(amount)
            basis = basis.replace("Art. 13(1)", "Art. 13(4) with 13(1)")
    elif category == FeeCategory.PERSONALITY_RIGHTS:
        full = schedule.personality_rights_per_case
        basis = "Art. 13(2): personality rights, per case"
        if amount is not None:
            damages = parse_amount(amount)
            extra = Decimal("0.01") * (min(damages, Decimal(100_000)) - Decimal(50_000)).max(
                Decimal(0)
            ) + Decimal("0.005") * (damages - Decimal(100_000)).max(Decimal(0))
            full = full + extra
            basis += ", plus 1% of damages 50,000–100,000 and 0.5% above 100,000"
    elif category == FeeCategory.OTHER_NON_PROPERTY:
        full = schedule.other_non_property_per_case
        basis = "Art. 13(3): other non-property case, per case"
    elif category == FeeCategory.NO_FEE:
        full = Decimal(0)
        basis = "Procuratorial public-interest action: the procuratorate pays no acceptance fee"
    elif category == FeeCategory.ADMINISTRATIVE_IP:
        full = Decimal(100)
        basis = "Art. 13(5): trademark, patent or maritime administrative case"
    else:
        full = Decimal(50)
        basis = "Art. 13(5): administrative case"
    full = _fen(full)
    fee = half_fee(full) if halved else full
    if halved:
        basis += "; halved (Arts. 15–16)"
    return FeeEstimate(fee=fee, full_fee=full, halved=halved, basis=basis)
