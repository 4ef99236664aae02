"""Background tasks of the core app. Tasks take ids, never objects."""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from ecourt.core.models import OutboundMessage
from ecourt.core.sms import OutgoingSms, SmsSendError, get_backend

logger = logging.getLogger(__name__)


def _deliver(message: OutboundMessage) -> str:
    if message.channel == OutboundMessage.Channel.SMS:
        return get_backend().send(
            OutgoingSms(to=message.to, body=message.body, reference=f"msg-{message.pk}")
        )
    try:
        send_mail(message.subject, message.body, None, [message.to], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise SmsSendError(f"mail server: {exc}") from exc
    return ""


@task()
def message_send(*, message_id: int) -> str:
    """Send one queued message. Safe to run twice: only a QUEUED row is claimed."""
    Status = OutboundMessage.Status
    claimed = OutboundMessage.objects.filter(pk=message_id, status=Status.QUEUED).update(
        status=Status.SENDING
    )
    if claimed != 1:
        return "not-queued"
    message = OutboundMessage.objects.get(pk=message_id)
    # The provider call is slow network I/O, so it runs outside any transaction.
    try:
        provider_id = _deliver(message)
    except SmsSendError as exc:
        logger.warning("message %s could not be sent: %s", message.pk, exc)
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=Status.FAILED,
            attempts=message.attempts + 1,
            last_error=str(exc)[:300],
            # Nothing re-sends a failed row; a one-time code must not stay readable in it.
            body="" if message.sensitive else message.body,
        )
        return "failed"
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT,
        attempts=message.attempts + 1,
        provider_id=provider_id[:100],
        sent_at=timezone.now(),
        body="" if message.sensitive else message.body,
    )
    return "sent"
