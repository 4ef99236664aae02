"""The video conference link: the plain template, the courtroom's own template, and Jitsi
rooms with an HS256 token whose signature and claims are checked here by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from ecourt.accounts.models import User
from ecourt.hearings.meeting import JitsiMeetings, TemplateMeetings, meeting_url, provider
from ecourt.hearings.models import Courtroom, Hearing

SHANGHAI = ZoneInfo("Asia/Shanghai")
STARTS = datetime(2026, 9, 22, 9, 30, tzinfo=SHANGHAI)
SECRET = "s3cret-shared-with-prosody"


def hearing(template: str = "") -> Hearing:
    """An unsaved hearing of Judge (pk 7) in a courtroom, 09:30–10:30."""
    return Hearing(
        courtroom=Courtroom(name="Courtroom 1", code="c1", meeting_url_template=template),
        judge_id=7,
        clerk_id=8,
        room="ec-3f9a1c2b7d",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
    )


def person(pk: int, name: str) -> User:
    return User(pk=pk, display_name=name)


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def decoded(url: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    token = parse_qs(urlsplit(url).query)["jwt"][0]
    header, claims, signature = token.split(".")
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(unb64(signature), expected), "signature does not verify"
    return json.loads(unb64(header)), json.loads(unb64(claims)), token


def test_without_jitsi_keys_it_is_the_template_with_the_room(settings):
    settings.ECOURT_JITSI_APP_ID = ""
    settings.ECOURT_JITSI_SECRET = ""
    settings.ECOURT_MEETING_URL_TEMPLATE = "https://video.example.org/r/{room}?lang=zh"
    assert isinstance(provider(), TemplateMeetings)
    assert (
        meeting_url(hearing(), person(1, "Alice"))
        == "https://video.example.org/r/ec-3f9a1c2b7d?lang=zh"
    )
    # The courtroom's own provider wins over the court's.
    own = hearing("https://meet.court.example/{room}")
    assert meeting_url(own, person(1, "Alice")) == "https://meet.court.example/ec-3f9a1c2b7d"


def test_with_jitsi_keys_the_link_carries_a_signed_token(settings):
    settings.ECOURT_JITSI_APP_ID = "ecourt"
    settings.ECOURT_JITSI_SECRET = SECRET
    settings.ECOURT_MEETING_URL_TEMPLATE = "https://meet.court.example/{room}"
    assert isinstance(provider(), JitsiMeetings)

    url = meeting_url(hearing(), person(1, "Alice Zhang"))
    assert url.startswith("https://meet.court.example/ec-3f9a1c2b7d?jwt=")
    header, claims, _token = decoded(url)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims["aud"] == "jitsi"
    assert claims["iss"] == "ecourt"
    assert claims["sub"] == "meet.court.example"
    assert claims["room"] == "ec-3f9a1c2b7d"
    assert claims["nbf"] == int((STARTS - timedelta(minutes=30)).timestamp())
    assert claims["exp"] == int((STARTS + timedelta(hours=2)).timestamp())
    assert claims["context"]["user"]["name"] == "Alice Zhang"
    assert claims["moderator"] is False
    assert claims["context"]["user"]["moderator"] is False


def test_the_judge_is_the_moderator_and_a_changed_token_fails(settings):
    settings.ECOURT_JITSI_APP_ID = "ecourt"
    settings.ECOURT_JITSI_SECRET = SECRET
    url = meeting_url(hearing("https://meet.court.example/{room}?x=1"), person(7, "Judge Wang"))
    assert "?x=1&jwt=" in url
    _header, claims, token = decoded(url)
    assert claims["moderator"] is True
    assert claims["context"]["user"]["name"] == "Judge Wang"

    header, body, signature = token.split(".")
    forged = dict(claims, moderator=True, room="another-room")
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(AssertionError, match="signature"):
        decoded(f"https://meet.court.example/r?jwt={header}.{body}.{signature}")
