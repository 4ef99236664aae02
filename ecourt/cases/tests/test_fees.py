"""Case acceptance fees (Measures on the Payment of Litigation Costs, 2007)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecourt.cases.rules.fees import (
    PROPERTY_BANDS,
    FeeRuleError,
    FeeSchedule,
    acceptance_fee,
    parse_amount,
    property_fee,
)

amounts = st.decimals(min_value=D("0.01"), max_value=D("100000000000"), places=2)


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("5000", "50.00"),  # ≤ 10,000: 50 per case
        ("10000", "50.00"),
        ("50000", "1050.00"),  # 2.5% × 50,000 − 200
        ("150000", "3300.00"),  # 2% × 150,000 + 300
        ("1000000", "13800.00"),  # 1% × 1,000,000 + 3,800
        ("30000000", "191800.00"),  # 0.5% × 30,000,000 + 41,800
        ("123456.78", "2769.14"),  # 2% × 123,456.78 + 300 = 2,769.1356
    ],
)
def test_it_charges_the_worked_examples(amount, fee):
    assert property_fee(D(amount))[0] == D(fee)


@settings(max_examples=400)
@given(amounts, amounts)
def test_it_never_charges_less_for_a_larger_claim(a, b):
    low, high = sorted((a, b))
    assert property_fee(low)[0] <= property_fee(high)[0]


@pytest.mark.parametrize("band", PROPERTY_BANDS[:-1])
def test_it_is_continuous_at_every_band_edge(band):
    edge = band.upper
    below, _ = property_fee(edge)
    above, _ = property_fee(edge + D("0.01"))
    # One fen more claimed adds at most one fen (rates are at most 2.5%), never a jump.
    assert D(0) <= above - below <= D("0.01")


@given(amounts)
def test_it_equals_the_sum_of_the_cumulative_bands(amount):
    rates = [
        (D(10_000), D("0.025"), D(100_000)),
        (D(100_000), D("0.02"), D(200_000)),
        (D(200_000), D("0.015"), D(500_000)),
        (D(500_000), D("0.01"), D(1_000_000)),
        (D(1_000_000), D("0.009"), D(2_000_000)),
        (D(2_000_000), D("0.008"), D(5_000_000)),
        (D(5_000_000), D("0.007"), D(10_000_000)),
        (D(10_000_000), D("0.006"), D(20_000_000)),
        (D(20_000_000), D("0.005"), None),
    ]
    total = D(50)
    for lower, rate, upper in rates:
        if amount > lower:
            top = amount if upper is None else min(amount, upper)
            total += (top - lower) * rate
    assert property_fee(amount)[0] == total.quantize(D("0.01"), rounding="ROUND_HALF_UP")


def test_it_names_the_band_it_used():
    assert property_fee(D("150000"))[1] == "Art. 13(1): 100,000–200,000: 2% × amount + 300"
    assert property_fee(D("50000"))[1] == "Art. 13(1): 10,000–100,000: 2.5% × amount − 200"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0", "amount_not_positive"),
        ("-5", "amount_not_positive"),
        ("1.234", "amount_too_precise"),
        ("abc", "amount_invalid"),
        ("NaN", "amount_invalid"),
        ("Infinity", "amount_invalid"),
    ],
)
def test_it_refuses_amounts_it_cannot_charge(raw, code):
    with pytest.raises(FeeRuleError) as raised:
        parse_amount(raw)
    assert raised.value.code == code


def test_it_accepts_amounts_written_with_thousands_separators():
    assert parse_amount("1,234.50") == D("1234.50")


def test_it_charges_the_other_categories():
    schedule = FeeSchedule(
        personality_rights_per_case=D(500),
        ip_without_amount_per_case=D(1000),
        other_non_property_per_case=D(100),
    )
    assert acceptance_fee("personality_rights", schedule=schedule).fee == D("500.00")
    # 1% of 50,000–100,000 plus 0.5% of the 50,000 above 100,000.
    assert acceptance_fee("personality_rights", D(150_000), schedule=schedule).fee == D("1250.00")
    assert acceptance_fee("personality_rights", D(40_000), schedule=schedule).fee == D("500.00")
    assert acceptance_fee("intellectual_property", schedule=schedule).fee == D("1000.00")
    assert acceptance_fee("intellectual_property", D(50_000)).fee == D("1050.00")
    assert acceptance_fee("other_non_property", schedule=schedule).fee == D("100.00")
    assert acceptance_fee("administrative").fee == D("50.00")
    assert acceptance_fee("administrative_ip").fee == D("100.00")


def test_it_halves_for_mediation_withdrawal_or_simplified_procedure():
    estimate = acceptance_fee("property", D("50000.02"), halved=True)
    assert estimate.full_fee == D("1050.00")
    assert estimate.fee == D("525.00")
    assert "halved" in estimate.basis
    assert acceptance_fee("property", D("10000.03"), halved=True).fee == D("25.00")


def test_it_needs_an_amount_for_a_property_case():
    with pytest.raises(FeeRuleError) as raised:
        acceptance_fee("property")
    assert raised.value.code == "amount_missing"


def test_it_keeps_configured_amounts_inside_the_statutory_ranges():
    with pytest.raises(ValueError, match="100–500"):
        FeeSchedule(personality_rights_per_case=D(600))
    with pytest.raises(ValueError, match="500–1000"):
        FeeSchedule(ip_without_amount_per_case=D(400))
