"""Background tasks of the core app. Tasks take ids, never objects."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ecourt.core.models import OutboundMessage
from ecourt.core.sms import OutgoingSms, SmsSendError, get_backend

logger = logging.getLogger(__name__)

#: Sends tried before a message is given up as failed (one-time codes: once; a person asks
#: for a new code instead, and an old code arriving late only confuses).
MAX_ATTEMPTS = 5


def retry_delay(attempts: int) -> timedelta:
    """Back off 2, 4, 8, 16 minutes after the 1st, 2nd, 3rd, 4th failed send."""
    return timedelta(minutes=2**attempts)


def _deliver(message: OutboundMessage) -> str:
    if message.channel == OutboundMessage.Channel.SMS:
        return get_backend().send(
            OutgoingSms(to=message.to, body=message.body, reference=f"msg-{message.pk}")
        )
    try:
        send_mail(message.subject, message.body, None, [message.to], fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        # 4xx replies (greylisting, mailbox busy) pass; only 5xx for every recipient is final.
        permanent = all(code >= 500 for code, _reply in exc.recipients.values())
        raise SmsSendError(f"mail server: {exc}", permanent=permanent) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SmsSendError(f"mail server: {exc}") from exc
    return ""


@task()
def message_send(*, message_id: int) -> str:
    """Send one queued message whose time has come. Safe to run twice: a row is claimed by
    one worker with a conditional UPDATE, and only a QUEUED row can be claimed."""
    Status = OutboundMessage.Status
    now = timezone.now()
    claimed = (
        OutboundMessage.objects.filter(pk=message_id, status=Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, claimed_at=now)
    )
    if claimed != 1:
        return "not-due"
    message = OutboundMessage.objects.get(pk=message_id)
    # The provider call is slow network I/O, so it runs outside any transaction.
    try:
        provider_id = _deliver(message)
    except SmsSendError as exc:
        return _failed(message, str(exc), permanent=exc.permanent)
    except Exception as exc:
        # An unexpected error from a backend must not leave the row claimed for ever: record
        # it like a passing failure (retried, and counted against MAX_ATTEMPTS).
        logger.exception("message %s: unexpected error while sending", message.pk)
        return _failed(message, repr(exc), permanent=False)
    # Conditional on SENDING: if the sweeper gave this send up meanwhile, its verdict stands.
    OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SENT,
        attempts=message.attempts + 1,
        provider_id=provider_id[:100],
        sent_at=timezone.now(),
        next_attempt_at=None,
        body="" if message.sensitive else message.body,
    )
    return "sent"


def _failed(message: OutboundMessage, error: str, *, permanent: bool) -> str:
    Status = OutboundMessage.Status
    attempts = message.attempts + 1
    final = permanent or message.sensitive or attempts >= MAX_ATTEMPTS
    logger.warning(
        "message %s could not be sent (attempt %d%s): %s",
        message.pk,
        attempts,
        ", giving up" if final else "",
        error,
    )
    if final:
        OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.FAILED,
            attempts=attempts,
            last_error=error[:300],
            next_attempt_at=None,
            # A code nobody will receive must not stay readable either.
            body="" if message.sensitive else message.body,
        )
        return "failed"
    due = timezone.now() + retry_delay(attempts)
    OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.QUEUED, attempts=attempts, last_error=error[:300], next_attempt_at=due
    )
    if message_send.get_backend().supports_defer:
        message_send.using(run_after=due).enqueue(message_id=message.pk)
    # Otherwise the worker's sweeper enqueues it once it is due.
    return "retry"
