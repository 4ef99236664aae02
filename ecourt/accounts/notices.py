"""Texting a person about their account, in their own language."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.core.court import get_court_profile
from ecourt.core.models import OutboundMessage
from ecourt.core.services import message_queue


def text_person(
    user: User,
    *,
    text: Promise,
    purpose: str,
    params: dict[str, str] | None = None,
    reason: str | None = None,
    to: str | None = None,
) -> None:
    """Queue a text to ``to`` (default: the person's mobile) in this transaction, so the
    message exists exactly when the change it reports does. ``text`` is lazy and rendered
    in the person's language, not in the language of whoever made the change."""
    with translation.override(user.preferred_language):
        values = {"court": get_court_profile().name, "text": str(text) % (params or {})}
        if reason is None:
            body = _("[%(court)s] %(text)s") % values
        else:
            body = _("[%(court)s] %(text)s Reason: %(reason)s Sign in to see what to do next.") % {
                **values,
                "reason": reason,
            }
    message_queue(
        channel=OutboundMessage.Channel.SMS, to=to or user.mobile, body=body, purpose=purpose
    )
