"""The worker's side: claim due deliveries atomically, push them through their channels with
an attempt row committed before every provider call, back off, fail into the staff queue.

Claims: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` (several workers take disjoint
rows without waiting); elsewhere a conditional ``UPDATE … WHERE status = 'queued'`` per row
whose count must be 1. Provider calls run outside any transaction: they are slow network
I/O, and a held lock would stall the case's other writes.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ecourt.core.court import get_court_profile
from ecourt.core.sms import OutgoingSms, SmsSendError, get_backend
from ecourt.delivery import rules
from ecourt.delivery.models import (
    PUSH_CHANNELS,
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EventKind,
    FailureReason,
    NotificationPreference,
)
from ecourt.delivery.services.common import event_add, lock_delivery
from ecourt.delivery.services.receipts import _lock_pair, counts_as_confirmed, serve_if_due

logger = logging.getLogger(__name__)
S = DeliveryStatus

#: A delivery claimed this long ago belongs to a worker that died mid-send.
STALE_SENDING = timedelta(minutes=10)
#: The sweeper dispatches only rows due this long ago: fresh ones have a task on the way.
SWEEP_GRACE = timedelta(minutes=1)


class ChannelError(Exception):
    """A channel could not take the message. ``permanent`` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


# --- Claiming --------------------------------------------------------------------------------


def deliveries_claim(
    *,
    worker: str,
    limit: int | None = None,
    ids: list[int] | None = None,
    grace: timedelta = timedelta(0),
) -> list[int]:
    """Claim up to ``limit`` due deliveries (or exactly ``ids`` when due) for ``worker``.
    ``grace``: only rows due at least that long ago (the sweeper leaves fresh rows to their
    own tasks)."""
    limit = limit or settings.ECOURT_DELIVERY_BATCH
    now = timezone.now()
    due = Delivery.objects.filter(status=S.QUEUED, next_attempt_at__lte=now - grace)
    if ids is not None:
        due = due.filter(pk__in=ids)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            found = list(
                due.select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            Delivery.objects.filter(pk__in=found).update(
                status=S.SENDING, claimed_at=now, claimed_by=worker[:100]
            )
        return found
    claimed = []
    for pk in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]:
        won = Delivery.objects.filter(pk=pk, status=S.QUEUED).update(
            status=S.SENDING, claimed_at=now, claimed_by=worker[:100]
        )
        if won == 1:
            claimed.append(pk)
    return claimed


# --- Channels --------------------------------------------------------------------------------


def link_for(delivery: Delivery) -> str:
    return settings.ECOURT_PUBLIC_URL + reverse("delivery:open", args=[delivery.pk])


def message_text(delivery: Delivery) -> tuple[str, str]:
    """(subject, body) of the text or email that tells the recipient, in their language (both
    languages when there is no account to know it from). Never the document itself, unless
    the court configured emails to carry it."""
    court = get_court_profile()
    languages = [delivery.user.preferred_language] if delivery.user else ["zh-hans", "en"]
    subjects, bodies = [], []
    for language in languages:
        chinese = language.startswith("zh")
        with translation.override(language):
            subject = delivery.subject_zh if chinese else delivery.subject_en
            values = {"court": court.name_zh if chinese else court.name_en}
            if delivery.legal:
                body = _(
                    "[%(court)s] A court document is waiting for you: %(subject)s. Sign in to "
                    "read it: %(link)s"
                ) % {**values, "subject": subject, "link": link_for(delivery)}
            else:
                text = delivery.notice_zh if chinese else delivery.notice_en
                body = _("[%(court)s] %(text)s") % {**values, "text": text}
        subjects.append(subject)
        bodies.append(body)
    return " / ".join(subjects)[:300], " ".join(bodies)


def _send_sms(delivery: Delivery, address: str, body: str, attempt: DeliveryAttempt) -> str:
    try:
        return get_backend().send(
            OutgoingSms(to=address, body=body, reference=f"dlv-{delivery.pk}-{attempt.pk}")
        )
    except SmsSendError as exc:
        raise ChannelError(str(exc), permanent=exc.permanent) from exc


