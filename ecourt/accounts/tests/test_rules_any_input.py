"""Whatever a person types, the identity rules answer with a value or a clear rule error: never
an unexpected exception (which would be a 500 page)."""

from __future__ import annotations

import contextlib
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ecourt.accounts import rules

TODAY = date(2026, 11, 28)
# Digits and letters from many scripts, full-width forms, separators and the odd control char.
typed = st.text(
    alphabet=st.characters(codec="utf-8", categories=["Nd", "Lu", "Ll", "No", "Zs", "Pd", "Cc"]),
    max_size=40,
) | st.from_regex(r"[0-9０-９xXｘＸ \-]{0,25}", fullmatch=True)


def _answers_cleanly(check, value: str) -> None:
    with contextlib.suppress(rules.IdentityRuleError):
        check(value)


@settings(max_examples=300, deadline=None)
@given(typed)
def test_it_never_crashes_on_any_resident_id_input(value):
    _answers_cleanly(lambda v: rules.validate_resident_id(v, today=TODAY), value)


@settings(max_examples=300, deadline=None)
@given(typed)
def test_it_never_crashes_on_any_uscc_input(value):
    _answers_cleanly(rules.validate_uscc, value)


@settings(max_examples=300, deadline=None)
@given(typed)
def test_it_never_crashes_on_any_other_document_or_licence_input(value):
    _answers_cleanly(rules.validate_other_document_number, value)
    _answers_cleanly(rules.validate_lawyer_licence, value)


@settings(max_examples=300, deadline=None)
@given(typed)
def test_it_never_crashes_on_any_mobile_input(value):
    _answers_cleanly(rules.normalise_mobile, value)


def test_it_accepts_numbers_typed_full_width_or_in_groups():
    assert rules.validate_uscc("９１１１０１０８ＭＡ０１Ｂ７Ｔ２Ｘ４") == "91110108MA01B7T2X4"
    assert rules.validate_lawyer_licence("1110-1201-8100-0000-3") == "11101201810000003"
    assert rules.validate_other_document_number("ｅ１２３ ４５６７８") == "E12345678"
