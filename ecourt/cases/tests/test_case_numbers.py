import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecourt.cases.rules.case_numbers import CaseNumber, CaseTypeCode, parse_case_number


def test_it_prints_a_case_number_as_courts_do():
    number = CaseNumber(2026, "京0491", CaseTypeCode.CIVIL_FIRST_INSTANCE, 123)
    assert str(number) == "(2026)京0491民初123号"


@pytest.mark.parametrize(
    ("text", "type_code", "serial"),
    [
        ("(2026)京0491民初123号", "民初", 123),
        ("（2026）京0491民诉前调7号", "民诉前调", 7),
        ("(2027)京0491行初1号", "行初", 1),
        ("(2026)京0491民特45号", "民特", 45),
    ],
)
def test_it_reads_printed_numbers(text, type_code, serial):
    number = parse_case_number(text)
    assert (number.type_code.value, number.serial, number.court_code) == (
        type_code,
        serial,
        "京0491",
    )


@pytest.mark.parametrize(
    "text",
    [
        "(2026)京0491民初0号",
        "(2026)京0491民初号",
        "2026京0491民初1号",
        "(2026)京491民初1号",
        "(2026)京0491刑初1号",
        "(2026)京0491民初1",
    ],
)
def test_it_refuses_what_is_not_a_case_number(text):
    with pytest.raises(ValueError):
        parse_case_number(text)


@given(
    st.integers(min_value=2018, max_value=2100),
    st.sampled_from(list(CaseTypeCode)),
    st.integers(min_value=1, max_value=10**7),
)
def test_it_reads_back_what_it_prints(year, type_code, serial):
    number = CaseNumber(year, "京0491", type_code, serial)
    assert parse_case_number(str(number)) == number