def _send_email(
    delivery: Delivery, address: str, subject: str, body: str, *, confirmed: bool
) -> str:
    # The document itself only to an address its recipient confirmed, never to one the
    # other side typed in.
    if (
        delivery.legal
        and confirmed
        and settings.ECOURT_DELIVERY_EMAIL_TEXT
        and delivery.document is not None
    ):
        body = f"{body}\n\n{delivery.document.body}"
    try:
        EmailMessage(subject=subject, body=body, to=[address]).send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        # 4xx replies (greylisting, mailbox busy) pass; only 5xx for every recipient bounces.
        permanent = all(code >= 500 for code, _reply in exc.recipients.values())
        raise ChannelError(f"mail server: {exc.recipients}", permanent=permanent) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"mail server: {exc!r}", permanent=False) from exc
    return ""


def _quiet_until(delivery: Delivery, channel: str, now: datetime) -> datetime | None:
    """When a text may go out, if not now. Legal service ignores quiet hours for the inbox
    and email but not for texts; notices also keep the person's own quiet hours."""
    local = timezone.localtime(now)
    waits = []
    if channel == Channel.SMS:
        waits.append(
            rules.quiet_until(local, rules.parse_quiet_hours(settings.ECOURT_SMS_QUIET_HOURS))
        )
    if not delivery.legal and delivery.user_id:
        preference = NotificationPreference.objects.filter(user_id=delivery.user_id).first()
        if preference and preference.quiet_start and preference.quiet_end:
            waits.append(rules.quiet_until(local, (preference.quiet_start, preference.quiet_end)))
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def _accepted_channels(delivery: Delivery) -> set[tuple[str, str]]:
    return set(
        delivery.tries.filter(outcome=AttemptOutcome.ACCEPTED).values_list("channel", "address")
    )


# --- Dispatch --------------------------------------------------------------------------------


def delivery_dispatch(*, delivery_id: int, worker: str | None = None) -> str:
    """Push one delivery claimed by ``worker`` (default: whoever holds the claim) through the
    channels it has not reached yet. Returns what became of it: sent / retry / failed /
    deferred / not-claimed / superseded.

    The claim is stamped afresh first (``claimed_at``, conditional on the same worker), so a
    batch claimed long ago is not taken for abandoned while its rows wait their turn; the
    outcome is settled only if that stamp still holds."""
    delivery = Delivery.objects.select_related("user", "document").get(pk=delivery_id)
    if delivery.status != S.SENDING:
        return "not-claimed"
    worker = (worker or delivery.claimed_by)[:100]
    stamp = timezone.now()
    if (
        Delivery.objects.filter(pk=delivery_id, status=S.SENDING, claimed_by=worker).update(
            claimed_at=stamp
        )
        != 1
    ):
        return "not-claimed"
    round_no = delivery.attempts + 1
    done = _accepted_channels(delivery)
    subject, body = message_text(delivery)
    passing: list[str] = []
    permanent: list[tuple[str, str]] = []
    deferred: list[datetime] = []
    accepted_now: list[str] = []
    now = timezone.now()
    for step in delivery.plan:
        channel, address = step["channel"], step.get("address", "")
        if channel not in PUSH_CHANNELS or (channel, address) in done:
            continue
        wait = _quiet_until(delivery, channel, now)
        if wait is not None:
            deferred.append(wait)
            continue
        # Recorded and committed before the provider is called: a worker killed during the
        # call leaves this row STARTED, and the sweeper records it as interrupted.
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery,
            channel=channel,
            address=address,
            round=round_no,
            started_at=timezone.now(),
        )
        try:
            if channel == Channel.SMS:
                provider_id = _send_sms(delivery, address, body, attempt)
            else:
                provider_id = _send_email(
                    delivery, address, subject, body, confirmed=bool(step.get("confirmed"))
                )
        except ChannelError as exc:
            outcome = AttemptOutcome.REJECTED if exc.permanent else AttemptOutcome.ERROR
            _finish(attempt, outcome, message=str(exc))
            (permanent.append((channel, str(exc))) if exc.permanent else passing.append(channel))
            continue
        except Exception as exc:
            # A backend bug must not leave the delivery claimed for ever: a passing failure.
            logger.exception("delivery %s: unexpected error on %s", delivery.pk, channel)
            _finish(attempt, AttemptOutcome.ERROR, message=repr(exc))
            passing.append(channel)
            continue
        _finish(attempt, AttemptOutcome.ACCEPTED, provider_id=provider_id)
        accepted_now.append(channel)
    return _settle(
        delivery.pk,
        claim=(worker, stamp),
        round_no=round_no,
        passing=passing,
        permanent=permanent,
        deferred=deferred,
        accepted_now=accepted_now,
    )


