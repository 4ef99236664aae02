"""Writes shared by all capabilities: queueing text messages and emails."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

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


#: A QUEUED row due this long ago has probably lost its task (process died before enqueueing).
STALE_QUEUED = timedelta(minutes=2)
#: A row claimed this long ago belongs to a worker that died mid-send.
STALE_SENDING = timedelta(minutes=10)


def messages_sweep() -> int:
    """Re-enqueue messages left behind by a crash or waiting for a retry. Returns how many.

    Delivery is at least once: a worker that died after the provider accepted a message but
    before recording it will cause a second copy. For one-time codes and notices that is the
    lesser harm compared with a party never being told.
    """
    from ecourt.core.tasks import MAX_ATTEMPTS, message_send

    now = timezone.now()
    Status = OutboundMessage.Status
    stuck = OutboundMessage.objects.filter(status=Status.SENDING).filter(
        Q(claimed_at__lt=now - STALE_SENDING)
        | Q(claimed_at__isnull=True, created_at__lt=now - STALE_SENDING)
    )
    # An interrupted send counts as a try. A code is not sent again: it has expired by now.
    stuck.filter(sensitive=True).update(
        status=Status.FAILED,
        body="",
        last_error="interrupted while sending",
        attempts=F("attempts") + 1,
    )
    stuck.filter(sensitive=False, attempts__gte=MAX_ATTEMPTS - 1).update(
        status=Status.FAILED, last_error="interrupted while sending", attempts=F("attempts") + 1
    )
    stuck.filter(sensitive=False).update(
        status=Status.QUEUED,
        last_error="re-queued after an interrupted send",
        attempts=F("attempts") + 1,
    )
    due = OutboundMessage.objects.filter(status=Status.QUEUED).filter(
        Q(next_attempt_at__isnull=True, created_at__lt=now - STALE_QUEUED)
        | Q(next_attempt_at__lte=now - STALE_QUEUED)
    )
    ids = list(due.values_list("pk", flat=True))
    for message_id in ids:
        message_send.enqueue(message_id=message_id)
    return len(ids)
