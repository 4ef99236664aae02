"""Which disputes the court hears: the shipped 2018 list, versions by date, and the check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecourt.cases import selectors
from ecourt.cases.rules.case_numbers import CaseTypeCode
from ecourt.cases.rules.fees import FeeCategory
from ecourt.cases.rules.jurisdiction import (
    ADMINISTRATIVE,
    SPC_2018_EFFECTIVE,
    SPC_2018_LIST,
    CatalogueEntry,
    jurisdiction_check,
    version_in_force,
)

HEARD = [spec for spec in SPC_2018_LIST if spec.accepted]
ELSEWHERE = [spec for spec in SPC_2018_LIST if not spec.accepted]


def test_the_2018_list_has_the_eleven_types_of_article_2():
    assert len(HEARD) == 11


def test_every_code_appears_once():
    codes = [spec.code for spec in SPC_2018_LIST]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("spec", HEARD, ids=lambda spec: spec.code)
def test_a_heard_type_has_a_fee_category_and_a_number_type(spec):
    assert spec.fee_category in set(FeeCategory)
    expected = (
        CaseTypeCode.ADMINISTRATIVE_FIRST_INSTANCE
        if spec.procedure_family == ADMINISTRATIVE
        else CaseTypeCode.CIVIL_FIRST_INSTANCE
    )
    assert spec.number_type == expected
    assert spec.name_en and spec.name_zh and spec.hint_en and spec.hint_zh
    assert not (spec.competent_court_en or spec.competent_court_zh)


@pytest.mark.parametrize("spec", ELSEWHERE, ids=lambda spec: spec.code)
def test_a_type_heard_elsewhere_names_the_competent_court_in_both_languages(spec):
    assert spec.competent_court_en.strip()
    assert spec.competent_court_zh.strip()
    assert not (spec.fee_category or spec.number_type)


def test_only_the_internet_administrative_type_is_numbered_as_administrative():
    administrative = [
        s.code for s in HEARD if s.number_type == CaseTypeCode.ADMINISTRATIVE_FIRST_INSTANCE
    ]
    assert administrative == ["internet_administrative"]


def test_the_migration_shipped_the_list_as_it_is(db):
    stored = selectors.case_types_on(SPC_2018_EFFECTIVE)
    assert [(t.code, t.accepted, t.fee_category, t.number_type) for t in stored] == [
        (s.code, s.accepted, s.fee_category, s.number_type) for s in SPC_2018_LIST
    ]
    assert selectors.catalogue_version_on(SPC_2018_EFFECTIVE - timedelta(days=1)) is None


# --- version_in_force ---------------------------------------------------------------------------

days = st.dates(min_value=date(2018, 1, 1), max_value=date(2035, 12, 31))


@given(st.lists(days, max_size=8), days)
def test_the_version_in_force_is_the_latest_that_started_on_or_before_the_day(dates, on):
    result = version_in_force(dates, on)
    started = [d for d in dates if d <= on]
    if not started:
        assert result is None
    else:
        assert result == max(started)
        assert result <= on
        assert all(not (result < d <= on) for d in dates)


def test_a_version_is_in_force_from_its_first_day():
    first, second = date(2018, 9, 7), date(2027, 1, 1)
    assert version_in_force([first, second], date(2026, 12, 31)) == first
    assert version_in_force([first, second], second) == second
    assert version_in_force([first, second], date(2018, 9, 6)) is None


# --- jurisdiction_check -------------------------------------------------------------------------

ENTRIES = [CatalogueEntry(spec.code, spec.accepted) for spec in SPC_2018_LIST]


def test_it_hears_a_type_of_article_2():
    result = jurisdiction_check(ENTRIES, "online_shopping_contract")
    assert (result.accepted, result.code) == (True, "heard")


def test_it_refuses_a_type_heard_elsewhere():
    result = jurisdiction_check(ENTRIES, "family")
    assert (result.accepted, result.code) == (False, "not_heard")


def test_it_refuses_an_unknown_type():
    result = jurisdiction_check(ENTRIES, "piracy_on_the_high_seas")
    assert (result.accepted, result.code) == (False, "unknown_type")


def test_it_refuses_everything_without_a_catalogue():
    result = jurisdiction_check([], "online_shopping_contract")
    assert (result.accepted, result.code) == (False, "no_catalogue")


@given(st.sampled_from(SPC_2018_LIST))
def test_the_check_agrees_with_the_list(spec):
    assert jurisdiction_check(ENTRIES, spec.code).accepted is spec.accepted
