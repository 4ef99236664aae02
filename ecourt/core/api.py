from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from ecourt.core.court import get_court_profile

router = Router(tags=["court"])


class CourtOut(Schema):
    name_en: str
    name_zh: str
    code: str
    time_zone: str


@router.get("/court", response=CourtOut, auth=None, summary="The court this platform serves")
def court(request: HttpRequest) -> CourtOut:
    profile = get_court_profile()
    return CourtOut(
        name_en=profile.name_en,
        name_zh=profile.name_zh,
        code=profile.code,
        time_zone=str(profile.time_zone),
    )
