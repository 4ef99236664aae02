"""Case numbers: (year) + court code + case-type code + serial + 号, e.g. (2026)京0491民初123号.

The format follows the SPC Provisions on Case Numbers of People's Courts (《最高人民法院关于人民
法院案件案号的若干规定》, 2015, amended 2018): the year the case is docketed, the court's code,
the type code, and a serial that starts at 1 each year per type. This module formats and reads
numbers; assigning serials gap-free under concurrency belongs to the docketing service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class CaseTypeCode(StrEnum):
    CIVIL_FIRST_INSTANCE = "民初"
    ADMINISTRATIVE_FIRST_INSTANCE = "行初"
    PRE_FILING_MEDIATION = "民诉前调"
    SPECIAL_PROCEDURE = "民特"
    ENFORCEMENT = "执"


_PATTERN = re.compile(
    r"^[(（](?P<year>\d{4})[)）](?P<court>[\u4e00-\u9fff]\d{4})"
    r"(?P<type>" + "|".join(sorted((c.value for c in CaseTypeCode), key=len, reverse=True)) + r")"
    r"(?P<serial>[1-9]\d*)号$"
)


@dataclass(frozen=True, order=True)
class CaseNumber:
    year: int
    court_code: str
    type_code: CaseTypeCode
    serial: int

    def __post_init__(self) -> None:
        if not 1949 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is not a docketing year")
        if self.serial < 1:
            raise ValueError("serials start at 1")
        if not re.fullmatch(r"[\u4e00-\u9fff]\d{4}", self.court_code):
            raise ValueError(f"court code {self.court_code!r} is not like 京0491")

    def __str__(self) -> str:
        return f"({self.year}){self.court_code}{self.type_code.value}{self.serial}号"


def parse_case_number(text: str) -> CaseNumber:
    """Read a case number as printed; full-width brackets are accepted. Raises ValueError."""
    match = _PATTERN.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a case number like (2026)京0491民初123号")
    return CaseNumber(
        year=int(match["year"]),
        court_code=match["court"],
        type_code=CaseTypeCode(match["type"]),
        serial=int(match["serial"]),
    )
