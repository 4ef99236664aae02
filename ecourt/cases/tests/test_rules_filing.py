"""Pure rules of filing: completeness of an application, the same party twice, the fee."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecourt.cases.rules.filing import (
    MIN_FACTS_LENGTH,
    STEP_OF_GAP,
    ApplicationFacts,
    PartyFacts,
    application_gaps,
    fee_standing,
    same_party,
)

ALICE = PartyFacts("plaintiff", "Alice Zhang", "110101199003070012", "+8613800000001", "")
BETA = PartyFacts("defendant", "Beta Tech", "91110108MA01BETA0X", "+8613900000099", "")

COMPLETE = ApplicationFacts(
    case_type_accepted=True,
    needs_amount=True,
    parties=[ALICE, BETA],
    claims=2,
    claims_with_amount=1,
    facts_length=MIN_FACTS_LENGTH,
    delivery_confirmed=True,
    lawyer_is_agent_of_every_plaintiff=None,
)


# --- application_gaps ---------------------------------------------------------------------------


def test_it_finds_no_gap_in_a_complete_application():
    assert application_gaps(COMPLETE) == []


@pytest.mark.parametrize(
    ("change", "gap"),
    [
        ({"case_type_accepted": None}, "case_type"),
        ({"case_type_accepted": False}, "case_type"),
        ({"parties": [BETA]}, "plaintiff"),
        ({"lawyer_is_agent_of_every_plaintiff": False}, "lawyer_not_agent"),
        ({"parties": [ALICE]}, "defendant"),
        ({"parties": [ALICE, replace(BETA, mobile="", email="")]}, "defendant_contact"),
        ({"claims": 0, "claims_with_amount": 0}, "claims"),
        ({"claims_with_amount": 0}, "amount"),
        ({"facts_length": MIN_FACTS_LENGTH - 1}, "facts"),
        ({"delivery_confirmed": False}, "delivery"),
    ],
)
def test_it_names_each_gap(change, gap):
    assert application_gaps(replace(COMPLETE, **change)) == [gap]


def test_it_takes_an_email_as_the_defendants_contact():
    facts = replace(COMPLETE, parties=[ALICE, replace(BETA, mobile="", email="legal@beta.cn")])
    assert application_gaps(facts) == []


def test_it_asks_for_no_amount_when_the_fee_does_not_depend_on_it():
    assert application_gaps(replace(COMPLETE, needs_amount=False, claims_with_amount=0)) == []


def test_it_accepts_a_lawyer_who_is_agent_of_every_plaintiff():
    assert application_gaps(replace(COMPLETE, lawyer_is_agent_of_every_plaintiff=True)) == []


def test_it_lists_every_gap_of_an_empty_draft_in_wizard_order():
    empty = ApplicationFacts(None, False, [], 0, 0, 0, False, None)
    assert application_gaps(empty) == [
        "case_type",
        "plaintiff",
        "defendant",
        "claims",
        "facts",
        "delivery",
    ]


party_facts = st.builds(
    PartyFacts,
    side=st.sampled_from(["plaintiff", "defendant", "third_party"]),
    name=st.text(max_size=5),
    id_number=st.sampled_from(["", "110101199003070012", "91110108MA01BETA0X"]),
    mobile=st.sampled_from(["", "+8613800000001"]),
    email=st.sampled_from(["", "a@example.cn"]),
)


@given(
    st.builds(
        ApplicationFacts,
        case_type_accepted=st.sampled_from([None, False, True]),
        needs_amount=st.booleans(),
        parties=st.lists(party_facts, max_size=4),
        claims=st.integers(min_value=0, max_value=3),
        claims_with_amount=st.integers(min_value=0, max_value=3),
        facts_length=st.integers(min_value=0, max_value=40),
        delivery_confirmed=st.booleans(),
        lawyer_is_agent_of_every_plaintiff=st.sampled_from([None, False, True]),
    )
)
def test_every_gap_has_a_wizard_step_and_comes_in_wizard_order(facts):
    gaps = application_gaps(facts)
    order = list(STEP_OF_GAP)
    assert all(gap in STEP_OF_GAP for gap in gaps)
    assert gaps == sorted(gaps, key=order.index)
    assert len(set(gaps)) == len(gaps)


# --- same_party ---------------------------------------------------------------------------------


def test_it_knows_a_party_by_its_identity_number_whatever_the_case_of_letters():
    other = PartyFacts("defendant", "Someone Else", ALICE.id_number.lower(), "", "")
    assert same_party(ALICE, other)


def test_it_tells_two_identity_numbers_apart_even_with_the_same_name_and_mobile():
    twin = replace(ALICE, id_number="110101199003070039")
    assert not same_party(ALICE, twin)


def test_without_two_identity_numbers_it_compares_name_and_mobile():
    unnamed = replace(ALICE, side="defendant", id_number="", name="  alice zhang ")
    assert same_party(ALICE, unnamed)
    assert not same_party(ALICE, replace(unnamed, mobile="+8613800000002"))


def test_a_shared_name_without_a_mobile_is_not_enough():
    a = PartyFacts("plaintiff", "Wang Fang", "", "", "")
    assert not same_party(a, replace(a, side="defendant"))


def test_empty_names_never_match():
    a = PartyFacts("plaintiff", " ", "", "+8613800000001", "")
    assert not same_party(a, a)


@given(party_facts, party_facts)
def test_same_party_is_symmetric(a, b):
    assert same_party(a, b) == same_party(b, a)


# --- fee_standing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "paid", "relief", "reduced", "settled", "how", "outstanding"),
    [
        ("0", "0", None, None, True, "no_fee", "0"),
        ("1050", "0", "waiver", None, True, "waived", "0"),
        ("1050", "0", "deferral", None, True, "deferred", "1050"),
        ("1050", "50", "deferral", None, True, "deferred", "1000"),
        ("1050", "2000", "deferral", None, True, "deferred", "0"),
        ("1050", "500", "reduction", "500", True, "reduced_paid", "0"),
        ("1050", "499.99", "reduction", "500", False, "unpaid", "0.01"),
        ("1050", "0", "reduction", None, False, "unpaid", "1050"),
        ("1050", "1050", None, None, True, "paid", "0"),
        ("1050", "1100", None, None, True, "paid", "0"),
        ("1050", "1000", None, None, False, "unpaid", "50"),
        ("1050", "0", None, None, False, "unpaid", "1050"),
    ],
)
def test_it_tells_whether_the_fee_allows_docketing(
    fee, paid, relief, reduced, settled, how, outstanding
):
    standing = fee_standing(
        fee=D(fee), paid=D(paid), relief=relief, reduced_fee=D(reduced) if reduced else None
    )
    assert (standing.settled, standing.how, standing.outstanding) == (settled, how, D(outstanding))


money = st.decimals(min_value=0, max_value=100_000, places=2)


@given(money, money, st.sampled_from([None, "deferral", "reduction", "waiver"]), money)
def test_the_fee_is_settled_exactly_when_nothing_is_owed_unless_deferred(
    fee, paid, relief, reduced
):
    standing = fee_standing(fee=fee, paid=paid, relief=relief, reduced_fee=reduced)
    assert standing.outstanding >= 0
    if standing.how != "deferred":
        assert standing.settled == (standing.outstanding == 0)
