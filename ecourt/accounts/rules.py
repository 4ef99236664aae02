"""Rules for identity data, as pure functions. Each raises ``IdentityRuleError`` with a message
a person can act on, or returns the normalised value.

Bases (see docs/accounts.md):
- Resident identity card numbers: GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check
  character, birth date in positions 7–14), checked with python-stdnum ``cn.ric``.
- Unified social credit codes: GB 32100-2015, checked with python-stdnum ``cn.uscc``.
- Lawyer practising licence numbers: 17 digits (Ministry of Justice licence format).
- Mobile numbers: parsed with ``phonenumbers``; mainland numbers may be typed without +86.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import phonenumbers
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from ecourt.core.errors import DomainError


class IdentityRuleError(DomainError):
    pass


def normalise_mobile(raw: str) -> str:
    """Return the number in E.164 form, or raise. Numbers without a country code are Chinese."""
    text = (raw or "").strip()
    if not text:
        raise IdentityRuleError(_("Enter a mobile number."), code="mobile_missing")
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else "CN")
    except phonenumbers.NumberParseException as exc:
        raise IdentityRuleError(
            _("This is not a mobile number. Enter 11 digits, e.g. 13800138000."),
            code="mobile_invalid",
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise IdentityRuleError(
            _("This mobile number does not exist. Check the digits."), code="mobile_invalid"
        )
    number_type = phonenumbers.number_type(parsed)
    if number_type not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise IdentityRuleError(
            _("This is a landline number. Enter a mobile number that can receive text messages."),
            code="mobile_not_mobile",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _strip_separators(value: str) -> str:
    """People copy numbers with spaces or hyphens between groups; neither is part of it."""
    return re.sub(r"[\s\-]", "", value)


def normalise_number(raw: str) -> str:
    """The common first step for every document number a person types.

    NFKC turns full-width characters from a Chinese keyboard (１２ｘ) into ASCII; spaces and
    hyphens between groups are dropped; letters are upper-cased. The result may still contain
    non-ASCII characters, which each validator refuses.
    """
    return _strip_separators(unicodedata.normalize("NFKC", raw or "")).upper()


def validate_resident_id(raw: str, *, today: date) -> tuple[str, date]:
    """Check a PRC resident identity card number; return it normalised with the birth date."""
    # NFKC turns full-width characters from a Chinese keyboard (１２ｘ) into ASCII.
    number = ric.compact(normalise_number(raw))
    if len(number) != 18:
        raise IdentityRuleError(
            _("A resident identity card number has 18 characters; you entered %(count)d.")
            % {"count": len(number)},
            code="ric_length",
            field="document_number",
        )
    # isascii(): str.isdigit() also accepts other scripts' digits, which int() would read.
    if not number.isascii() or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise IdentityRuleError(
            _("Only digits are allowed, and X as the last character."),
            code="ric_format",
            field="document_number",
        )
    if number[-1] != ric.calc_check_digit(number):
        raise IdentityRuleError(
            _(
                "This identity card number is not valid: its check character does not match. "
                "Check each digit against your card."
            ),
            code="ric_checksum",
            field="document_number",
        )
    try:
        birth_date = ric.get_birth_date(number)
    except stdnum_exc.ValidationError as exc:
        raise IdentityRuleError(
            _("The birth date in this identity card number (digits 7 to 14) is not a real date."),
            code="ric_birth_date",
            field="document_number",
        ) from exc
    if birth_date > today:
        raise IdentityRuleError(
            _("The birth date in this identity card number is in the future."),
            code="ric_birth_date_future",
            field="document_number",
        )
    if birth_date.year < 1900:
        raise IdentityRuleError(
            _("The birth date in this identity card number is before 1900."),
            code="ric_birth_date",
            field="document_number",
        )
    return number, birth_date


def resident_id_area_known(number: str) -> bool:
    """Whether the first six digits are an administrative area code valid in the birth year
    (GB/T 2260, as python-stdnum's area database knows it).

    An unknown code is not proof of a false number (the database can lag behind new areas),
    so callers send such numbers to staff review instead of refusing them.
    """
    try:
        ric.get_birth_place(number)
    except stdnum_exc.ValidationError:
        return False
    return True


def validate_uscc(raw: str) -> str:
    """Check a unified social credit code (18 characters, GB 32100-2015)."""
    code = uscc.compact(normalise_number(raw))
    if len(code) != 18:
        raise IdentityRuleError(
            _("A unified social credit code has 18 characters; you entered %(count)d.")
            % {"count": len(code)},
            code="uscc_length",
            field="uscc",
        )
    try:
        return str(uscc.validate(code))
    except stdnum_exc.InvalidChecksum as exc:
        raise IdentityRuleError(
            _(
                "This unified social credit code is not valid: its check character does not "
                "match. Copy it again from the business licence."
            ),
            code="uscc_checksum",
            field="uscc",
        ) from exc
    except stdnum_exc.ValidationError as exc:
        raise IdentityRuleError(
            _(
                "This is not a unified social credit code: use digits and capital letters "
                "(not I, O, S, V or Z) as printed on the business licence."
            ),
            code="uscc_format",
            field="uscc",
        ) from exc


_DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{5,20}$")


def validate_other_document_number(raw: str) -> str:
    """Passport and travel permit numbers: letters and digits; staff check them on the image."""
    number = normalise_number(raw)
    if not _DOCUMENT_NUMBER.match(number):
        raise IdentityRuleError(
            _("Enter the document number as printed: 5 to 20 letters and digits."),
            code="document_number_format",
            field="document_number",
        )
    return number


def validate_birth_date(value: date | None, *, today: date) -> date:
    if value is None:
        raise IdentityRuleError(
            _("Enter your date of birth."), code="birth_date_missing", field="birth_date"
        )
    if value > today:
        raise IdentityRuleError(
            _("The date of birth cannot be in the future."),
            code="birth_date_future",
            field="birth_date",
        )
    return value


def validate_lawyer_licence(raw: str) -> str:
    number = normalise_number(raw)
    if not (number.isascii() and number.isdigit()) or len(number) != 17:
        raise IdentityRuleError(
            _("A lawyer's practising licence number has exactly 17 digits."),
            code="licence_format",
            field="licence_number",
        )
    return number


def mask_identifier(value: str, *, keep_start: int = 4, keep_end: int = 4) -> str:
    """``11010519491231002X`` → ``1101**********002X``; short values are masked whole but one."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * (len(value) - 1)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_mobile(value: str) -> str:
    """``+8613800138000`` → ``+86 138****8000``."""
    if value.startswith("+86") and len(value) == 14:
        return f"+86 {value[3:6]}****{value[-4:]}"
    return mask_identifier(value, keep_start=3, keep_end=2)


def mask_name(value: str) -> str:
    """Chinese names keep the family name (``张*``); others keep the first letter of each word."""
    if not value:
        return ""
    if all(ord(ch) > 0x2E80 for ch in value):
        return value[0] + "*" * (len(value) - 1)
    return " ".join(word[0] + "*" * (len(word) - 1) for word in value.split())
