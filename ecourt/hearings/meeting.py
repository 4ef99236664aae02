"""Where a hearing's video conference happens: a provider interface with two providers.

- ``TemplateMeetings``: the courtroom's ``meeting_url_template`` (or the court's
  ``ECOURT_MEETING_URL_TEMPLATE``) with ``{room}`` replaced; anyone with the link joins.
- ``JitsiMeetings``: with ``ECOURT_JITSI_APP_ID`` and ``ECOURT_JITSI_SECRET`` set, the same
  URL plus ``?jwt=`` a token signed with HS256 that names the participant and the room, is
  valid from 30 minutes before the start to an hour after the planned end, and makes the
  judge the moderator. A Jitsi deployment with token authentication refuses links without it.

The JWT is built here with ``hmac`` (RFC 7519 with the HS256 algorithm of RFC 7518): it is a
few lines, and a whole JWT library for one signature is not worth the dependency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings

from ecourt.accounts.models import User
from ecourt.hearings.models import Hearing

#: The token is valid from this long before the start (when the room opens) …
OPENS_BEFORE = timedelta(minutes=30)
#: … until this long after the planned end (hearings overrun).
VALID_AFTER_END = timedelta(hours=1)


class MeetingProvider(Protocol):
    def meeting_url(self, hearing: Hearing, user: User) -> str: ...


def url_template(hearing: Hearing) -> str:
    """The courtroom's template, or the court's."""
    return hearing.courtroom.meeting_url_template or settings.ECOURT_MEETING_URL_TEMPLATE


def _room_url(hearing: Hearing) -> str:
    return url_template(hearing).replace("{room}", hearing.room)


class TemplateMeetings:
    """A plain link to the room: the room name is random and unguessable."""

    def meeting_url(self, hearing: Hearing, user: User) -> str:
        return _room_url(hearing)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_hs256(claims: dict[str, Any], secret: str) -> str:
    """A compact JWS (a JWT) over ``claims``, signed with HMAC-SHA256."""
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        for part in (header, claims)
    )
    signature = hmac.new(
        secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256
    ).digest()
    return f"{signing_input}.{_b64url(signature)}"


class JitsiMeetings:
    """Jitsi Meet with token authentication (prosody ``token`` auth, HS256 shared secret)."""

    def __init__(self, *, app_id: str, secret: str) -> None:
        self.app_id = app_id
        self.secret = secret

    def claims(self, hearing: Hearing, user: User) -> dict[str, Any]:
        moderator = user.pk == hearing.judge_id
        return {
            "aud": "jitsi",
            "iss": self.app_id,
            # Jitsi checks ``sub`` against its own domain: the host of the room URL.
            "sub": urlsplit(url_template(hearing)).hostname or "",
            "room": hearing.room,
            "nbf": int((hearing.starts_at - OPENS_BEFORE).timestamp()),
            "exp": int((hearing.ends_at + VALID_AFTER_END).timestamp()),
            "moderator": moderator,
            "context": {
                "user": {
                    "id": str(user.pk),
                    "name": user.display_name or str(user),
                    "moderator": moderator,
                }
            },
        }

    def meeting_url(self, hearing: Hearing, user: User) -> str:
        url = _room_url(hearing)
        token = jwt_hs256(self.claims(hearing, user), self.secret)
        return f"{url}{'&' if '?' in url else '?'}jwt={token}"


def provider() -> MeetingProvider:
    """The provider the settings choose."""
    if settings.ECOURT_JITSI_APP_ID and settings.ECOURT_JITSI_SECRET:
        return JitsiMeetings(
            app_id=settings.ECOURT_JITSI_APP_ID, secret=settings.ECOURT_JITSI_SECRET
        )
    return TemplateMeetings()


def meeting_url(hearing: Hearing, user: User) -> str:
    """The link ``user`` opens to join ``hearing``'s video conference."""
    return provider().meeting_url(hearing, user)