def _finish(
    attempt: DeliveryAttempt, outcome: str, *, message: str = "", provider_id: str = ""
) -> None:
    # Only a STARTED attempt: if a sweep already recorded it as interrupted, that stands.
    DeliveryAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.STARTED).update(
        outcome=outcome,
        finished_at=timezone.now(),
        message=_scrub(message)[:500],
        provider_id=(provider_id or "")[:100],
    )


def _scrub(message: str) -> str:
    """The provider's answer verbatim, minus anything that is a configured secret."""
    for secret in (settings.ECOURT_SMS_HTTP_TOKEN, getattr(settings, "EMAIL_HOST_PASSWORD", "")):
        if secret:
            message = message.replace(secret, "[secret]")
    return message


def _settle(
    delivery_id: int,
    *,
    claim: tuple[str, datetime],
    round_no: int,
    passing: list[str],
    permanent: list[tuple[str, str]],
    deferred: list[datetime],
    accepted_now: list[str],
) -> str:
    with transaction.atomic():
        # The case row is locked (before the delivery) only when this round can serve the
        # delivery, which writes to the docket; otherwise the delivery row alone.
        peek = Delivery.objects.select_related("confirmation", "document").get(pk=delivery_id)
        may_serve = bool(accepted_now) and peek.legal and peek.served_at is None
        case_locked = may_serve and counts_as_confirmed(peek)
        if case_locked:
            _case, delivery = _lock_pair(delivery_id)
        else:
            delivery = lock_delivery(delivery_id)
        if delivery.status != S.SENDING or (delivery.claimed_by, delivery.claimed_at) != claim:
            # The sweeper gave this round up meanwhile (another worker may hold it now), or
            # the recipient read it: that stands.
            return "superseded"
        now = timezone.now()
        for channel in accepted_now:
            event_add(delivery, EventKind.SENT, channel=channel, at=now)
        counted = bool(passing or permanent or accepted_now)
        if counted:
            delivery.attempts = round_no
        accepted_ever = (
            bool(accepted_now)
            or delivery.tries.filter(
                outcome=AttemptOutcome.ACCEPTED, channel__in=list(PUSH_CHANNELS)
            ).exists()
        )
        if accepted_now and delivery.sent_at is None:
            delivery.sent_at = now
        result: str
        if passing and round_no < rules.MAX_ROUNDS:
            delivery.status = S.QUEUED
            delivery.next_attempt_at = now + rules.backoff(round_no)
            result = "retry"
        elif deferred:
            # A text held over quiet hours has not been tried: never fail before it has.
            delivery.status = S.QUEUED
            delivery.next_attempt_at = min(deferred)
            result = "deferred"
        elif accepted_ever or delivery.served_at is not None or not delivery.legal:
            delivery.status = S.DELIVERED if delivery.delivered_at else S.SENT
            delivery.next_attempt_at = None
            if permanent or passing:
                delivery.last_error = _scrub(
                    "; ".join(m for _c, m in permanent) or "retries exhausted"
                )[:500]
            result = "sent"
        else:
            delivery.status = S.FAILED
            delivery.next_attempt_at = None
            delivery.failure_reason = _failure_reason(permanent, passing)
            delivery.last_error = _scrub(
                "; ".join(m for _c, m in permanent) or "retries exhausted"
            )[:500]
            event_add(delivery, EventKind.FAILED, at=now, reason=delivery.failure_reason)
            result = "failed"
        delivery.claimed_at = None
        delivery.save()
        if case_locked:
            serve_if_due(delivery, actor=None)
    if result == "retry" or result == "deferred":
        _enqueue_later(delivery)
    return result


