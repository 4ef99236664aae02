"""Identity rules as pure functions: each input either normalises or fails with a stable code.

Messages are translated (and the default language is Chinese), so these tests look at
``code`` and ``field``; the wording is checked where a person reads it, in the view tests.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from stdnum.cn import ric

from ecourt.accounts import rules
from ecourt.accounts.rules import IdentityRuleError
from ecourt.accounts.tests.factories import valid_ric, valid_uscc

TODAY = date(2025, 6, 1)


def _with_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def _error_code(func, *args, **kwargs) -> str:
    with pytest.raises(IdentityRuleError) as exc_info:
        func(*args, **kwargs)
    return exc_info.value.code


# --- Resident identity card numbers (GB 11643-1999) ------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number", "birth"),
    [
        ("110101199003070126", "110101199003070126", date(1990, 3, 7)),
        ("11010119900307002X", "11010119900307002X", date(1990, 3, 7)),
        ("11010119900307002x", "11010119900307002X", date(1990, 3, 7)),
        (_with_check("44030420000229123"), _with_check("44030420000229123"), date(2000, 2, 29)),
        # Born today is not in the future.
        (_with_check(f"110101{TODAY:%Y%m%d}001"), _with_check(f"110101{TODAY:%Y%m%d}001"), TODAY),
    ],
)
def test_it_accepts_valid_resident_id(raw, number, birth):
    assert rules.validate_resident_id(raw, today=TODAY) == (number, birth)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110101199003070127", "ric_checksum"),  # last digit should be 6
        ("110101199003070021", "ric_checksum"),  # should end in X
        ("110101199103070126", "ric_checksum"),  # one digit of the year changed
        (_with_check("11010119901307001"), "ric_birth_date"),  # month 13
        (_with_check("11010119900230001"), "ric_birth_date"),  # 30 February
        (_with_check("11010119900007001"), "ric_birth_date"),  # month 0
        (_with_check("11010118991231001"), "ric_birth_date"),  # before 1900
        (_with_check("11010120300101001"), "ric_birth_date_future"),
        (_with_check(f"110101{TODAY + timedelta(days=1):%Y%m%d}001"), "ric_birth_date_future"),
        ("11010119900307012", "ric_length"),  # 17 characters
        ("1101011990030701266", "ric_length"),  # 19 characters
        ("", "ric_length"),
        ("1101011990030701A6", "ric_format"),  # a letter inside
        ("11010119900307012Y", "ric_format"),  # only X may end it
        ("ABCDEFGHIJKLMNOPQR", "ric_format"),
    ],
)
def test_it_rejects_invalid_resident_id(raw, code):
    with pytest.raises(IdentityRuleError) as exc_info:
        rules.validate_resident_id(raw, today=TODAY)
    assert exc_info.value.code == code
    assert exc_info.value.field == "document_number"


def test_it_reports_how_many_characters_were_typed():
    with pytest.raises(IdentityRuleError) as exc_info:
        rules.validate_resident_id("1234567", today=TODAY)
    assert "7" in str(exc_info.value.message)


_past_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
_digits = st.text(alphabet="0123456789", min_size=3, max_size=3)
_region = st.text(alphabet="0123456789", min_size=6, max_size=6)


@given(region=_region, birth=_past_dates, serial=_digits)
def test_it_accepts_any_number_with_computed_check_and_past_birth_date(region, birth, serial):
    number = _with_check(f"{region}{birth:%Y%m%d}{serial}")
    assert rules.validate_resident_id(number, today=TODAY) == (number, birth)


@given(
    region=_region,
    birth=_past_dates,
    serial=_digits,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_it_rejects_any_single_changed_character(region, birth, serial, position, replacement):
    number = _with_check(f"{region}{birth:%Y%m%d}{serial}")
    assume(position == 17 or replacement != "X")
    assume(number[position] != replacement)
    changed = number[:position] + replacement + number[position + 1 :]
    # MOD 11-2 catches every single-character error, so the check character never matches.
    assert _error_code(rules.validate_resident_id, changed, today=TODAY) == "ric_checksum"


@given(raw=st.text(max_size=25))
def test_it_never_crashes_on_any_typed_resident_id(raw):
    """Whatever a person types is either a valid number in ASCII or a rule error, never a 500."""
    try:
        number, _birth = rules.validate_resident_id(raw, today=TODAY)
    except IdentityRuleError:
        return
    assert number.isascii()
    assert len(number) == 18


def test_it_refuses_other_scripts_digits_that_would_dodge_the_duplicate_check():
    # Arabic-Indic digits pass str.isdigit() and int(); stored as typed, the same card could be
    # verified twice, once in each script.
    arabic = "11010119900307012".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + "6"
    assert _error_code(rules.validate_resident_id, arabic, today=TODAY) == "ric_format"


@given(position=st.integers(min_value=0, max_value=17), character=st.characters())
@example(position=14, character="²")  # isdigit() but not int(): used to escape as ValueError
@example(position=3, character="٣")
@example(position=3, character="１")  # full-width 1, the same digit
def test_it_never_crashes_when_one_character_is_anything(position, character):
    """One odd character in an otherwise valid number (a superscript ², a letter, an emoji)
    gives a rule error or the same ASCII number back; it never escapes as a 500."""
    number = valid_ric()
    typed = number[:position] + character + number[position + 1 :]
    try:
        result, _birth = rules.validate_resident_id(typed, today=TODAY)
    except IdentityRuleError:
        return
    assert result == number


def test_it_accepts_full_width_digits_from_a_chinese_keyboard():
    full_width = "１１０１０１１９９００３０７００２ｘ"
    assert rules.validate_resident_id(full_width, today=TODAY)[0] == "11010119900307002X"


# --- Unified social credit codes (GB 32100-2015) -----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (valid_uscc(), valid_uscc()),
        (valid_uscc().lower(), valid_uscc()),
        (" " + valid_uscc()[:9] + "-" + valid_uscc()[9:] + " ", valid_uscc()),
        (valid_uscc("91110000600037341"), valid_uscc("91110000600037341")),
    ],
)
def test_it_accepts_valid_uscc(raw, expected):
    assert rules.validate_uscc(raw) == expected


def _wrong_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (_wrong_check(valid_uscc()), "uscc_checksum"),
        ("91110108MA01ABCDEI", "uscc_format"),  # I is not used in the codes
        ("91110108MA01ABCDOS", "uscc_format"),
        ("9111010XMA01ABCDE1", "uscc_format"),  # the first 8 are digits
        ("91110108MA01ABCD!1", "uscc_format"),
        (valid_uscc()[:-1], "uscc_length"),
        (valid_uscc() + "1", "uscc_length"),
        ("", "uscc_length"),
    ],
)
def test_it_rejects_invalid_uscc(raw, code):
    with pytest.raises(IdentityRuleError) as exc_info:
        rules.validate_uscc(raw)
    assert exc_info.value.code == code
    assert exc_info.value.field == "uscc"


@given(raw=st.text(max_size=25))
def test_it_never_crashes_on_any_typed_uscc(raw):
    try:
        code = rules.validate_uscc(raw)
    except IdentityRuleError:
        return
    assert len(code) == 18


# --- Lawyer practising licences -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11101201710123456", "11101201710123456"),
        (" 1110 1201 7101 23456 ", "11101201710123456"),
        ("１１１０１２０１７１０１２３４５６", "11101201710123456"),  # full-width digits
    ],
)
def test_it_accepts_lawyer_licence(raw, expected):
    assert rules.validate_lawyer_licence(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1110120171012345",  # 16 digits
        "111012017101234567",  # 18 digits
        "1110120171012345A",
        "11101-20171012345",
        "",
        "١١١٠١٢٠١٧١٠١٢٣٤٥٦",  # Arabic-Indic digits are not the number printed on a licence
    ],
)
def test_it_rejects_malformed_lawyer_licence(raw):
    with pytest.raises(IdentityRuleError) as exc_info:
        rules.validate_lawyer_licence(raw)
    assert exc_info.value.code == "licence_format"
    assert exc_info.value.field == "licence_number"


@given(raw=st.text(max_size=25))
def test_it_only_returns_ascii_licence_numbers(raw):
    try:
        number = rules.validate_lawyer_licence(raw)
    except IdentityRuleError:
        return
    assert number.isascii() and number.isdigit() and len(number) == 17


# --- Mobile numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("138-0013-8000", "+8613800138000"),
        ("+8613800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        (" 8613800138000 ", "+8613800138000"),
        ("+447911123456", "+447911123456"),  # a foreign mobile keeps its country code
    ],
)
def test_it_normalises_mobile_numbers(raw, expected):
    assert rules.normalise_mobile(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("010 6234 5678", "mobile_not_mobile"),  # a Beijing landline
        ("+861062345678", "mobile_not_mobile"),
        ("hello", "mobile_invalid"),
        ("123", "mobile_invalid"),
        ("1380013800", "mobile_invalid"),  # one digit short
        ("", "mobile_missing"),
        ("   ", "mobile_missing"),
    ],
)
def test_it_rejects_numbers_that_cannot_get_texts(raw, code):
    assert _error_code(rules.normalise_mobile, raw) == code


@given(raw=st.text(max_size=30))
def test_it_never_crashes_on_any_typed_mobile(raw):
    try:
        number = rules.normalise_mobile(raw)
    except IdentityRuleError:
        return
    assert number.startswith("+")


# --- Other documents and birth dates --------------------------------------------------------------


def test_it_normalises_passport_numbers():
    assert rules.validate_other_document_number(" e1234-5678 ") == "E12345678"
    assert _error_code(rules.validate_other_document_number, "E12") == "document_number_format"


def test_it_refuses_missing_or_future_birth_dates():
    assert rules.validate_birth_date(date(1990, 1, 1), today=TODAY) == date(1990, 1, 1)
    assert _error_code(rules.validate_birth_date, None, today=TODAY) == "birth_date_missing"
    future = TODAY + timedelta(days=1)
    assert _error_code(rules.validate_birth_date, future, today=TODAY) == "birth_date_future"


# --- Masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "1101**********002X"),
        ("110101199003070126", "1101**********0126"),
        ("E12345678", "E123*5678"),
        ("E1234567", "E*******"),  # too short to show both ends
        ("AB", "A*"),
        ("", ""),
    ],
)
def test_it_masks_identifiers(value, masked):
    assert rules.mask_identifier(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+8613800138000", "+86 138****8000"),
        ("+447911123456", "+44********56"),
        ("alice@example.com", "ali************om"),
    ],
)
def test_it_masks_mobile_numbers(value, masked):
    assert rules.mask_mobile(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三丰", "张**"), ("王五", "王*"), ("Alice Zhang", "A**** Z****"), ("", "")],
)
def test_it_masks_names(value, masked):
    assert rules.mask_name(value) == masked


@given(value=st.text(max_size=40))
def test_it_keeps_the_length_when_masking(value):
    masked = rules.mask_identifier(value)
    assert len(masked) == len(value)
    if len(value) > 8:
        assert masked[:4] == value[:4] and masked[-4:] == value[-4:]
        assert set(masked[4:-4]) == {"*"}
    elif value:
        assert masked[0] == value[0] and set(masked[1:]) <= {"*"}
