"""Writes shared by all capabilities: queueing text messages and emails."""

from __future__ import annotations

from django.db import transaction

from ecourt.core.models import OutboundMessage


def message_queue(
    *, channel: str, to: str, body: str, purpose: str, subject: str = "", sensitive: bool = False
) -> OutboundMessage:
    """Store a message and have the worker send it once the surrounding transaction commits.

    The row is written in the caller's transaction, so a message exists exactly when the change
    that caused it does; a crash before commit loses both, a crash after keeps both.
    """
    from ecourt.core.tasks import message_send

    message = OutboundMessage.objects.create(
        channel=channel, to=to, subject=subject, body=body, purpose=purpose, sensitive=sensitive
    )
    transaction.on_commit(lambda: message_send.enqueue(message_id=message.pk))
    return message