def _failure_reason(permanent: list[tuple[str, str]], passing: list[str]) -> str:
    channels = {c for c, _m in permanent}
    if passing or not channels:
        return FailureReason.ATTEMPTS_EXHAUSTED
    if channels == {Channel.SMS}:
        return FailureReason.SMS_REJECTED
    if channels == {Channel.EMAIL}:
        return FailureReason.EMAIL_BOUNCED
    return FailureReason.ALL_REJECTED


def _enqueue_later(delivery: Delivery) -> None:
    from ecourt.delivery.tasks import delivery_dispatch as task

    if task.get_backend().supports_defer and delivery.next_attempt_at:
        task.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery.pk)
    # Otherwise the worker's sweeper claims it once it is due.


def deliveries_run(
    *, worker: str, limit: int | None = None, grace: timedelta = timedelta(0)
) -> dict[str, int]:
    """Claim due deliveries and dispatch each (the sweeper's loop body and the benchmark's)."""
    results: dict[str, int] = {}
    # A claim token unique to this call: two processes' sweepers share a name.
    worker = f"{worker}:{secrets.token_hex(4)}"
    for delivery_id in deliveries_claim(worker=worker, limit=limit, grace=grace):
        outcome = delivery_dispatch(delivery_id=delivery_id, worker=worker)
        results[outcome] = results.get(outcome, 0) + 1
    return results


def deliveries_recover(*, now: datetime | None = None) -> int:
    """Give back deliveries whose worker died mid-round: their STARTED attempts are recorded
    as interrupted (the provider may or may not have taken them: at least once, never
    silently), and the delivery is queued again. Returns how many were recovered."""
    now = now or timezone.now()
    stale = list(
        Delivery.objects.filter(status=S.SENDING)
        .filter(Q(claimed_at__lt=now - STALE_SENDING) | Q(claimed_at__isnull=True))
        .values_list("pk", flat=True)
    )
    recovered = 0
    for delivery_id in stale:
        with transaction.atomic():
            delivery = lock_delivery(delivery_id)
            stale_claim = delivery.claimed_at is None or delivery.claimed_at < now - STALE_SENDING
            if delivery.status != S.SENDING or not stale_claim:
                continue  # finished, or claimed afresh by a live worker meanwhile
            DeliveryAttempt.objects.filter(
                delivery=delivery, outcome=AttemptOutcome.STARTED
            ).update(
                outcome=AttemptOutcome.INTERRUPTED,
                finished_at=now,
                message="the worker stopped during this attempt",
            )
            delivery.attempts += 1
            delivery.claimed_at = None
            accepted_ever = delivery.tries.filter(
                outcome=AttemptOutcome.ACCEPTED, channel__in=list(PUSH_CHANNELS)
            ).exists()
            if accepted_ever and delivery.attempts >= rules.MAX_ROUNDS:
                delivery.status = S.DELIVERED if delivery.delivered_at else S.SENT
                delivery.next_attempt_at = None
                delivery.last_error = "interrupted in its last round"
            elif delivery.attempts >= rules.MAX_ROUNDS and delivery.served_at is None:
                delivery.status = S.FAILED
                delivery.failure_reason = FailureReason.ATTEMPTS_EXHAUSTED
                delivery.next_attempt_at = None
                delivery.last_error = "interrupted in its last round"
                event_add(delivery, EventKind.FAILED, at=now, reason=delivery.failure_reason)
            else:
                delivery.status = S.QUEUED
                # Due a sweep-grace ago, so this same sweep dispatches it (no task is coming).
                delivery.next_attempt_at = now - SWEEP_GRACE
                delivery.last_error = "re-queued after an interrupted round"
            delivery.save(
                update_fields=[
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "claimed_at",
                    "last_error",
                    "failure_reason",
                ]
            )
            recovered += 1
    return recovered


def deliveries_sweep(*, worker: str = "sweeper") -> dict[str, Any]:
    """Recover interrupted rounds, then dispatch what is due (deliveries whose task was lost
    with a process, retries after their backoff, texts held over quiet hours)."""
    recovered = deliveries_recover()
    results = deliveries_run(worker=worker, grace=SWEEP_GRACE)
    return {"recovered": recovered, **results}
