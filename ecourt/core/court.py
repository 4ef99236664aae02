"""The court this installation serves. Later capabilities read names and codes from here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import get_language


@dataclass(frozen=True)
class CourtProfile:
    name_en: str
    name_zh: str
    code: str
    time_zone: ZoneInfo
    support_phone: str

    @property
    def name(self) -> str:
        """The court's name in the active language."""
        language = get_language() or settings.LANGUAGE_CODE
        return self.name_zh if language.startswith("zh") else self.name_en


@lru_cache(maxsize=1)
def get_court_profile() -> CourtProfile:
    return CourtProfile(
        name_en=settings.ECOURT_COURT_NAME_EN,
        name_zh=settings.ECOURT_COURT_NAME_ZH,
        code=settings.ECOURT_COURT_CODE,
        time_zone=ZoneInfo(settings.TIME_ZONE),
        support_phone=settings.ECOURT_SUPPORT_PHONE,
    )
